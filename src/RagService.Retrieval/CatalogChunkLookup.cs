using RagService.Core.Chunks;
using RagService.Core.Indexes;
using RagService.Core.Jobs;

namespace RagService.Retrieval;

/// <summary>Resolves chunk ids through the document catalog, which holds the live chunks of every document.</summary>
public sealed class CatalogChunkLookup(IDocumentCatalog catalog) : IChunkLookup
{
    public IReadOnlyList<Chunk> Resolve(IReadOnlyCollection<string> chunkIds) => catalog.GetChunksByIds(chunkIds);

    /// <summary>The catalog answers filters with one indexed query over documents and their tags.</summary>
    public IReadOnlySet<string>? AllowedChunkIds(SearchFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return catalog.ChunkIdsMatching(filter);
    }

    public IReadOnlyList<Chunk> SectionOf(Chunk chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        var section = catalog.GetSectionChunks(chunk.DocumentId, chunk.ParentSectionId);
        return section.Count == 0 ? [chunk] : section;
    }
}
