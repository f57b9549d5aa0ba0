using RagService.Core.Chunks;
using RagService.Core.Search;
using RagService.Generation.Llm;
using RagService.Retrieval.Rewriting;
using RagService.Retrieval.Tests.InMemory;
using RagService.TestSupport;

namespace RagService.Retrieval.Tests.Rewriting;

/// <summary>
/// LLM query rewriting through Semantic Kernel against <see cref="FakeOpenAiServer"/>, a local
/// OpenAI-compatible server started by the test with canned, request-dependent replies (no model
/// weights exist here).
/// </summary>
public sealed class LlmQueryRewriterTests
{
    private static readonly Chunk Apple = TestChunks.Create("c1", "d1", "apple banana smoothie");
    private static readonly Chunk Pie = TestChunks.Create("c2", "d1", "apple pie");
    private static readonly Chunk Cherry = TestChunks.Create("c3", "d2", "cherry tart");

    private static LlmQueryRewriter Rewriter(FakeOpenAiServer server)
    {
        var options = new LlmOptions { Endpoint = server.Endpoint, Model = "rewrite-model" };
        return new LlmQueryRewriter(new SemanticKernelChatModel(options));
    }

    private static HybridRetriever Retriever(IQueryRewriter? rewriter) =>
        new(new InMemoryLexicalIndex([Apple, Pie, Cherry]), new InMemoryVectorIndex(2), new FixedEmbeddingModel(2, new Dictionary<string, float[]>()),
            new InMemoryChunkLookup([Apple, Pie, Cherry]), HybridRetrieverTests.Classic, rewriter: rewriter);

    private static SearchRequest Bm25(string query, bool? rewrite, SearchStages? stages = null) =>
        new() { Query = query, Mode = SearchMode.Bm25, IncludeTrace = true, Stages = (stages ?? new SearchStages()) with { Rewrite = rewrite } };

    private static string Reply(string user) => user.Contains("dessert", StringComparison.Ordinal)
        ? "PARAPHRASE: cherry tart\nPARAPHRASE: sweet dessert\nHYDE: An apple pie is a classic baked dessert.\n"
        : "PARAPHRASE: " + user;

    [Fact]
    public async Task Paraphrases_a_hyde_passage_and_sub_questions_are_parsed_from_the_reply()
    {
        using var server = new FakeOpenAiServer((_, _) =>
            "SUBQUESTION: What is the backup retention period?\n- SUBQUESTION: Who approves restores?\n" +
            "PARAPHRASE 1: how long backups are kept and who signs off restores\nnoise line\nHYDE: Backups are kept for 30 days; the IT lead approves restores.");

        var rewrites = await Rewriter(server).RewriteAsync("How long are backups kept and who approves restores?", RewriteTechniques.All with { StepBack = false }, CancellationToken.None);

        Assert.Equal(["subquestion", "subquestion", "paraphrase", "hyde"], rewrites.Select(r => r.Kind));
        Assert.Equal("Who approves restores?", rewrites[1].Text);
        var (system, user) = Assert.Single(server.Requests);
        Assert.Contains("HYDE:", system, StringComparison.Ordinal);
        Assert.Equal("Query: How long are backups kept and who approves restores?", user);
    }

