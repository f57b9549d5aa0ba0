using RagService.Core.Chunks;
using RagService.Core.Indexes;
using RagService.Core.Models;
using RagService.Core.Search;
using RagService.Retrieval.Tests.InMemory;

namespace RagService.Retrieval.Tests;

public sealed class HybridRetrieverTests
{
    private const string Query = "apple banana";

    // BM25 (word counts): c1 2, c2 1, c3 0. Dense (dot with [1, 0]): c3 1.0, c2 0.8, c1 0.
    private static readonly Chunk C1 = TestChunks.Create("c1", "d1", "apple banana smoothie", Tenant("a"));
    private static readonly Chunk C2 = TestChunks.Create("c2", "d1", "apple pie", Tenant("a"));
    private static readonly Chunk C3 = TestChunks.Create("c3", "d2", "cherry tart", Tenant("b"));

    private readonly InMemoryLexicalIndex lexical = new([C1, C2, C3]);
    private readonly InMemoryVectorIndex vectors = new(2);
    private readonly FixedEmbeddingModel embedder = new(2, new Dictionary<string, float[]> { [Query] = [1f, 0f] });
    private readonly InMemoryChunkLookup lookup = new([C1, C2, C3]);

    public HybridRetrieverTests()
    {
        vectors.Upsert(["c1", "c2", "c3"], [[0f, 1f], [0.8f, 0.6f], [1f, 0f]]);
    }

    /// <summary>First-stage retrieval only (plain RRF, no query understanding, routing, PRF or dedup): these tests pin its arithmetic.</summary>
    internal static readonly RetrievalOptions Classic = new()
    {
        Fusion = "rrf", RrfK = 60, Bm25Weight = 1, DenseWeight = 1,
        QueryUnderstanding = false, Routing = false, PseudoRelevanceFeedback = false, SecondStage = false, Rerank = false, Deduplicate = false,
    };

    private HybridRetriever Retriever(RetrievalOptions? options = null) =>
        new(lexical, vectors, embedder, lookup, options ?? Classic);

    private static Dictionary<string, string> Tenant(string tenant) => new() { ["tenant"] = tenant };

    [Fact]
    public async Task Bm25_mode_searches_only_the_lexical_index()
    {
        var response = await Retriever().SearchAsync(new SearchRequest { Query = Query, Mode = SearchMode.Bm25 }, CancellationToken.None);

        Assert.Equal(["c1", "c2"], response.Hits.Select(h => h.Chunk.Id));
        Assert.Empty(vectors.Searches);
        Assert.Empty(embedder.Calls);
        Assert.Equal(new ScoreBreakdown { Bm25Rank = 1, Bm25Score = 2, FusedScore = 2 }, response.Hits[0].Scores);
        Assert.Equal(2f, response.Hits[0].Score);
    }

    [Fact]
    public async Task Dense_mode_embeds_the_query_as_a_query_and_searches_only_vectors()
    {
        var response = await Retriever().SearchAsync(new SearchRequest { Query = Query, Mode = SearchMode.Dense }, CancellationToken.None);

        Assert.Equal(["c3", "c2", "c1"], response.Hits.Select(h => h.Chunk.Id));
        Assert.Empty(lexical.Searches);
        Assert.Equal((Query, EmbeddingPurpose.Query), Assert.Single(embedder.Calls));
        Assert.Equal(2, response.Hits[1].Scores.DenseRank);
        Assert.Equal(0.8f, response.Hits[1].Scores.DenseScore!.Value, 5);
        Assert.Null(response.Hits[1].Scores.Bm25Rank);
    }

    [Fact]
    public async Task Hybrid_mode_fuses_by_rrf_and_reports_each_legs_rank_and_score()
    {
        var response = await Retriever().SearchAsync(new SearchRequest { Query = Query }, CancellationToken.None);

        // c1: 1/61 + 1/63 = 0.032266; c2: 1/62 + 1/62 = 0.032258; c3: 1/61 = 0.016393.
        Assert.Equal(["c1", "c2", "c3"], response.Hits.Select(h => h.Chunk.Id));
        var c1 = response.Hits[0].Scores;
        Assert.Equal((1, 2f, 3), (c1.Bm25Rank, c1.Bm25Score, c1.DenseRank));
        Assert.Equal((float)(1.0 / 61 + 1.0 / 63), c1.FusedScore, 6);
        Assert.Equal(c1.FusedScore, response.Hits[0].Score);
        var c3 = response.Hits[2].Scores;
        Assert.Null(c3.Bm25Rank);
        Assert.Null(c3.Bm25Score);
        Assert.Equal(1, c3.DenseRank);
        Assert.Equal((float)(1.0 / 61), c3.FusedScore, 6);
    }

    [Fact]
    public async Task Hybrid_weights_change_the_fused_order()
    {
        // A zero weight silences BM25: the order becomes the dense order.
        var denseHeavy = Retriever(Classic with { Bm25Weight = 0, DenseWeight = 1 });

        var response = await denseHeavy.SearchAsync(new SearchRequest { Query = Query }, CancellationToken.None);

        Assert.Equal(["c3", "c2", "c1"], response.Hits.Select(h => h.Chunk.Id));
    }

    [Fact]
    public async Task Weighted_fusion_is_selected_by_options()
    {
        var retriever = Retriever(Classic with { Fusion = "weighted" });

        var response = await retriever.SearchAsync(new SearchRequest { Query = Query, IncludeTrace = true }, CancellationToken.None);

        // bm25 normalised: c1 1, c2 0; dense normalised: c3 1, c2 0.8, c1 0 → c1 1, c2 0.8, c3 1 (tie: by id).
        Assert.Equal(["c1", "c3", "c2"], response.Hits.Select(h => h.Chunk.Id));
        Assert.Equal(0.8f, response.Hits[2].Score, 5);
        Assert.Equal("weighted", response.Trace!.Settings["fusion"]);
    }

