using RagService.Core.Chunks;
using RagService.Core.Models;
using RagService.Core.Search;
using RagService.Retrieval.Rewriting;
using RagService.Retrieval.Tests.InMemory;

namespace RagService.Retrieval.Tests.Stages;

/// <summary>The pipeline as a whole: what runs concurrently, and what the trace says when a stage had little to work on.</summary>
public sealed class SearchPipelineTests
{
    private const string Query = "apple banana";

    private static readonly Chunk Apple = TestChunks.Create("c1", "d1", "apple banana smoothie");
    private static readonly Chunk Pie = TestChunks.Create("c2", "d1", "apple pie");
    private static readonly Chunk Cherry = TestChunks.Create("c3", "d2", "cherry tart");

    private static readonly string[] StageOrder =
        ["rewrite", "query-understanding", "routing", "language", "prf", "fusion", "section-boost", "date-hint", "second-stage", "rerank", "llm-rerank", "dedup", "mmr"];

    private readonly InMemoryLexicalIndex lexical = new([Apple, Pie, Cherry]);
    private readonly InMemoryVectorIndex vectors = new(2);
    private readonly InMemoryChunkLookup lookup = new([Apple, Pie, Cherry]);

    public SearchPipelineTests()
    {
        vectors.Upsert(["c1", "c2", "c3"], [[0f, 1f], [0.8f, 0.6f], [1f, 0f]]);
    }

    private static FixedEmbeddingModel Embedder() => new(2, new Dictionary<string, float[]> { [Query] = [1f, 0f] });

    [Fact]
    public async Task The_two_query_embeddings_and_bm25_run_at_the_same_time()
    {
        using var denseStarted = new ManualResetEventSlim();
        using var secondStarted = new ManualResetEventSlim();
        var dense = Embedder();
        var second = Embedder();
        bool denseSawSecond = false, secondSawDense = false, bm25SawBoth = false;

        // Each waits for the others: run one after another, the first to start would wait in vain.
        dense.OnEmbed = () =>
        {
            denseStarted.Set();
            denseSawSecond |= secondStarted.Wait(TimeSpan.FromSeconds(10));
        };
        second.OnEmbed = () =>
        {
            secondStarted.Set();
            secondSawDense |= denseStarted.Wait(TimeSpan.FromSeconds(10));
        };
        lexical.OnSearch = () => bm25SawBoth = denseStarted.Wait(TimeSpan.FromSeconds(10)) && secondStarted.Wait(TimeSpan.FromSeconds(10));
        var retriever = new HybridRetriever(lexical, vectors, dense, lookup, HybridRetrieverTests.Classic with { SecondStage = true }, second);

        var response = await retriever.SearchAsync(new SearchRequest { Query = Query, IncludeTrace = true }, CancellationToken.None);

        Assert.True(denseSawSecond && secondSawDense && bm25SawBoth);
        Assert.True(response.Trace!.Steps.Single(s => s.Stage == "second-stage").Applied);
    }

    [Theory]
    [InlineData(false, "dedup")]
    [InlineData(true, "mmr")]
    public async Task Hygiene_over_a_single_candidate_says_it_ran_with_nothing_to_compare(bool mmr, string stage)
    {
        var retriever = new HybridRetriever(lexical, vectors, Embedder(), lookup, HybridRetrieverTests.Classic with { Deduplicate = true, Mmr = mmr });

        var response = await retriever.SearchAsync(new SearchRequest { Query = "cherry", Mode = SearchMode.Bm25, IncludeTrace = true }, CancellationToken.None);

        Assert.Equal("c3", Assert.Single(response.Hits).Chunk.Id);
        var step = response.Trace!.Steps.Single(s => s.Stage == stage);
        Assert.Equal("1 candidate, nothing to compare", step.Detail);
        Assert.Equal(mmr ? "replaced by mmr" : "off", response.Trace.Steps.Single(s => s.Stage == (mmr ? "dedup" : "mmr")).Detail);
        Assert.Equal(mmr ? "mmr" : "dedup", response.Trace.Settings["hygiene"]);
    }