    [Fact]
    public async Task The_rewrite_stage_fuses_the_rankings_of_the_rewritten_queries_and_shows_in_the_trace()
    {
        using var server = new FakeOpenAiServer((_, user) => Reply(user));

        var plain = await Retriever(Rewriter(server)).SearchAsync(Bm25("dessert", rewrite: false), CancellationToken.None);
        Assert.Empty(plain.Hits);
        Assert.Empty(server.Requests);

        var response = await Retriever(Rewriter(server)).SearchAsync(Bm25("dessert", rewrite: true), CancellationToken.None);

        // The original finds nothing; "cherry tart" ranks c3 first and the HyDE passage ranks c2 ("apple pie")
        // first and c1 second: c2 and c3 tie in the cross-query RRF (ordered by id), c1 follows.
        Assert.Equal(["c2", "c3", "c1"], response.Hits.Select(h => h.Chunk.Id));
        Assert.Contains("rewrite-rrf", response.Hits[0].Scores.StageScores!.Keys);
        var step = response.Trace!.Steps[0];
        Assert.Equal(("rewrite", true), (step.Stage, step.Applied));
        Assert.Contains("llm:rewrite-model: 3 rewrites (multi-query×2, decompose, step-back, hyde)", step.Detail, StringComparison.Ordinal);
        Assert.Contains("paraphrase: cherry tart", step.Detail, StringComparison.Ordinal);
        Assert.Contains("hyde: An apple pie is a classic baked dessert.", step.Detail, StringComparison.Ordinal);
        Assert.Equal("true", response.Trace.Settings["rewrite"]);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Rewriting_is_off_by_default_and_off_without_an_llm()
    {
        using var server = new FakeOpenAiServer((_, user) => Reply(user));

        var byDefault = await Retriever(Rewriter(server)).SearchAsync(Bm25("apple", rewrite: null), CancellationToken.None);
        var noLlm = await Retriever(null).SearchAsync(Bm25("apple", rewrite: true), CancellationToken.None);

        Assert.Empty(server.Requests);
        Assert.Equal(("rewrite", false, "off"), (byDefault.Trace!.Steps[0].Stage, byDefault.Trace.Steps[0].Applied, byDefault.Trace.Steps[0].Detail));
        Assert.Equal("no LLM configured", noLlm.Trace!.Steps[0].Detail);
        Assert.Equal(["c1", "c2"], noLlm.Hits.Select(h => h.Chunk.Id));
    }

    [Fact]
    public async Task A_failing_llm_leaves_the_original_ranking_and_the_trace_says_so()
    {
        using var server = new FakeOpenAiServer((_, _) => null);

        var response = await Retriever(Rewriter(server)).SearchAsync(Bm25("apple", rewrite: true), CancellationToken.None);

        Assert.Equal(["c1", "c2"], response.Hits.Select(h => h.Chunk.Id));
        var step = response.Trace!.Steps[0];
        Assert.False(step.Applied);
        Assert.Contains("failed", step.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_step_back_question_is_asked_for_and_parsed_and_only_asked_techniques_are_kept()
    {
        using var server = new FakeOpenAiServer((_, _) =>
            "STEPBACK: What is a data retention policy?\nPARAPHRASE: backup keeping period\n**Step-back:** ignored second step-back\nHYDE: Backups are kept 30 days.");

        var rewrites = await Rewriter(server).RewriteAsync("How long are backups kept?", new RewriteTechniques(0, false, true, false), CancellationToken.None);

        // Only the step-back question was asked for: the paraphrase and the HyDE line are ignored.
        Assert.Equal([new RewrittenQuery("stepback", "What is a data retention policy?")], rewrites);
        var (system, _) = Assert.Single(server.Requests);
        Assert.Contains("STEPBACK:", system, StringComparison.Ordinal);
        Assert.DoesNotContain("PARAPHRASE", system, StringComparison.Ordinal);
        Assert.DoesNotContain("HYDE", system, StringComparison.Ordinal);
        Assert.DoesNotContain("SUBQUESTION", system, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_technique_is_switched_per_request_and_the_prompt_sent_asks_only_for_those()
    {
        using var server = new FakeOpenAiServer((_, _) => "SUBQUESTION: apple pie\nSTEPBACK: cherry tart\nPARAPHRASE: apple");

        var response = await Retriever(Rewriter(server)).SearchAsync(
            Bm25("dessert", rewrite: true, new SearchStages { MultiQuery = false, Hyde = false, Decompose = true, StepBack = true }), CancellationToken.None);

        var (system, user) = Assert.Single(server.Requests);
        Assert.Equal("Query: dessert", user);
        Assert.Contains("SUBQUESTION:", system, StringComparison.Ordinal);
        Assert.Contains("STEPBACK:", system, StringComparison.Ordinal);
        Assert.DoesNotContain("PARAPHRASE", system, StringComparison.Ordinal);
        Assert.DoesNotContain("HYDE", system, StringComparison.Ordinal);

        // The sub-question ranks c2 then c1, the step-back question c3: fused, c2 and c3 tie (by id), then c1.
        Assert.Equal(["c2", "c3", "c1"], response.Hits.Select(h => h.Chunk.Id));
        var step = response.Trace!.Steps[0];
        Assert.Contains("2 rewrites (decompose, step-back)", step.Detail, StringComparison.Ordinal);
        Assert.Contains("subquestion: apple pie | stepback: cherry tart", step.Detail, StringComparison.Ordinal);
        Assert.Equal("decompose, step-back", response.Trace.Settings["rewriteTechniques"]);
    }

    [Fact]
    public async Task With_every_technique_switched_off_no_llm_call_is_made()
    {
        using var server = new FakeOpenAiServer((_, user) => Reply(user));

        var response = await Retriever(Rewriter(server)).SearchAsync(
            Bm25("apple", rewrite: true, new SearchStages { MultiQuery = false, Hyde = false, Decompose = false, StepBack = false }), CancellationToken.None);

        Assert.Empty(server.Requests);
        Assert.Equal(["c1", "c2"], response.Hits.Select(h => h.Chunk.Id));
        Assert.Equal("no rewrite technique enabled: original query only", response.Trace!.Steps[0].Detail);
    }

    [Fact]
    public async Task A_rewrite_past_its_budget_falls_back_to_the_original_query_and_the_trace_says_so()
    {
        // The LLM answers after 6 s; with a 200 ms budget the search must come back long before that, with room for a
        // loaded CI machine's first connection and JIT.
        using var server = new FakeOpenAiServer((_, _) =>
        {
            Thread.Sleep(6000);
            return "PARAPHRASE: cherry tart";
        });
        var retriever = new HybridRetriever(
            new InMemoryLexicalIndex([Apple, Pie, Cherry]), new InMemoryVectorIndex(2), new FixedEmbeddingModel(2, new Dictionary<string, float[]>()),
            new InMemoryChunkLookup([Apple, Pie, Cherry]), HybridRetrieverTests.Classic with { RewriteBudgetMs = 200 }, rewriter: Rewriter(server));

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var response = await retriever.SearchAsync(Bm25("apple", rewrite: true), CancellationToken.None);

        Assert.True(clock.ElapsedMilliseconds < 5000, $"took {clock.ElapsedMilliseconds} ms");
        Assert.Equal(["c1", "c2"], response.Hits.Select(h => h.Chunk.Id));
        var step = response.Trace!.Steps[0];
        Assert.False(step.Applied);
        Assert.Contains("timed out after 200 ms: original query only", step.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_query_date_filter_that_leaves_nothing_is_retried_as_a_boost_without_a_second_rewrite_call()
    {
        using var server = new FakeOpenAiServer((_, _) => "PARAPHRASE: apple pie");

        // No chunk here has a document date, so the filter "after 2024" leaves nothing.
        var response = await Retriever(Rewriter(server)).SearchAsync(
            Bm25("apple after 2024", rewrite: true, new SearchStages { QueryUnderstanding = true }), CancellationToken.None);

        Assert.Single(server.Requests);
        Assert.Equal(["c1", "c2"], response.Hits.Select(h => h.Chunk.Id).Order());
        Assert.Contains("paraphrase: apple pie", response.Trace!.Steps[0].Detail, StringComparison.Ordinal);
        Assert.Contains("matched nothing; instead boost", response.Trace.Steps.Single(s => s.Stage == "date-hint").Detail, StringComparison.Ordinal);
    }
}
