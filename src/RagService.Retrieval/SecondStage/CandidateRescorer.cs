namespace RagService.Retrieval.SecondStage;

/// <summary>One candidate's scores from each signal; null when a signal has no score for it.</summary>
public sealed record CandidateSignals(string ChunkId, double? Bm25, double? Dense, double? SecondDense);

/// <summary>
/// The second stage: a weighted sum of BM25 and two embedding models' cosines, each normalised over
/// the candidate set (z-score by default). Scores all candidates on every signal rather than trusting
/// each retriever's truncated list, which is what lifts it above first-stage fusion. A candidate without
/// a score for a signal takes that signal's lowest observed value.
/// </summary>
public static class CandidateRescorer
{
    public static IReadOnlyList<(string ChunkId, double Score)> Rescore(
        IReadOnlyList<CandidateSignals> candidates, double bm25Weight, double denseWeight, double secondWeight, string normalisation)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        var zscore = !string.Equals(normalisation, "minmax", StringComparison.OrdinalIgnoreCase);
        var bm25 = Normalise(candidates.Select(c => c.Bm25).ToArray(), zscore);
        var dense = Normalise(candidates.Select(c => c.Dense).ToArray(), zscore);
        var second = Normalise(candidates.Select(c => c.SecondDense).ToArray(), zscore);
        var scored = new List<(string, double)>(candidates.Count);
        for (var i = 0; i < candidates.Count; i++)
        {
            scored.Add((candidates[i].ChunkId, (bm25Weight * bm25[i]) + (denseWeight * dense[i]) + (secondWeight * second[i])));
        }

        scored.Sort(static (a, b) =>
        {
            var byScore = b.Item2.CompareTo(a.Item2);
            return byScore != 0 ? byScore : string.CompareOrdinal(a.Item1, b.Item1);
        });
        return scored;
    }

    private static double[] Normalise(double?[] values, bool zscore)
    {
        var present = values.Where(v => v.HasValue).Select(v => v!.Value).ToArray();
        var result = new double[values.Length];
        if (present.Length == 0)
        {
            return result;
        }

        var floor = present.Min();
        if (zscore)
        {
            var mean = present.Average();
            var sd = Math.Sqrt(present.Average(v => (v - mean) * (v - mean)));
            for (var i = 0; i < values.Length; i++)
            {
                result[i] = sd > 0 ? ((values[i] ?? floor) - mean) / sd : 0;
            }
        }
        else
        {
            var spread = present.Max() - floor;
            for (var i = 0; i < values.Length; i++)
            {
                result[i] = spread > 0 ? ((values[i] ?? floor) - floor) / spread : 1;
            }
        }

        return result;
    }
}
