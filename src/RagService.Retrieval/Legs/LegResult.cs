using RagService.Core.Indexes;

namespace RagService.Retrieval.Legs;

/// <summary>One retrieval leg's hits, its search and query-embedding times, and the query vector it searched with (dense legs).</summary>
internal sealed record LegResult(IReadOnlyList<ScoredChunkId> Hits, double SearchMs, double EmbedMs, float[]? QueryVector)
{
    public static LegResult Skipped { get; } = new([], 0, 0, null);
}
