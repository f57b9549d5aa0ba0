using RagService.Core.Chunks;
using RagService.Core.Models;
using RagService.Core.Search;
using RagService.Retrieval.Tests.InMemory;

namespace RagService.Retrieval.Tests.Stages;

public sealed class RetrieverStageTests
{
    private const string Query = "backup retention days";

    // BM25 (shared words): a 3, d 3, b 2, c 1 (d is a's text with a "!"). Dense ([1, 0]): c 1.0, d 0.9, b 0.6, a 0.2.
    private static readonly Chunk A = TestChunks.Create("a", "d1", "backup retention days policy") with { SectionPath = ["Handbook", "Operations"] };
    private static readonly Chunk B = TestChunks.Create("b", "d2", "backup retention schedule") with { SectionPath = ["3.1 Scope"] };
    private static readonly Chunk C = TestChunks.Create("c", "d3", "how long copies are kept days") with { SectionPath = ["第二章 存储"] };
    private static readonly Chunk D = TestChunks.Create("d", "d4", "backup retention days policy!");

    private readonly InMemoryLexicalIndex lexical = new([A, B, C, D]);
    private readonly InMemoryVectorIndex vectors = new(2);
    private readonly InMemoryChunkLookup lookup = new([A, B, C, D]);

    public RetrieverStageTests()
    {
        vectors.Upsert(["a", "b", "c", "d"], [[0.2f, 0.98f], [0.6f, 0.8f], [1f, 0f], [0.9f, 0.1f]]);
    }

    private static FixedEmbeddingModel Embedder(params string[] queries) =>
        new(2, queries.ToDictionary(q => q, _ => new[] { 1f, 0f }));

    private HybridRetriever Retriever(RetrievalOptions options, IEmbeddingModel? second = null, IReranker? reranker = null, params string[] queries) =>
        new(lexical, vectors, Embedder(queries.Length == 0 ? [Query] : queries), lookup, options, second, reranker);

    private static SearchRequest Request(string query = Query, SearchStages? stages = null) =>
        new() { Query = query, IncludeTrace = true, Stages = stages };

    [Fact]
    public async Task Every_stage_is_reported_in_the_trace_in_order()
    {
        var response = await Retriever(HybridRetrieverTests.Classic).SearchAsync(Request(), CancellationToken.None);

        Assert.Equal(
            ["rewrite", "query-understanding", "routing", "language", "prf", "fusion", "section-boost", "date-hint", "second-stage", "rerank", "llm-rerank", "dedup", "mmr"],
            response.Trace!.Steps.Select(s => s.Stage));
        Assert.All(response.Trace.Steps.Where(s => s.Stage != "fusion"), s => Assert.False(s.Applied));
    }

