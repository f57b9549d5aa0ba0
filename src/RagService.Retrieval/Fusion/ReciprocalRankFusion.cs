namespace RagService.Retrieval.Fusion;

/// <summary>
/// Reciprocal rank fusion (Cormack et al., 2009): score(d) = Σ weightᵢ / (k + rankᵢ(d)), rank 1-based.
/// It uses ranks only, so BM25 scores and cosine similarities need no calibration against each other;
/// k damps the advantage of the very top ranks (60 is the value from the paper and works well on BEIR).
/// </summary>
public sealed class ReciprocalRankFusion : IRankFusion
{
    public const int DefaultK = 60;

    public ReciprocalRankFusion(int k = DefaultK)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        K = k;
    }

    public int K { get; }

    public string Name => "rrf";

    public IReadOnlyList<FusedCandidate> Fuse(IReadOnlyList<RankedList> lists)
    {
        ArgumentNullException.ThrowIfNull(lists);
        var scores = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var list in lists)
        {
            // A retriever should not return an id twice; if one does, only its best rank votes.
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < list.Items.Count; i++)
            {
                var id = list.Items[i].ChunkId;
                if (!seen.Add(id))
                {
                    continue;
                }

                var contribution = list.Weight / (K + i + 1);
                scores[id] = scores.GetValueOrDefault(id) + contribution;
            }
        }

        return FusedOrdering.BestFirst(scores);
    }
}
