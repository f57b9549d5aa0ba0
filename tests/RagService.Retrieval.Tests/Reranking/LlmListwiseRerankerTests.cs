using RagService.Core.Chunks;
using RagService.Core.Search;
using RagService.Generation.Llm;
using RagService.Retrieval.Reranking;
using RagService.Retrieval.Rewriting;
using RagService.Retrieval.Tests.InMemory;
using RagService.TestSupport;

namespace RagService.Retrieval.Tests.Reranking;

/// <summary>
/// The "llm-rerank" stage through Semantic Kernel's OpenAI connector against <see cref="FakeOpenAiServer"/>,
/// a local OpenAI-compatible server started by the test with canned replies (no model weights exist here).
/// </summary>
public sealed class LlmListwiseRerankerTests
{
    private static readonly Chunk Apple = TestChunks.Create("c1", "d1", "apple banana smoothie");
    private static readonly Chunk Pie = TestChunks.Create("c2", "d1", "apple pie");
    private static readonly Chunk Cherry = TestChunks.Create("c3", "d2", "cherry tart");

    // BM25 (shared words with "apple pie tart"): c2 2, c1 1, c3 1 → the fused order is c2, c1, c3.
    private const string Query = "apple pie tart";

    private static SemanticKernelChatModel Chat(FakeOpenAiServer server, string model = "rank-model") =>
        new(new LlmOptions { Endpoint = server.Endpoint, Model = model });

    private static HybridRetriever Retriever(FakeOpenAiServer? server, RetrievalOptions? options = null, IQueryRewriter? rewriter = null) =>
        new(new InMemoryLexicalIndex([Apple, Pie, Cherry]), new InMemoryVectorIndex(2), new FixedEmbeddingModel(2, new Dictionary<string, float[]>()),
            new InMemoryChunkLookup([Apple, Pie, Cherry]), options ?? HybridRetrieverTests.Classic with { LlmRerank = true },
            rewriter: rewriter, llmReranker: server is null ? null : new LlmListwiseReranker(Chat(server)));

    private static SearchRequest Bm25(string query = Query, SearchStages? stages = null) =>
        new() { Query = query, Mode = SearchMode.Bm25, IncludeTrace = true, Stages = stages };

    private static SearchTraceStep Step(SearchResponse response) => response.Trace!.Steps.Single(s => s.Stage == "llm-rerank");

    [Theory]
    [InlineData("[3] > [1] > [2]", new[] { 2, 0, 1 })]
    [InlineData("3, 1", new[] { 2, 0 })]
    [InlineData("3 > 1 > 2.", new[] { 2, 0, 1 })]
    [InlineData("Ranking: [ 2 ] > [2] > [9] > [1]", new[] { 1, 0 })]
    [InlineData("Passage [3] answers it best, then [1].", new[] { 2, 0 })]
    public void The_order_is_read_leniently_ignoring_repeats_and_numbers_out_of_range(string reply, int[] expected) =>
        Assert.Equal(expected, LlmListwiseReranker.ParseOrder(reply, 3));

    [Theory]
    [InlineData("")]
    [InlineData("I cannot rank these passages.")]
    [InlineData("In 2023 passage 3 was the most relevant")]
    [InlineData("[7] > [8]")]
    public void A_reply_naming_no_passage_is_malformed(string reply) =>
        Assert.Null(LlmListwiseReranker.ParseOrder(reply, 3));

