using RagService.Core.Chunks;
using RagService.Core.Models;
using RagService.Core.Search;
using RagService.Retrieval.Tests.InMemory;

namespace RagService.Retrieval.Tests.Stages;

/// <summary>The "language" stage: a model that does not cover the query's language is skipped or down-weighted, and the trace says so.</summary>
public sealed class LanguageCoverageStageTests
{
    // Dense ([1, 0]) prefers the English chunk e, which BM25 does not find for a Chinese query at all.
    private static readonly Chunk Z1 = TestChunks.Create("z1", "d1", "备份 保留 天数 策略");
    private static readonly Chunk Z2 = TestChunks.Create("z2", "d2", "备份 计划");
    private static readonly Chunk E = TestChunks.Create("e", "d3", "backup retention days");

    private readonly InMemoryLexicalIndex lexical = new([Z1, Z2, E]);
    private readonly InMemoryVectorIndex vectors = new(2);
    private readonly InMemoryChunkLookup lookup = new([Z1, Z2, E]);

    public LanguageCoverageStageTests()
    {
        vectors.Upsert(["z1", "z2", "e"], [[0f, 1f], [0.1f, 0.9f], [1f, 0f]]);
    }

    private static readonly RetrievalOptions Options = HybridRetrieverTests.Classic with { SecondStage = true };

    private static FixedEmbeddingModel EnglishModel(string query) =>
        new(2, new Dictionary<string, float[]> { [query] = [1f, 0f] }, LanguageCoverage.English);

    private static SearchRequest Request(string query, SearchMode mode = SearchMode.Hybrid) => new() { Query = query, IncludeTrace = true, Mode = mode };

    [Fact]
    public async Task A_hybrid_search_skips_the_dense_leg_and_second_stage_when_the_model_does_not_cover_the_query()
    {
        const string query = "备份 保留";
        var embedder = EnglishModel(query);
        var second = new FixedEmbeddingModel(2, new Dictionary<string, float[]>(), LanguageCoverage.English);
        var retriever = new HybridRetriever(lexical, vectors, embedder, lookup, Options, second);

        var hybrid = await retriever.SearchAsync(Request(query), CancellationToken.None);
        var bm25 = await retriever.SearchAsync(Request(query, SearchMode.Bm25), CancellationToken.None);

        var language = hybrid.Trace!.Steps.Single(s => s.Stage == "language");
        Assert.True(language.Applied);
        Assert.Contains("language=zh", language.Detail, StringComparison.Ordinal);
        Assert.Contains("dense skipped: fixed-test does not cover zh", language.Detail, StringComparison.Ordinal);
        Assert.Contains("second-stage skipped: fixed-test does not cover zh", hybrid.Trace.Steps.Single(s => s.Stage == "second-stage").Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(embedder.Calls, c => c.Purpose == EmbeddingPurpose.Query);
        Assert.Empty(second.Calls);
        Assert.Equal(0, hybrid.Trace.DenseCandidates);
        Assert.Equal(bm25.Hits.Select(h => (h.Chunk.Id, h.Score)), hybrid.Hits.Select(h => (h.Chunk.Id, h.Score)));
        Assert.Equal("single leg (bm25): dense skipped by language", hybrid.Trace.Steps.Single(s => s.Stage == "fusion").Detail);
        Assert.DoesNotContain(hybrid.Hits, h => h.Chunk.Id == "e");
    }

    [Fact]
    public async Task A_query_the_model_partly_covers_keeps_the_dense_leg_at_the_covered_share_of_its_weight()
    {
        const string query = "backup retention days 备份";
        var retriever = new HybridRetriever(lexical, vectors, EnglishModel(query), lookup, HybridRetrieverTests.Classic);

        var response = await retriever.SearchAsync(Request(query), CancellationToken.None);

        // Three English words and two Han characters: the model covers 3/5 of the query.
        var language = response.Trace!.Steps.Single(s => s.Stage == "language").Detail;
        Assert.Contains("language=en-zh", language, StringComparison.Ordinal);
        Assert.Contains("weight ×0.6", language, StringComparison.Ordinal);
        Assert.True(response.Trace.DenseCandidates > 0);
        Assert.Contains(FormattableString.Invariant($"dense {HybridRetrieverTests.Classic.DenseWeight * 0.6:0.###}"), response.Trace.Steps.Single(s => s.Stage == "fusion").Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dense_mode_search_runs_as_asked_and_notes_the_gap()
    {
        const string query = "备份 保留";
        var embedder = EnglishModel(query);
        var retriever = new HybridRetriever(lexical, vectors, embedder, lookup, HybridRetrieverTests.Classic);

        var response = await retriever.SearchAsync(Request(query, SearchMode.Dense), CancellationToken.None);

        Assert.Contains("dense searched as asked", response.Trace!.Steps.Single(s => s.Stage == "language").Detail, StringComparison.Ordinal);
        Assert.Contains(embedder.Calls, c => c.Purpose == EmbeddingPurpose.Query);
        Assert.Equal("e", response.Hits[0].Chunk.Id);
    }

    [Fact]
    public async Task An_english_query_on_an_english_model_changes_nothing()
    {
        const string query = "backup retention";
        var retriever = new HybridRetriever(lexical, vectors, EnglishModel(query), lookup, HybridRetrieverTests.Classic);

        var response = await retriever.SearchAsync(Request(query), CancellationToken.None);

        var language = response.Trace!.Steps.Single(s => s.Stage == "language");
        Assert.False(language.Applied);
        Assert.Equal("language=en", language.Detail);
        Assert.Equal("e", response.Hits[0].Chunk.Id);
    }
}
