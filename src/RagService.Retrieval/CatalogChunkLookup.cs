using RagService.Core.Chunks;
using RagService.Core.Indexes;
using RagService.Core.Jobs;

namespace RagService.Retrieval;

/// <summary>Resolves chunk ids through the catalog's chunk store, which holds the live chunks of every document.</summary>
/// <remarks>
/// <see cref="IChunkLookup"/> is still synchronous, so this waits on the store's tasks; the SQLite store
/// completes them inline, so nothing blocks on another thread.
/// </remarks>
public sealed class CatalogChunkLookup(IChunkStore chunks) : IChunkLookup
{
    public IReadOnlyList<Chunk> Resolve(IReadOnlyCollection<string> chunkIds) =>
        chunks.GetChunksByIdsAsync(chunkIds, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>The catalog answers filters with one indexed query over documents and their tags.</summary>
    public IReadOnlySet<string>? AllowedChunkIds(SearchFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return chunks.ChunkIdsMatchingAsync(filter, CancellationToken.None).GetAwaiter().GetResult();
    }

    public IReadOnlyList<Chunk> SectionOf(Chunk chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        var section = chunks.GetSectionChunksAsync(chunk.DocumentId, chunk.ParentSectionId, CancellationToken.None).GetAwaiter().GetResult();
        return section.Count == 0 ? [chunk] : section;
    }
}
