using RagService.Core.Chunks;
using RagService.Core.Indexes;

namespace RagService.Retrieval;

/// <summary>
/// Turns retrieved ids back into live chunks. The indexes only know ids; the document catalog is the
/// truth about which chunk versions are live, so a hit the catalog no longer knows is stale.
/// </summary>
public interface IChunkLookup
{
    /// <summary>The live chunks among <paramref name="chunkIds"/>, in any order; unknown ids are skipped.</summary>
    Task<IReadOnlyList<Chunk>> ResolveAsync(IReadOnlyCollection<string> chunkIds, CancellationToken ct);

    /// <summary>
    /// The ids of the live chunks a filter admits, for the vector index (which cannot evaluate filters
    /// itself); null when <paramref name="filter"/> is empty, meaning "no restriction".
    /// </summary>
    Task<IReadOnlySet<string>?> AllowedChunkIdsAsync(SearchFilter filter, CancellationToken ct);

    /// <summary>
    /// The live chunks of the section <paramref name="chunk"/> belongs to (same document, same
    /// <see cref="Chunk.ParentSectionId"/>), in document order; at least the chunk itself.
    /// </summary>
    Task<IReadOnlyList<Chunk>> SectionOfAsync(Chunk chunk, CancellationToken ct);
}