    [Fact]
    public async Task Near_duplicates_are_demoted_by_default_and_kept_when_a_request_turns_dedup_off()
    {
        var options = HybridRetrieverTests.Classic with { Deduplicate = true, DuplicateThreshold = 0.5 };

        var deduped = await Retriever(options).SearchAsync(Request(), CancellationToken.None);
        var raw = await Retriever(options).SearchAsync(Request(stages: new SearchStages { Deduplicate = false }), CancellationToken.None);

        // Of the copies a and d, the lower-ranked one moves below every distinct hit.
        var rawOrder = raw.Hits.Select(h => h.Chunk.Id).ToList();
        var copy = rawOrder.IndexOf("a") > rawOrder.IndexOf("d") ? "a" : "d";
        Assert.True(rawOrder.IndexOf(copy) < rawOrder.Count - 1, "the copy is not already last");
        Assert.Equal(copy, deduped.Hits[^1].Chunk.Id);
        Assert.Contains("1 near-duplicates demoted", deduped.Trace!.Steps.Single(s => s.Stage == "dedup").Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_section_reference_in_the_query_boosts_chunks_under_that_section()
    {
        var options = HybridRetrieverTests.Classic with { QueryUnderstanding = true, SectionBoost = 1.0 };
        const string query = "backup retention days in section 3.1";

        var response = await Retriever(options, queries: query).SearchAsync(Request(query), CancellationToken.None);
        var chinese = await Retriever(options, queries: "第二章 backup").SearchAsync(Request("第二章 backup"), CancellationToken.None);

        Assert.Equal("b", response.Hits[0].Chunk.Id);
        Assert.Contains("3.1", response.Trace!.Steps.Single(s => s.Stage == "section-boost").Detail, StringComparison.Ordinal);
        Assert.Equal("c", chinese.Hits[0].Chunk.Id);
    }

    [Fact]
    public async Task Routing_changes_the_fusion_weights_and_says_why()
    {
        var options = HybridRetrieverTests.Classic with { QueryUnderstanding = true, Routing = true };
        const string question = "how long are backup copies kept";

        var response = await Retriever(options, queries: question).SearchAsync(Request(question), CancellationToken.None);

        var routing = response.Trace!.Steps.Single(s => s.Stage == "routing");
        Assert.True(routing.Applied);
        Assert.Contains("dense-leaning", routing.Detail, StringComparison.Ordinal);
        Assert.True(double.Parse(response.Trace.Settings["denseWeight"], System.Globalization.CultureInfo.InvariantCulture) > 1);
    }

    [Fact]
    public async Task Without_query_understanding_quotes_do_not_reach_the_lexical_index()
    {
        const string quoted = "\"backup retention\" days";

        await Retriever(HybridRetrieverTests.Classic, queries: quoted).SearchAsync(Request(quoted), CancellationToken.None);
        await Retriever(HybridRetrieverTests.Classic with { QueryUnderstanding = true }, queries: quoted).SearchAsync(Request(quoted), CancellationToken.None);

        Assert.Equal([" backup retention  days", quoted], lexical.Searches.Select(s => s.Query));
    }

    [Fact]
    public async Task Prf_runs_an_expanded_lexical_leg_and_fuses_it()
    {
        var options = HybridRetrieverTests.Classic with { PseudoRelevanceFeedback = true, PrfDocuments = 3, PrfTerms = 2 };

        var response = await Retriever(options).SearchAsync(Request(), CancellationToken.None);

        var prf = response.Trace!.Steps.Single(s => s.Stage == "prf");
        Assert.True(prf.Applied);
        Assert.Contains("policy", prf.Detail, StringComparison.Ordinal);
        Assert.Equal(2, lexical.Searches.Count);
        Assert.StartsWith(Query + " ", lexical.Searches.Last().Query, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 2)]
    public async Task Prf_skips_chinese_queries_unless_configured_for_them(bool prfForChinese, int lexicalSearches)
    {
        const string chinese = "备份 backup retention days";
        var options = HybridRetrieverTests.Classic with { PseudoRelevanceFeedback = true, PrfDocuments = 3, PrfTerms = 2, PrfForChinese = prfForChinese };

        var response = await Retriever(options, queries: chinese).SearchAsync(Request(chinese), CancellationToken.None);

        var prf = response.Trace!.Steps.Single(s => s.Stage == "prf");
        Assert.Equal(lexicalSearches, lexical.Searches.Count);
        Assert.Equal(prfForChinese, prf.Applied);
        if (!prfForChinese)
        {
            Assert.Contains("Chinese", prf.Detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_second_stage_rescores_with_the_second_model_and_reports_its_scores()
    {
        // The second model loves b's text (last after fusion) and dislikes c: b rises to the top.
        var second = new FixedEmbeddingModel(2, new Dictionary<string, float[]>
        {
            [Query] = [1f, 0f],
            [B.IndexText] = [1f, 0f],
            [A.IndexText] = [0.5f, 0.5f],
            [D.IndexText] = [0.5f, 0.5f],
            [C.IndexText] = [-1f, 0f],
        });
        var options = HybridRetrieverTests.Classic with { SecondStage = true, SecondStageSecondDenseWeight = 5 };

        var response = await Retriever(options, second).SearchAsync(Request(), CancellationToken.None);
        var off = await Retriever(options, second).SearchAsync(Request(stages: new SearchStages { SecondStage = false }), CancellationToken.None);

        Assert.Equal("b", response.Hits[0].Chunk.Id);
        Assert.NotEqual("b", off.Hits[0].Chunk.Id);
        Assert.Equal(1f, response.Hits[0].Scores.StageScores!["second-dense"]);
        Assert.True(response.Trace!.Steps.Single(s => s.Stage == "second-stage").Applied);
        Assert.Contains((Query, EmbeddingPurpose.Query), second.Calls);
        Assert.Contains((C.IndexText, EmbeddingPurpose.Document), second.Calls);
    }

    [Fact]
    public async Task A_reranker_reorders_the_candidates_and_its_scores_are_in_the_hits()
    {
        var reranker = new ScriptedReranker(p => p.Contains("copies", StringComparison.Ordinal) ? 9 : p.Length / 100f);

        var response = await Retriever(HybridRetrieverTests.Classic with { Rerank = true }, reranker: reranker).SearchAsync(Request(), CancellationToken.None);

        Assert.Equal("c", response.Hits[0].Chunk.Id);
        Assert.Equal(9f, response.Hits[0].Scores.RerankScore);
        Assert.Equal(9f, response.Hits[0].Score);
        Assert.True(response.Trace!.Steps.Single(s => s.Stage == "rerank").Applied);
    }

    [Fact]
    public async Task A_reranker_over_its_budget_leaves_the_fused_order_and_the_trace_says_so()
    {
        var slow = new ScriptedReranker(_ => 1, delay: TimeSpan.FromSeconds(5));
        var options = HybridRetrieverTests.Classic with { Rerank = true, RerankBudgetMs = 50 };

        var fused = await Retriever(HybridRetrieverTests.Classic).SearchAsync(Request(), CancellationToken.None);
        var response = await Retriever(options, reranker: slow).SearchAsync(Request(), CancellationToken.None);

        Assert.Equal(fused.Hits.Select(h => h.Chunk.Id), response.Hits.Select(h => h.Chunk.Id));
        var step = response.Trace!.Steps.Single(s => s.Stage == "rerank");
        Assert.False(step.Applied);
        Assert.Contains("budget of 50 ms exceeded", step.Detail, StringComparison.Ordinal);
        Assert.All(response.Hits, h => Assert.Null(h.Scores.RerankScore));
    }

    [Fact]
    public async Task Z_score_fusion_can_be_chosen_per_request()
    {
        var response = await Retriever(HybridRetrieverTests.Classic).SearchAsync(Request(stages: new SearchStages { Fusion = "zscore" }), CancellationToken.None);

        Assert.Equal("zscore", response.Trace!.Settings["fusion"]);
        await Assert.ThrowsAsync<ArgumentException>(() => Retriever(HybridRetrieverTests.Classic).SearchAsync(Request(stages: new SearchStages { Fusion = "borda" }), CancellationToken.None));
    }

    [Fact]
    public async Task The_cross_encoder_is_skipped_for_a_query_in_a_language_it_does_not_cover()
    {
        const string query = "备份 保留";
        var reranker = new ScriptedReranker(_ => 1f, languages: LanguageCoverage.English);
        var options = HybridRetrieverTests.Classic with { Rerank = true };

        var response = await Retriever(options, reranker: reranker, queries: query).SearchAsync(Request(query), CancellationToken.None);

        var rerank = response.Trace!.Steps.Single(s => s.Stage == "rerank");
        Assert.False(rerank.Applied);
        Assert.Equal("skipped: scripted does not cover zh", rerank.Detail);
        Assert.Contains("rerank skipped: scripted does not cover zh", response.Trace.Steps.Single(s => s.Stage == "language").Detail, StringComparison.Ordinal);
    }

    private sealed class ScriptedReranker(Func<string, float> score, TimeSpan? delay = null, LanguageCoverage? languages = null) : IReranker
    {
        public string Name => "scripted";

        public LanguageCoverage Languages => languages ?? LanguageCoverage.All;

        public async Task<float[]> ScoreAsync(string query, IReadOnlyList<string> passages, CancellationToken cancellationToken)
        {
            if (delay is { } d)
            {
                await Task.Delay(d, cancellationToken);
            }

            return passages.Select(score).ToArray();
        }
    }
}