    [Fact]
    public async Task A_fanned_out_search_reports_every_stage_once_in_the_same_order()
    {
        var retriever = new HybridRetriever(
            lexical, vectors, Embedder(), lookup, HybridRetrieverTests.Classic with { Deduplicate = true }, rewriter: new ScriptedRewriter("cherry tart"));

        var response = await retriever.SearchAsync(new SearchRequest { Query = Query, IncludeTrace = true, Stages = new SearchStages { Rewrite = true } }, CancellationToken.None);

        var steps = response.Trace!.Steps;
        Assert.Equal(StageOrder, steps.Select(s => s.Stage));
        Assert.True(steps[0].Applied);
        Assert.Contains("paraphrase: cherry tart", steps[0].Detail, StringComparison.Ordinal);
        Assert.All(steps, s => Assert.True(s.Ms >= 0));
        Assert.Contains("near-duplicates demoted", steps.Single(s => s.Stage == "dedup").Detail, StringComparison.Ordinal);
        Assert.Contains("c3", response.Hits.Select(h => h.Chunk.Id));


        // Ranks: the rewrite step ranks every hit in the fused ranking across the queries; a per-query step keeps the
        // original query's ranks, narrowed to this search's hits (one found by a paraphrase alone is absent there).
        var ids = response.Hits.Select(h => h.Chunk.Id).ToList();
        Assert.Equal(ids.ToHashSet(), steps[0].Ranks!.Keys.ToHashSet());
        Assert.Equal(Enumerable.Range(1, ids.Count), ids.Select(id => steps[^1].Ranks![id]));
        var fusion = steps.Single(s => s.Stage == "fusion").Ranks!;
        Assert.Subset(ids.ToHashSet(), fusion.Keys.ToHashSet());
    }

    [Fact]
    public async Task Every_step_is_timed_by_the_pipeline()
    {
        var retriever = new HybridRetriever(lexical, vectors, Embedder(), lookup, HybridRetrieverTests.Classic);

        var response = await retriever.SearchAsync(new SearchRequest { Query = Query, IncludeTrace = true }, CancellationToken.None);

        Assert.Equal(StageOrder, response.Trace!.Steps.Select(s => s.Stage));
        Assert.All(response.Trace.Steps, s => Assert.True(s.Ms >= 0 && s.Ms < 10_000));
        Assert.Equal(response.Trace.Steps.Where(s => s.Stage is "fusion" or "section-boost").Sum(s => s.Ms), response.Trace.FuseMs);
    }

    [Fact]
    public async Task The_trace_gives_each_hit_its_rank_after_every_stage_that_had_a_ranking()
    {
        var retriever = new HybridRetriever(lexical, vectors, Embedder(), lookup, HybridRetrieverTests.Classic with { Deduplicate = true, RareTermAnchor = false });

        var response = await retriever.SearchAsync(new SearchRequest { Query = Query, IncludeTrace = true }, CancellationToken.None);

        var steps = response.Trace!.Steps;
        var ids = response.Hits.Select(h => h.Chunk.Id).ToList();
        Assert.True(ids.Count >= 2, "a ranking of several hits");

        // Before fusion there is no ranking yet; from fusion on every hit is ranked in each step's order.
        Assert.All(steps.TakeWhile(s => s.Stage != "fusion"), s => Assert.Null(s.Ranks));
        var ranked = steps.SkipWhile(s => s.Stage != "fusion").ToList();
        Assert.Equal(StageOrder.SkipWhile(s => s != "fusion"), ranked.Select(s => s.Stage));
        Assert.All(ranked, s => Assert.Equal(ids.ToHashSet(), s.Ranks!.Keys.ToHashSet()));

        // The last stage's ranks are the response's order.
        Assert.Equal(Enumerable.Range(1, ids.Count), ids.Select(id => ranked[^1].Ranks![id]));

        // Fusion's ranks follow the fused score (what each hit's breakdown says fusion gave it).
        var byFused = response.Hits.OrderByDescending(h => h.Scores.FusedScore).ThenBy(h => h.Chunk.Id, StringComparer.Ordinal).Select(h => h.Chunk.Id).ToList();
        Assert.Equal(byFused, ids.OrderBy(id => ranked[0].Ranks![id]));

        // Without a trace nothing is kept.
        var untraced = await retriever.SearchAsync(new SearchRequest { Query = Query }, CancellationToken.None);
        Assert.Null(untraced.Trace);
    }

    private sealed class ScriptedRewriter(params string[] paraphrases) : IQueryRewriter
    {
        public string Name => "scripted";

        public Task<IReadOnlyList<RewrittenQuery>> RewriteAsync(string query, RewriteTechniques techniques, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<RewrittenQuery>>(paraphrases.Select(p => new RewrittenQuery("paraphrase", p)).ToList());
    }
}
