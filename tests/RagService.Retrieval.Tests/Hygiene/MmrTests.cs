using RagService.Core.Chunks;
using RagService.Core.Search;
using RagService.Retrieval.Hygiene;
using RagService.Retrieval.Tests.InMemory;

namespace RagService.Retrieval.Tests.Hygiene;

public sealed class MmrTests
{
    private static readonly string[] Texts =
    [
        "backup retention is thirty days for every server",
        "backup retention is thirty days for every server and laptop",
        "restores are approved by the IT lead",
    ];

    [Fact]
    public void A_lower_lambda_moves_a_candidate_that_repeats_a_better_one_below_a_distinct_one()
    {
        var (order, moved) = MaximalMarginalRelevance.Reorder(Texts, [1.0, 0.9, 0.5], lambda: 0.5, window: 10);

        Assert.Equal([0, 2, 1], order);
        Assert.Equal(2, moved);
    }

    [Fact]
    public void Lambda_one_keeps_the_relevance_order_and_the_tail_past_the_window_stays_in_place()
    {
        Assert.Equal([0, 1, 2], MaximalMarginalRelevance.Reorder(Texts, [1.0, 0.9, 0.5], lambda: 1, window: 10).Order);
        Assert.Equal([0, 1, 2], MaximalMarginalRelevance.Reorder(Texts, [1.0, 0.9, 0.5], lambda: 0.5, window: 2).Order);
    }

    [Fact]
    public void Similarity_is_the_cosine_of_term_counts_and_handles_chinese()
    {
        Assert.Equal(1, MaximalMarginalRelevance.Similarity("a b c", "c b a"), 6);
        Assert.Equal(0, MaximalMarginalRelevance.Similarity("apple", "cherry"));
        Assert.True(MaximalMarginalRelevance.Similarity("备份保留三十天", "备份保留六十天") > 0.3);
    }

    [Fact]
    public async Task Mmr_replaces_near_duplicate_suppression_when_a_request_switches_it_on()
    {
        // BM25 for "backup retention days": a 3, d 3 (a copy of a), b 2; dense is silent (zero query vector).
        var a = TestChunks.Create("a", "d1", "backup retention days policy");
        var b = TestChunks.Create("b", "d2", "backup retention schedule");
        var d = TestChunks.Create("d", "d4", "backup retention days policy!");
        var retriever = new HybridRetriever(
            new InMemoryLexicalIndex([a, b, d]), new InMemoryVectorIndex(2), new FixedEmbeddingModel(2, new Dictionary<string, float[]>()),
            new InMemoryChunkLookup([a, b, d]), HybridRetrieverTests.Classic with { Deduplicate = true });
        var request = new SearchRequest { Query = "backup retention days", Mode = SearchMode.Bm25, IncludeTrace = true };

        var relevance = await retriever.SearchAsync(request with { Stages = new SearchStages { Deduplicate = false } }, CancellationToken.None);
        var mmr = await retriever.SearchAsync(request with { Stages = new SearchStages { Mmr = true, MmrLambda = 0.2 } }, CancellationToken.None);

        Assert.Equal(["a", "d", "b"], relevance.Hits.Select(h => h.Chunk.Id));
        Assert.Equal(["a", "b", "d"], mmr.Hits.Select(h => h.Chunk.Id));
        var steps = mmr.Trace!.Steps;
        Assert.Equal(("dedup", false, "replaced by mmr"), (steps[^2].Stage, steps[^2].Applied, steps[^2].Detail));
        Assert.Equal(("mmr", true), (steps[^1].Stage, steps[^1].Applied));
        Assert.Contains("λ=0.2", steps[^1].Detail, StringComparison.Ordinal);
        Assert.Equal("mmr", mmr.Trace.Settings["hygiene"]);
    }
}
