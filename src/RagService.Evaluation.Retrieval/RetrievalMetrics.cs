namespace RagService.Evaluation.Retrieval;

/// <summary>One retrieved document of a query's run with the score it was ranked by.</summary>
public readonly record struct RunEntry(string DocumentId, double Score);

/// <summary>Mean metrics at one cutoff over the evaluated queries.</summary>
public sealed record MetricsAtK(int K, double Ndcg, double Mrr, double Recall, double Precision, double Hit);

public sealed record RetrievalEvaluation(int QueryCount, IReadOnlyList<MetricsAtK> Metrics)
{
    public MetricsAtK At(int k) => Metrics.First(m => m.K == k);
}

/// <summary>
/// Ranking metrics computed the way trec_eval (and so pytrec_eval and BEIR) computes them, so numbers
/// are comparable with published results:
/// <list type="bullet">
/// <item>the run is ordered by score (as a float) descending, ties by document id descending (ordinal,
/// which equals trec_eval's strcmp for ASCII ids), whatever order the run came in;</item>
/// <item>nDCG@k: gain is the qrel grade (unjudged or grade ≤ 0 gives 0), discounted by log2(rank + 1);
/// the ideal DCG ranks the query's qrel grades descending, cut at k;</item>
/// <item>relevant means grade &gt; 0 for MRR, recall, precision and hit; precision divides by k
/// even when fewer than k documents were retrieved (trec_eval's P_k).</item>
/// </list>
/// </summary>
public static class RetrievalMetrics
{
    public static double Ndcg(IReadOnlyList<RunEntry> run, IReadOnlyDictionary<string, int> qrels, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        var ranked = TrecOrder(run);
        var dcg = 0.0;
        for (var i = 0; i < ranked.Count && i < k; i++)
        {
            dcg += Gain(qrels, ranked[i].DocumentId) / Math.Log2(i + 2);
        }

        var ideal = 0.0;
        var grades = qrels.Values.Where(g => g > 0).OrderByDescending(g => g).Take(k).ToList();
        for (var i = 0; i < grades.Count; i++)
        {
            ideal += grades[i] / Math.Log2(i + 2);
        }

        return ideal > 0 ? dcg / ideal : 0.0;
    }

    public static double ReciprocalRank(IReadOnlyList<RunEntry> run, IReadOnlyDictionary<string, int> qrels, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        var ranked = TrecOrder(run);
        for (var i = 0; i < ranked.Count && i < k; i++)
        {
            if (IsRelevant(qrels, ranked[i].DocumentId))
            {
                return 1.0 / (i + 1);
            }
        }

        return 0.0;
    }

    public static double Recall(IReadOnlyList<RunEntry> run, IReadOnlyDictionary<string, int> qrels, int k)
    {
        var relevant = qrels.Values.Count(g => g > 0);
        return relevant == 0 ? 0.0 : (double)RelevantInTop(run, qrels, k) / relevant;
    }

    public static double Precision(IReadOnlyList<RunEntry> run, IReadOnlyDictionary<string, int> qrels, int k) =>
        (double)RelevantInTop(run, qrels, k) / k;

    public static double Hit(IReadOnlyList<RunEntry> run, IReadOnlyDictionary<string, int> qrels, int k) =>
        RelevantInTop(run, qrels, k) > 0 ? 1.0 : 0.0;

    /// <summary>
    /// Means over the queries that have qrels. A judged query missing from the run scores 0 on every
    /// metric (trec_eval -c); queries in the run without qrels are ignored.
    /// </summary>
    public static RetrievalEvaluation Evaluate(
        IReadOnlyDictionary<string, IReadOnlyList<RunEntry>> run,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> qrels,
        IReadOnlyList<int> cutoffs)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(qrels);
        ArgumentNullException.ThrowIfNull(cutoffs);
        var results = new List<MetricsAtK>(cutoffs.Count);
        foreach (var k in cutoffs)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
            double ndcg = 0, mrr = 0, recall = 0, precision = 0, hit = 0;
            foreach (var (queryId, judged) in qrels)
            {
                var retrieved = run.TryGetValue(queryId, out var entries) ? entries : [];
                ndcg += Ndcg(retrieved, judged, k);
                mrr += ReciprocalRank(retrieved, judged, k);
                recall += Recall(retrieved, judged, k);
                precision += Precision(retrieved, judged, k);
                hit += Hit(retrieved, judged, k);
            }

            var n = Math.Max(1, qrels.Count);
            results.Add(new MetricsAtK(k, ndcg / n, mrr / n, recall / n, precision / n, hit / n));
        }

        return new RetrievalEvaluation(qrels.Count, results);
    }

    private static int RelevantInTop(IReadOnlyList<RunEntry> run, IReadOnlyDictionary<string, int> qrels, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        var ranked = TrecOrder(run);
        var count = 0;
        for (var i = 0; i < ranked.Count && i < k; i++)
        {
            if (IsRelevant(qrels, ranked[i].DocumentId))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>The run in the order every metric here ranks it (<see cref="TrecOrder"/>): position i is rank i + 1.</summary>
    public static IReadOnlyList<RunEntry> Ranked(IReadOnlyList<RunEntry> run) => TrecOrder(run);

    /// <summary>Score descending, then document id descending; a document listed twice counts once (its best entry).</summary>
    private static List<RunEntry> TrecOrder(IReadOnlyList<RunEntry> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var ordered = run.ToList();
        ordered.Sort(static (a, b) =>
        {
            // trec_eval keeps scores as single-precision floats, so scores equal as floats are ties there;
            // comparing doubles would order them by noise and disagree with pytrec_eval at the cutoff.
            var byScore = ((float)b.Score).CompareTo((float)a.Score);
            return byScore != 0 ? byScore : string.CompareOrdinal(b.DocumentId, a.DocumentId);
        });

        var seen = new HashSet<string>(StringComparer.Ordinal);
        ordered.RemoveAll(entry => !seen.Add(entry.DocumentId));
        return ordered;
    }

    private static double Gain(IReadOnlyDictionary<string, int> qrels, string documentId) =>
        qrels.TryGetValue(documentId, out var grade) && grade > 0 ? grade : 0.0;

    private static bool IsRelevant(IReadOnlyDictionary<string, int> qrels, string documentId) =>
        qrels.TryGetValue(documentId, out var grade) && grade > 0;
}

/// <summary>Latency percentiles by the nearest-rank method: the value at rank ⌈p/100 · n⌉ of the sorted samples.</summary>
public sealed record LatencySummary(int Count, double MeanMs, double P50Ms, double P95Ms, double P99Ms, double MaxMs)
{
    public static LatencySummary FromMilliseconds(IReadOnlyCollection<double> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0)
        {
            return new LatencySummary(0, 0, 0, 0, 0, 0);
        }

        var sorted = samples.Order().ToArray();
        return new LatencySummary(
            sorted.Length,
            sorted.Average(),
            NearestRank(sorted, 50),
            NearestRank(sorted, 95),
            NearestRank(sorted, 99),
            sorted[^1]);
    }

    public static double NearestRank(IReadOnlyList<double> sorted, double percentile)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(percentile);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percentile, 100);
        if (sorted.Count == 0)
        {
            throw new ArgumentException("No samples.", nameof(sorted));
        }

        // p · n first: (p / 100) · n picks up binary rounding (0.95 · 20 is not exactly 19).
        var rank = (int)Math.Ceiling(percentile * sorted.Count / 100.0);
        return sorted[Math.Clamp(rank, 1, sorted.Count) - 1];
    }
}
