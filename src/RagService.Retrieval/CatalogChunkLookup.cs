using RagService.Core.Chunks;
using RagService.Core.Indexes;
using RagService.Core.Jobs;

namespace RagService.Retrieval;

/// <summary>
/// Resolves chunk ids through the document catalog, which holds the live chunks of every document. The
/// catalog answers synchronously from its local database; these calls only read.
/// </summary>
public sealed class CatalogChunkLookup(IDocumentCatalog catalog) : IChunkLookup
{
    public Task<IReadOnlyList<Chunk>> ResolveAsync(IReadOnlyCollection<string> chunkIds, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(chunkIds);
        ct.ThrowIfCancellationRequested();
        return Task.FromResult(catalog.GetChunksByIds(chunkIds));
    }

    /// <summary>The catalog answers filters with one indexed query over documents and their tags.</summary>
    public Task<IReadOnlySet<string>?> AllowedChunkIdsAsync(SearchFilter filter, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ct.ThrowIfCancellationRequested();
        return Task.FromResult(catalog.ChunkIdsMatching(filter));
    }

    public Task<IReadOnlyList<Chunk>> SectionOfAsync(Chunk chunk, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        ct.ThrowIfCancellationRequested();
        var section = catalog.GetSectionChunks(chunk.DocumentId, chunk.ParentSectionId);
        return Task.FromResult<IReadOnlyList<Chunk>>(section.Count == 0 ? [chunk] : section);
    }
}
