using RagService.Core.Chunks;
using RagService.Core.Indexes;
using RagService.Core.Jobs;

namespace RagService.Retrieval.Tests;

public sealed class CatalogChunkLookupTests
{
    private static readonly Chunk A1 = TestChunks.Create("a1", "a", "alpha one", new Dictionary<string, string> { ["tenant"] = "t1" });
    private static readonly Chunk A2 = TestChunks.Create("a2", "a", "alpha two", new Dictionary<string, string> { ["tenant"] = "t1", ["lang"] = "en" });
    private static readonly Chunk B1 = TestChunks.Create("b1", "b", "beta one", new Dictionary<string, string> { ["tenant"] = "t2" });

    private readonly CatalogChunkLookup lookup = new(new ListedCatalog([A1, A2, B1]));

    [Fact]
    public void An_empty_filter_allows_everything_by_returning_null()
    {
        Assert.Null(lookup.AllowedChunkIds(SearchFilter.None));
    }

    [Fact]
    public void A_document_filter_allows_that_documents_live_chunks()
    {
        var allowed = lookup.AllowedChunkIds(new SearchFilter { DocumentIds = ["a", "missing"] });

        Assert.Equal(["a1", "a2"], allowed!.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_tag_filter_visits_every_document_and_keeps_matching_chunks()
    {
        var allowed = lookup.AllowedChunkIds(new SearchFilter { Tags = new Dictionary<string, string> { ["tenant"] = "t1", ["lang"] = "en" } });

        Assert.Equal(["a2"], allowed);
    }

    [Fact]
    public void Resolve_skips_ids_the_catalog_does_not_know()
    {
        Assert.Equal(["b1"], lookup.Resolve(["b1", "gone"]).Select(c => c.Id));
    }

    /// <summary>Just enough of a catalog for lookups: documents and their live chunks.</summary>
    private sealed class ListedCatalog(IReadOnlyList<Chunk> chunks) : IDocumentCatalog
    {
        public IReadOnlyList<DocumentStatus> List(int offset, int limit) =>
            chunks.Select(c => c.DocumentId).Distinct().Skip(offset).Take(limit)
                .Select(id => new DocumentStatus { DocumentId = id, Version = 1, FileName = id, ContentHash = id })
                .ToList();

        public IReadOnlyList<Chunk> GetChunks(string documentId) => chunks.Where(c => c.DocumentId == documentId).ToList();

        public IReadOnlyList<Chunk> GetChunksByIds(IReadOnlyCollection<string> chunkIds) => chunks.Where(c => chunkIds.Contains(c.Id)).ToList();

        public int Count() => List(0, int.MaxValue).Count;

        public EnqueueResult Enqueue(DocumentUpload upload) => throw new NotSupportedException();

        public DocumentStatus? Get(string documentId) => throw new NotSupportedException();

        public IReadOnlyList<DocumentStatus> Unfinished() => throw new NotSupportedException();

        public DocumentUpload? GetUpload(string documentId) => throw new NotSupportedException();

        public void UpdateProgress(string documentId, int version, DocumentState state, double progress, string? title = null, int? pageCount = null) =>
            throw new NotSupportedException();

        public void MarkFailed(string documentId, int version, string failedStep, string error) => throw new NotSupportedException();

        public void CommitVersion(string documentId, int version, IReadOnlyList<Chunk> chunks) => throw new NotSupportedException();

        public IReadOnlyList<string>? Delete(string documentId) => throw new NotSupportedException();

        public IReadOnlyList<string> ChunkIdsOf(string documentId) => throw new NotSupportedException();

        public void Dispose()
        {
        }
    }
}
