using RagService.Core.Chunks;

namespace RagService.Ingestion.Chunking;

/// <summary>
/// Where a section's topic shifts: the similarity of neighbouring units from the topic embedder, and the
/// weakest boundary at which a span over the budget is cut.
/// </summary>
internal static class TopicBoundaries
{
    /// <summary>An intra-paragraph boundary must be this much weaker than a block boundary to be preferred.</summary>
    private const float InsideBlockPenalty = 0.15f;

    /// <summary>Cosine similarity of each pair of neighbouring units (n - 1 values), from one batched embedding call.</summary>
    public static async Task<float[]> SimilaritiesAsync(ITopicEmbedder embedder, IReadOnlyList<ChunkPiece> units, CancellationToken cancellationToken)
    {
        var vectors = await embedder.EmbedAsync(units.Select(u => u.Text).ToList(), cancellationToken).ConfigureAwait(false);
        var sims = new float[Math.Max(0, units.Count - 1)];
        for (var i = 0; i < sims.Length; i++)
        {
            sims[i] = EmbeddingTopicEmbedder.Cosine(vectors[i], vectors[i + 1]);
            if (ReferenceEquals(units[i].Block, units[i + 1].FirstBlock))
            {
                sims[i] += InsideBlockPenalty;
            }
        }

        return sims;
    }

    /// <summary>
    /// The boundary of units [lo, hi) to cut a span over the budget at: the least similar one among those that
    /// do not cost an extra chunk (ties to the more balanced cut), else the least similar one of all.
    /// </summary>
    public static int WeakestBoundary(IReadOnlyList<ChunkPiece> units, float[] sims, int lo, int hi, int total, int budget)
    {
        var needed = (total + budget - 1) / budget;
        int? best = null;
        int? fallback = null;
        var left = 0;
        for (var b = lo + 1; b < hi; b++)
        {
            left += units[b - 1].Tokens;
            var right = total - left;
            var chunks = ((left + budget - 1) / budget) + ((right + budget - 1) / budget);
            if (fallback is null || Cost(b) < Cost(fallback.Value))
            {
                fallback = b;
            }

            if (chunks <= Math.Max(needed, 2) && (best is null || Cost(b) < Cost(best.Value)))
            {
                best = b;
            }

            // Ties go to the more balanced cut.
            float Cost(int at) => sims[at - 1] + (0.001f * Math.Abs(at - ((lo + hi) / 2f)));
        }

        return best ?? fallback ?? lo + 1;
    }
}
