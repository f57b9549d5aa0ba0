namespace RagService.Retrieval.Fusion;

/// <summary>
/// Weighted sum of z-score normalised scores: score(d) = Σ weightᵢ · (sᵢ(d) − meanᵢ) / sdᵢ. Unlike
/// min-max, one outlier at the top does not squash the rest of the list. A chunk missing from a list
/// gets that list's lowest z-score (it scored at most as well as the last candidate returned).
/// </summary>
public sealed class ZScoreFusion : IRankFusion
{
    public string Name => "zscore";

    public IReadOnlyList<FusedCandidate> Fuse(IReadOnlyList<RankedList> lists)
    {
        ArgumentNullException.ThrowIfNull(lists);
        var perList = new List<(Dictionary<string, double> Z, double Floor, double Weight)>();
        var all = new HashSet<string>(StringComparer.Ordinal);
        foreach (var list in lists)
        {
            if (list.Items.Count == 0)
            {
                continue;
            }

            var mean = list.Items.Average(i => (double)i.Score);
            var variance = list.Items.Average(i => ((double)i.Score - mean) * ((double)i.Score - mean));
            var sd = Math.Sqrt(variance);
            var z = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var item in list.Items)
            {
                z.TryAdd(item.ChunkId, sd > 0 ? (item.Score - mean) / sd : 0.0);
                all.Add(item.ChunkId);
            }

            perList.Add((z, z.Values.Min(), list.Weight));
        }

        var scores = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var id in all)
        {
            var score = 0.0;
            foreach (var (z, floor, weight) in perList)
            {
                score += weight * (z.TryGetValue(id, out var v) ? v : floor);
            }

            scores[id] = score;
        }

        return FusedOrdering.BestFirst(scores);
    }
}
