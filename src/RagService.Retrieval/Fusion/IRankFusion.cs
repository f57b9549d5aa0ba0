using RagService.Core.Indexes;

namespace RagService.Retrieval.Fusion;

/// <summary>
/// One retriever's candidates in rank order (index 0 is rank 1) and the weight its votes carry.
/// </summary>
public sealed record RankedList(string Name, IReadOnlyList<ScoredChunkId> Items, double Weight = 1.0);

/// <summary>A chunk id with its fused score; higher is better.</summary>
public readonly record struct FusedCandidate(string ChunkId, double Score);

/// <summary>Merges several ranked candidate lists into one ranking.</summary>
public interface IRankFusion
{
    /// <summary>The name reported in traces and eval results, e.g. "rrf".</summary>
    string Name { get; }

    /// <summary>
    /// Returns every chunk id that appears in any list, best first. Equal scores are ordered by chunk id
    /// (ordinal) so that a ranking is reproducible run to run.
    /// </summary>
    IReadOnlyList<FusedCandidate> Fuse(IReadOnlyList<RankedList> lists);
}

internal static class FusedOrdering
{
    public static IReadOnlyList<FusedCandidate> BestFirst(Dictionary<string, double> scores)
    {
        var fused = new List<FusedCandidate>(scores.Count);
        foreach (var (id, score) in scores)
        {
            fused.Add(new FusedCandidate(id, score));
        }

        fused.Sort(static (a, b) =>
        {
            var byScore = b.Score.CompareTo(a.Score);
            return byScore != 0 ? byScore : string.CompareOrdinal(a.ChunkId, b.ChunkId);
        });
        return fused;
    }
}
