using RagService.Core.Chunks;
using RagService.Core.Indexes;
using RagService.Core.Jobs;

namespace RagService.Retrieval;

/// <summary>Resolves chunk ids through the catalog's chunk store, which holds the live chunks of every document.</summary>
public sealed class CatalogChunkLookup(IChunkStore chunks) : IChunkLookup
{
    public Task<IReadOnlyList<Chunk>> ResolveAsync(IReadOnlyCollection<string> chunkIds, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(chunkIds);
        return chunks.GetChunksByIdsAsync(chunkIds, ct);
    }

    /// <summary>The catalog answers filters with one indexed query over documents and their tags.</summary>
    public Task<IReadOnlySet<string>?> AllowedChunkIdsAsync(SearchFilter filter, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return chunks.ChunkIdsMatchingAsync(filter, ct);
    }

    public async Task<IReadOnlyList<Chunk>> SectionOfAsync(Chunk chunk, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        var section = await chunks.GetSectionChunksAsync(chunk.DocumentId, chunk.ParentSectionId, ct).ConfigureAwait(false);
        return section.Count == 0 ? [chunk] : section;
    }
}
