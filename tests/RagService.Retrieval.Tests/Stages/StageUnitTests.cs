using RagService.Core.Indexes;
using RagService.Retrieval.Fusion;
using RagService.Retrieval.Hygiene;
using RagService.Retrieval.Legs;
using RagService.Retrieval.QueryUnderstanding;
using RagService.Retrieval.Routing;
using RagService.Retrieval.SecondStage;

namespace RagService.Retrieval.Tests.Stages;

public sealed class StageUnitTests
{
    [Fact]
    public void Routing_leans_on_bm25_for_identifiers_and_on_dense_for_questions()
    {
        var options = new RetrievalOptions();

        var id = IntentRouter.Route(QueryAnalyzer.Analyze("INC-20431 outage"), options, 1, 1);
        var question = IntentRouter.Route(QueryAnalyzer.Analyze("why do backups fail at night"), options, 1, 1);
        var statement = IntentRouter.Route(QueryAnalyzer.Analyze("Backups fail at night when the disk is full."), options, 1, 1);

        Assert.True(id.Bm25 > id.Dense);
        Assert.True(question.Dense > question.Bm25);
        Assert.Equal((1.0, 1.0), (statement.Bm25, statement.Dense));
    }

    [Fact]
    public void Z_score_fusion_weights_each_lists_standardised_votes()
    {
        // x: a +1, b −1 (weight 1); y: b +1, a −1 (weight 3).
        var fused = new ZScoreFusion().Fuse([new RankedList("x", [new("a", 3), new("b", 1)]), new RankedList("y", [new("b", 5), new("a", 1)], 3)]);

        Assert.Equal(["b", "a"], fused.Select(f => f.ChunkId));
        Assert.Equal(2.0, fused[0].Score, 9);
        Assert.Equal(-2.0, fused[1].Score, 9);
    }

    [Fact]
    public void A_chunk_missing_from_a_list_gets_that_lists_lowest_z_score()
    {
        var fused = new ZScoreFusion().Fuse([new RankedList("x", [new("a", 3), new("b", 1)]), new RankedList("y", [new("c", 5), new("a", 1)])]);

        // x: a +1, b −1; y: c +1, a −1. Missing: b gets y's floor (−1), c gets x's floor (−1).
        Assert.Equal(0.0, fused.Single(f => f.ChunkId == "a").Score, 9);
        Assert.Equal(-2.0, fused.Single(f => f.ChunkId == "b").Score, 9);
        Assert.Equal(0.0, fused.Single(f => f.ChunkId == "c").Score, 9);
    }

    [Fact]
    public void Prf_expands_with_terms_the_feedback_passages_share_and_the_query_lacks()
    {
        var feedback = new List<(string, double)>
        {
            ("vitamin D deficiency raises fracture risk in elderly women", 12),
            ("fracture risk and bone density in elderly patients with vitamin D deficiency", 10),
            ("calcium intake and bone density", 4),
        };

        var terms = PseudoRelevanceFeedback.ExpansionTerms("vitamin D and fractures", feedback, 3).Select(t => t.Term).ToList();

        Assert.Contains("fracture", terms);
        Assert.Contains("deficiency", terms);
        Assert.DoesNotContain("vitamin", terms);
        Assert.DoesNotContain("and", terms);
        Assert.Equal("vitamin D and fractures deficiency", PseudoRelevanceFeedback.ExpandedQuery("vitamin D and fractures", [("deficiency", 1)]));
    }

    [Fact]
    public void The_second_stage_promotes_a_candidate_every_signal_likes()
    {
        // c is third by BM25 but first by both embedding models: the weighted sum puts it first.
        CandidateSignals[] candidates =
        [
            new("a", 12, 0.30, 0.31),
            new("b", 11, 0.35, 0.30),
            new("c", 10, 0.80, 0.75),
            new("d", null, 0.20, 0.10),
        ];

        var ranked = CandidateRescorer.Rescore(candidates, 1, 1, 1, "zscore");

        Assert.Equal(["c", "a", "b", "d"], ranked.Select(r => r.ChunkId));
        Assert.Equal(["c", "a", "b", "d"], CandidateRescorer.Rescore(candidates, 1, 1, 1, "minmax").Select(r => r.ChunkId));
        Assert.Equal("a", CandidateRescorer.Rescore(candidates, 1, 0, 0, "zscore")[0].ChunkId);
    }

    [Fact]
    public void Near_duplicates_move_below_the_distinct_hits()
    {
        string[] texts =
        [
            "Backups are kept for thirty days in the primary region.",
            "Backups are kept for thirty days in the primary region!",
            "Restores are tested every quarter by the operations team.",
            "Encryption keys rotate yearly.",
        ];

        var (order, demoted) = NearDuplicateSuppressor.Reorder(texts, 0.85);

        Assert.Equal([0, 2, 3, 1], order);
        Assert.Equal(1, demoted);
    }
}
