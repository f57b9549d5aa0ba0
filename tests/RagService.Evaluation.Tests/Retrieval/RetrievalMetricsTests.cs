using RagService.Evaluation.Retrieval;

namespace RagService.Evaluation.Tests.Retrieval;

public sealed class RetrievalMetricsTests
{
    // Graded qrels: d1 grade 1, d3 grade 2, d4 grade 1 (never retrieved), d2 judged non-relevant.
    private static readonly Dictionary<string, int> Qrels = new() { ["d1"] = 1, ["d2"] = 0, ["d3"] = 2, ["d4"] = 1 };

    // Deliberately not in rank order: metrics must sort by score.
    private static readonly RunEntry[] Run = [new("d3", 1.0), new("d1", 3.0), new("d2", 2.0)];

    [Fact]
    public void Ndcg_of_a_three_document_ranking_matches_the_hand_computed_value()
    {
        // DCG@3 = 1/log2(2) + 0/log2(3) + 2/log2(4) = 2.
        // IDCG@3 = 2/log2(2) + 1/log2(3) + 1/log2(4) = 2 + 0.6309298 + 0.5 = 3.1309298.
        Assert.Equal(2.0 / (2.0 + 1.0 / Math.Log2(3) + 0.5), RetrievalMetrics.Ndcg(Run, Qrels, 3), 12);
        Assert.Equal(0.6387879, RetrievalMetrics.Ndcg(Run, Qrels, 3), 6);

        // @1: DCG 1, IDCG 2.
        Assert.Equal(0.5, RetrievalMetrics.Ndcg(Run, Qrels, 1), 12);
    }

    [Fact]
    public void Mrr_recall_precision_and_hit_count_grade_above_zero_as_relevant()
    {
        Assert.Equal(1.0, RetrievalMetrics.ReciprocalRank(Run, Qrels, 3));
        Assert.Equal(2.0 / 3, RetrievalMetrics.Recall(Run, Qrels, 3), 12);
        Assert.Equal(1.0 / 3, RetrievalMetrics.Recall(Run, Qrels, 1), 12);
        Assert.Equal(2.0 / 3, RetrievalMetrics.Precision(Run, Qrels, 3), 12);

        // trec_eval's P@k divides by k even when fewer were retrieved.
        Assert.Equal(0.2, RetrievalMetrics.Precision(Run, Qrels, 10), 12);
        Assert.Equal(1.0, RetrievalMetrics.Hit(Run, Qrels, 1));

        var missFirst = new RunEntry[] { new("d2", 5), new("x", 4), new("d3", 3) };
        Assert.Equal(1.0 / 3, RetrievalMetrics.ReciprocalRank(missFirst, Qrels, 10), 12);
        Assert.Equal(0.0, RetrievalMetrics.ReciprocalRank(missFirst, Qrels, 2));
        Assert.Equal(0.0, RetrievalMetrics.Hit(missFirst, Qrels, 2));
    }

    [Fact]
    public void Score_ties_are_broken_by_document_id_descending_like_trec_eval()
    {
        var tied = new RunEntry[] { new("a", 1.0), new("b", 1.0) };
        var qrels = new Dictionary<string, int> { ["a"] = 1 };

        // trec_eval ranks "b" above "a", so the relevant document is at rank 2.
        Assert.Equal(0.0, RetrievalMetrics.Ndcg(tied, qrels, 1));
        Assert.Equal(0.5, RetrievalMetrics.ReciprocalRank(tied, qrels, 2));
        Assert.Equal(1.0 / Math.Log2(3), RetrievalMetrics.Ndcg(tied, qrels, 2), 12);
    }

    [Fact]
    public void Scores_equal_in_single_precision_are_ties_as_in_trec_eval()
    {
        var nearlyTied = new RunEntry[] { new("a", 0.5 + 1e-12), new("b", 0.5) };
        var qrels = new Dictionary<string, int> { ["a"] = 1 };

        Assert.Equal(0.5, RetrievalMetrics.ReciprocalRank(nearlyTied, qrels, 10));
    }

    [Fact]
    public void A_query_without_relevant_documents_scores_zero()
    {
        var qrels = new Dictionary<string, int> { ["d1"] = 0 };

        Assert.Equal(0.0, RetrievalMetrics.Ndcg(Run, qrels, 10));
        Assert.Equal(0.0, RetrievalMetrics.Recall(Run, qrels, 10));
    }

    [Fact]
    public void Evaluate_averages_over_queries_with_qrels_and_scores_unanswered_ones_zero()
    {
        var run = new Dictionary<string, IReadOnlyList<RunEntry>>
        {
            ["q1"] = Run,
            ["q-unjudged"] = [new("d1", 1)],
        };
        var qrels = new Dictionary<string, IReadOnlyDictionary<string, int>>
        {
            ["q1"] = Qrels,
            ["q-missing"] = new Dictionary<string, int> { ["d9"] = 1 },
        };

        var evaluation = RetrievalMetrics.Evaluate(run, qrels, [1, 3]);

        Assert.Equal(2, evaluation.QueryCount);
        var at3 = evaluation.At(3);
        Assert.Equal(0.6387879 / 2, at3.Ndcg, 6);
        Assert.Equal(0.5, at3.Mrr, 12);
        Assert.Equal(1.0 / 3, at3.Recall, 12);
        Assert.Equal(1.0 / 3, at3.Precision, 12);
        Assert.Equal(0.5, at3.Hit, 12);
        Assert.Equal(0.25, evaluation.At(1).Ndcg, 12);
    }

    [Fact]
    public void Latency_percentiles_use_the_nearest_rank()
    {
        var samples = Enumerable.Range(1, 20).Select(i => (double)i).Reverse().ToArray();

        var summary = LatencySummary.FromMilliseconds(samples);

        // ranks ⌈0.50·20⌉ = 10, ⌈0.95·20⌉ = 19, ⌈0.99·20⌉ = 20.
        Assert.Equal((10.0, 19.0, 20.0, 20.0, 10.5), (summary.P50Ms, summary.P95Ms, summary.P99Ms, summary.MaxMs, summary.MeanMs));
        Assert.Equal(7.0, LatencySummary.NearestRank([7.0], 99));
        Assert.Equal(0, LatencySummary.FromMilliseconds([]).Count);
    }
}
