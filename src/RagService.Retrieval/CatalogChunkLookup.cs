using RagService.Core.Chunks;
using RagService.Core.Indexes;
using RagService.Core.Jobs;

namespace RagService.Retrieval;

/// <summary>Resolves chunk ids through the document catalog, which holds the live chunks of every document.</summary>
public sealed class CatalogChunkLookup(IDocumentCatalog catalog) : IChunkLookup
{
    private const int PageSize = 500;

    public IReadOnlyList<Chunk> Resolve(IReadOnlyCollection<string> chunkIds) => catalog.GetChunksByIds(chunkIds);

    public IReadOnlySet<string>? AllowedChunkIds(SearchFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (filter.IsEmpty)
        {
            return null;
        }

        var allowed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var documentId in CandidateDocuments(filter))
        {
            foreach (var chunk in catalog.GetChunks(documentId))
            {
                if (filter.Matches(chunk))
                {
                    allowed.Add(chunk.Id);
                }
            }
        }

        return allowed;
    }

    private IEnumerable<string> CandidateDocuments(SearchFilter filter)
    {
        if (filter.DocumentIds is { Count: > 0 } ids)
        {
            return ids.Distinct(StringComparer.Ordinal);
        }

        // A tag-only filter has no index over tags in the catalog contract, so every document is visited;
        // chunk tags are checked with SearchFilter.Matches, the same rule the lexical index applies.
        return AllDocuments();
    }

    private IEnumerable<string> AllDocuments()
    {
        for (var offset = 0; ; offset += PageSize)
        {
            var page = catalog.List(offset, PageSize);
            foreach (var status in page)
            {
                yield return status.DocumentId;
            }

            if (page.Count < PageSize)
            {
                yield break;
            }
        }
    }
}
