namespace RagService.Retrieval.Fusion;

/// <summary>
/// Convex combination of min-max normalised scores: score(d) = Σ weightᵢ · (sᵢ(d) − minᵢ) / (maxᵢ − minᵢ).
/// Normalising per list puts BM25 (unbounded) and cosine (−1..1) on the same 0..1 scale; a chunk
/// missing from a list contributes 0 for it. When every score in a list is equal (or the list has one
/// item) there is no spread to normalise, so each of its items counts as 1.
/// </summary>
public sealed class WeightedScoreFusion : IRankFusion
{
    public string Name => "weighted";

    public IReadOnlyList<FusedCandidate> Fuse(IReadOnlyList<RankedList> lists)
    {
        ArgumentNullException.ThrowIfNull(lists);
        var scores = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var list in lists)
        {
            if (list.Items.Count == 0)
            {
                continue;
            }

            var min = double.PositiveInfinity;
            var max = double.NegativeInfinity;
            foreach (var item in list.Items)
            {
                min = Math.Min(min, item.Score);
                max = Math.Max(max, item.Score);
            }

            var spread = max - min;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var item in list.Items)
            {
                if (!seen.Add(item.ChunkId))
                {
                    continue;
                }

                var normalised = spread > 0 ? (item.Score - min) / spread : 1.0;
                scores[item.ChunkId] = scores.GetValueOrDefault(item.ChunkId) + list.Weight * normalised;
            }
        }

        return FusedOrdering.BestFirst(scores);
    }
}