    [Fact]
    public async Task The_filter_is_passed_into_both_retrievers_and_no_other_tenant_leaks()
    {
        var filter = new SearchFilter { Tags = Tenant("a") };

        var response = await Retriever().SearchAsync(new SearchRequest { Query = Query, Filter = filter }, CancellationToken.None);

        Assert.Same(filter, Assert.Single(lexical.Searches).Filter);
        Assert.Same(filter, Assert.Single(lookup.AllowedRequests));
        Assert.Equal(["c1", "c2"], Assert.Single(vectors.Searches).Allowed!.Order(StringComparer.Ordinal));
        Assert.Equal(["c1", "c2"], response.Hits.Select(h => h.Chunk.Id));
    }

    [Fact]
    public async Task Without_a_filter_the_vector_index_gets_no_allowed_set()
    {
        await Retriever().SearchAsync(new SearchRequest { Query = Query }, CancellationToken.None);

        Assert.Null(Assert.Single(vectors.Searches).Allowed);
        Assert.Same(SearchFilter.None, Assert.Single(lexical.Searches).Filter);
    }

    [Fact]
    public async Task A_filter_that_admits_nothing_skips_the_vector_search()
    {
        var filter = new SearchFilter { DocumentIds = ["no-such-document"] };

        var response = await Retriever().SearchAsync(new SearchRequest { Query = Query, Filter = filter }, CancellationToken.None);

        Assert.Empty(response.Hits);
        Assert.Empty(vectors.Searches);
    }

    [Fact]
    public async Task Stale_chunks_are_dropped_and_do_not_hold_a_rank()
    {
        lookup.Remove("c1");

        var response = await Retriever().SearchAsync(new SearchRequest { Query = Query, IncludeTrace = true }, CancellationToken.None);

        Assert.Equal(["c2", "c3"], response.Hits.Select(h => h.Chunk.Id));
        Assert.Equal(1, response.Hits[0].Scores.Bm25Rank);
        Assert.Equal(2, response.Hits[0].Scores.DenseRank);
        Assert.Equal("1", response.Trace!.Settings["staleDropped"]);
    }

    [Fact]
    public async Task Candidates_are_at_least_top_k_and_top_k_cuts_the_hits()
    {
        var options = Classic with { Bm25Candidates = 100, DenseCandidates = 20 };

        var response = await Retriever(options).SearchAsync(new SearchRequest { Query = Query, TopK = 150 }, CancellationToken.None);
        var top1 = await Retriever(options).SearchAsync(new SearchRequest { Query = Query, TopK = 1 }, CancellationToken.None);

        Assert.Equal(3, response.Hits.Count);
        Assert.Equal([150, 100], lexical.Searches.Select(s => s.TopK));
        Assert.Equal([150, 20], vectors.Searches.Select(s => s.TopK));
        Assert.Equal("c1", Assert.Single(top1.Hits).Chunk.Id);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1001)]
    public async Task Top_k_outside_1_to_1000_is_rejected(int topK)
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            Retriever().SearchAsync(new SearchRequest { Query = Query, TopK = topK }, CancellationToken.None));
    }

    [Fact]
    public async Task The_bm25_and_dense_legs_run_in_parallel()
    {
        using var embedding = new ManualResetEventSlim();
        var overlapped = false;
        embedder.OnEmbed = embedding.Set;

        // If the legs ran one after the other, BM25 would wait here in vain.
        lexical.OnSearch = () => overlapped = embedding.Wait(TimeSpan.FromSeconds(10));

        await Retriever().SearchAsync(new SearchRequest { Query = Query }, CancellationToken.None);

        Assert.True(overlapped);
    }

    [Fact]
    public async Task The_trace_reports_timings_counts_and_settings_only_when_asked()
    {
        var withTrace = await Retriever().SearchAsync(new SearchRequest { Query = Query, IncludeTrace = true }, CancellationToken.None);
        var without = await Retriever().SearchAsync(new SearchRequest { Query = Query }, CancellationToken.None);

        Assert.Null(without.Trace);
        var trace = withTrace.Trace!;
        Assert.Equal("hybrid", trace.Mode);
        Assert.Equal(2, trace.Bm25Candidates);
        Assert.Equal(3, trace.DenseCandidates);
        Assert.True(trace.Bm25Ms >= 0 && trace.DenseMs >= 0 && trace.EmbedMs >= 0 && trace.FuseMs >= 0);
        Assert.Equal("rrf", trace.Settings["fusion"]);
        Assert.Equal("60", trace.Settings["rrfK"]);
        Assert.Equal("1", trace.Settings["bm25Weight"]);
        Assert.Equal("100", trace.Settings["bm25Candidates"]);
        Assert.Equal("fixed-test", trace.Settings["embeddingModel"]);
    }

    [Fact]
    public void An_unknown_fusion_name_is_rejected_at_construction()
    {
        Assert.Throws<ArgumentException>(() => Retriever(Classic with { Fusion = "borda" }));
    }

    [Fact]
    public async Task A_query_vector_of_the_wrong_size_is_an_error()
    {
        var wrong = new HybridRetriever(lexical, vectors, new FixedEmbeddingModel(3, new Dictionary<string, float[]>()), lookup, Classic);

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            wrong.SearchAsync(new SearchRequest { Query = Query, Mode = SearchMode.Dense }, CancellationToken.None));
    }

    [Fact]
    public async Task A_cancelled_search_throws()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Retriever().SearchAsync(new SearchRequest { Query = Query }, cancelled.Token));
    }
}