    [Fact]
    public async Task The_llm_order_replaces_the_fused_order_and_the_request_numbers_the_candidates()
    {
        using var server = new FakeOpenAiServer((_, _) => "[3] > [1] > [2]");

        var response = await Retriever(server).SearchAsync(Bm25(), CancellationToken.None);

        Assert.Equal(["c3", "c2", "c1"], response.Hits.Select(h => h.Chunk.Id));
        var (system, user) = Assert.Single(server.Requests);
        Assert.Equal(LlmListwiseReranker.SystemPrompt, system);
        Assert.Contains("Query: apple pie tart", user, StringComparison.Ordinal);
        Assert.Contains("[1] apple pie\n[2] apple banana smoothie\n[3] cherry tart", user.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Equal(1f, response.Hits[0].Scores.StageScores!["llm-rerank"]);
        var step = Step(response);
        Assert.True(step.Applied);
        Assert.Equal("llm:rank-model: 3 candidates", step.Detail);
        Assert.Equal("llm:rank-model", response.Trace!.Settings["llmReranker"]);
    }

    [Fact]
    public async Task Only_the_capped_candidates_are_sent_and_the_rest_keep_their_order_below()
    {
        using var server = new FakeOpenAiServer((_, _) => "[2] > [1]");

        var response = await Retriever(server, HybridRetrieverTests.Classic with { LlmRerank = true, LlmRerankCandidates = 2 }).SearchAsync(Bm25(), CancellationToken.None);

        Assert.Equal(["c1", "c2", "c3"], response.Hits.Select(h => h.Chunk.Id));
        var (_, user) = Assert.Single(server.Requests);
        Assert.DoesNotContain("[3]", user, StringComparison.Ordinal);
        Assert.Contains("Rank all 2 passages.", user, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Passages_the_model_leaves_out_follow_the_ranked_ones_in_their_previous_order()
    {
        using var server = new FakeOpenAiServer((_, _) => "[3]");

        var response = await Retriever(server).SearchAsync(Bm25(), CancellationToken.None);

        Assert.Equal(["c3", "c2", "c1"], response.Hits.Select(h => h.Chunk.Id));
    }

    [Theory]
    [InlineData("Sure! The passage about pies is the most relevant.")]
    [InlineData("[0] > [42]")]
    public async Task A_malformed_reply_keeps_the_fused_order_and_the_trace_says_so(string reply)
    {
        using var server = new FakeOpenAiServer((_, _) => reply);

        var response = await Retriever(server).SearchAsync(Bm25(), CancellationToken.None);

        Assert.Equal(["c2", "c1", "c3"], response.Hits.Select(h => h.Chunk.Id));
        Assert.All(response.Hits, h => Assert.Null(h.Scores.StageScores));
        var step = Step(response);
        Assert.False(step.Applied);
        Assert.Contains("malformed reply", step.Detail, StringComparison.Ordinal);
        Assert.Contains("kept the previous order of 3 candidates", step.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_error_keeps_the_fused_order()
    {
        using var server = new FakeOpenAiServer((_, _) => null);

        var response = await Retriever(server).SearchAsync(Bm25(), CancellationToken.None);

        Assert.Equal(["c2", "c1", "c3"], response.Hits.Select(h => h.Chunk.Id));
        Assert.Contains("failed", Step(response).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reranker_past_its_latency_budget_keeps_the_fused_order()
    {
        // The LLM answers after 6 s; with a 200 ms budget the search must come back long before that. The bound leaves
        // room for a loaded CI machine's first connection and JIT (2.5 s under a 3 s answer was once missed by 9 ms).
        using var server = new FakeOpenAiServer((_, _) =>
        {
            Thread.Sleep(6000);
            return "[3] > [2] > [1]";
        });

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var response = await Retriever(server, HybridRetrieverTests.Classic with { LlmRerank = true, LlmRerankBudgetMs = 200 }).SearchAsync(Bm25(), CancellationToken.None);

        Assert.True(clock.ElapsedMilliseconds < 5000, $"took {clock.ElapsedMilliseconds} ms");
        Assert.Equal(["c2", "c1", "c3"], response.Hits.Select(h => h.Chunk.Id));
        var step = Step(response);
        Assert.False(step.Applied);
        Assert.Contains("budget of 200 ms exceeded: kept the previous order", step.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_stage_is_off_by_default_switches_on_per_request_and_says_when_no_llm_is_configured()
    {
        using var server = new FakeOpenAiServer((_, _) => "[3] > [2] > [1]");

        var byDefault = await Retriever(server, HybridRetrieverTests.Classic).SearchAsync(Bm25(), CancellationToken.None);
        Assert.Empty(server.Requests);
        Assert.Equal(("off", false), (Step(byDefault).Detail, Step(byDefault).Applied));

        var perRequest = await Retriever(server, HybridRetrieverTests.Classic).SearchAsync(Bm25(stages: new SearchStages { LlmRerank = true }), CancellationToken.None);
        Assert.Single(server.Requests);
        Assert.Equal(["c3", "c1", "c2"], perRequest.Hits.Select(h => h.Chunk.Id));

        var noLlm = await Retriever(null).SearchAsync(Bm25(stages: new SearchStages { LlmRerank = true }), CancellationToken.None);
        Assert.Equal("no LLM configured", Step(noLlm).Detail);
        Assert.Equal(["c2", "c1", "c3"], noLlm.Hits.Select(h => h.Chunk.Id));
    }

    [Fact]
    public async Task With_rewriting_the_llm_reranks_the_fused_ranking_once()
    {
        using var server = new FakeOpenAiServer((system, _) =>
            system == LlmListwiseReranker.SystemPrompt ? "[3] > [1]" : "PARAPHRASE: cherry tart");
        var rewriter = new LlmQueryRewriter(Chat(server, "rewrite-model"));

        var response = await Retriever(server, rewriter: rewriter).SearchAsync(
            Bm25("apple pie", new SearchStages { Rewrite = true }), CancellationToken.None);

        // One rewrite call, one rerank call. Fused: c2 (1/61), c1 (1/62), c3 (0.7/61); the LLM puts c3 first, then c2.
        Assert.Equal(2, server.Requests.Count);
        Assert.Equal(["c3", "c2", "c1"], response.Hits.Select(h => h.Chunk.Id));
        Assert.Equal(["rewrite", "llm-rerank"], response.Trace!.Steps.Where(s => s.Applied && s.Stage is "rewrite" or "llm-rerank").Select(s => s.Stage));
        Assert.Single(response.Trace.Steps, s => s.Stage == "llm-rerank");
    }
}
