using RagService.Core.Chunks;
using RagService.Core.Documents;
using RagService.Core.Indexes;
using RagService.Core.Jobs;
using RagService.Indexing.Catalog;

namespace RagService.Retrieval.Tests;

/// <summary>The lookup over the real SQLite catalog: live chunks resolve, filters become allowed-id sets.</summary>
public sealed class CatalogChunkLookupTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "ragservice-tests", Guid.NewGuid().ToString("N"));
    private readonly SqliteDocumentCatalog _catalog;
    private readonly CatalogChunkLookup _lookup;

    public CatalogChunkLookupTests()
    {
        _catalog = new SqliteDocumentCatalog(Path.Combine(_folder, "catalog.db"));
        Add("a", new Dictionary<string, string> { ["tenant"] = "t1", ["lang"] = "en" }, "a1", "a2");
        Add("b", new Dictionary<string, string> { ["tenant"] = "t2" }, "b1");
        _lookup = new CatalogChunkLookup(_catalog.Chunks);
    }

    [Fact]
    public async Task An_empty_filter_allows_everything_by_returning_null()
    {
        Assert.Null(await _lookup.AllowedChunkIdsAsync(SearchFilter.None, CancellationToken.None));
    }

    [Fact]
    public async Task A_document_filter_allows_that_documents_live_chunks()
    {
        var allowed = await _lookup.AllowedChunkIdsAsync(new SearchFilter { DocumentIds = ["a", "missing"] }, CancellationToken.None);

        Assert.Equal(["a1", "a2"], allowed!.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_tag_filter_keeps_only_chunks_of_documents_with_every_tag()
    {
        Assert.Equal(["a1", "a2"], (await _lookup.AllowedChunkIdsAsync(new SearchFilter { Tags = new Dictionary<string, string> { ["tenant"] = "t1", ["lang"] = "en" } }, CancellationToken.None))!.Order(StringComparer.Ordinal));
        Assert.Empty((await _lookup.AllowedChunkIdsAsync(new SearchFilter { Tags = new Dictionary<string, string> { ["tenant"] = "t2", ["lang"] = "en" } }, CancellationToken.None))!);
    }

    [Fact]
    public async Task A_repeated_filter_follows_every_change_to_acls_tags_documents_and_chunks()
    {
        var reader = new SearchFilter { Principals = new HashSet<string> { "group:sci", "tenant" } };
        async Task<string[]> Allowed() =>
            (await _lookup.AllowedChunkIdsAsync(reader, CancellationToken.None))?.Order(StringComparer.Ordinal).ToArray() ?? ["(all)"];

        // Nothing hidden: no restriction at all.
        Assert.Equal(["(all)"], await Allowed());
        Assert.Equal(["(all)"], await Allowed());

        Assert.True(await _catalog.Jobs.UpdateAccessAsync("b", ["group:restricted"], null, CancellationToken.None));
        Assert.Equal(["a1", "a2"], await Allowed());
        Assert.Equal(["a1", "a2"], await Allowed()); // the same answer again, from the kept set

        Assert.True(await _catalog.Jobs.UpdateAccessAsync("a", ["group:restricted"], null, CancellationToken.None));
        Assert.Empty(await Allowed());

        Assert.True(await _catalog.Jobs.UpdateAccessAsync("b", ["group:sci"], null, CancellationToken.None));
        Assert.Equal(["b1"], await Allowed());

        Add("c", new Dictionary<string, string> { ["tenant"] = "t1" }, "c1");
        Assert.Equal(["b1", "c1"], await Allowed());

        await _catalog.Jobs.DeleteAsync("b", CancellationToken.None);
        Assert.Equal(["c1"], await Allowed());

        var tagged = reader with { Tags = new Dictionary<string, string> { ["lang"] = "en" } };
        Assert.Empty((await _lookup.AllowedChunkIdsAsync(tagged, CancellationToken.None))!);
        Assert.True(await _catalog.Jobs.UpdateAccessAsync("c", null, new Dictionary<string, string> { ["lang"] = "en" }, CancellationToken.None));
        Assert.Equal(["c1"], (await _lookup.AllowedChunkIdsAsync(tagged, CancellationToken.None))!);
    }

    [Fact]
    public async Task Resolve_skips_ids_the_catalog_does_not_know_and_carries_document_tags()
    {
        var resolved = await _lookup.ResolveAsync(["b1", "gone"], CancellationToken.None);
        Assert.Equal(["b1"], resolved.Select(c => c.Id));
        Assert.Equal("t2", resolved[0].Tags["tenant"]);
    }

    private void Add(string documentId, Dictionary<string, string> tags, params string[] chunkIds)
    {
        var status = _catalog.Jobs.EnqueueAsync(new DocumentUpload(documentId, documentId + ".txt", "/nowhere", "hash-" + documentId, 1, DocumentFormat.PlainText, tags), CancellationToken.None)
            .GetAwaiter().GetResult().Status;
        var chunks = chunkIds.Select((id, i) => TestChunks.Create(id, documentId, $"text of {id}", tags) with { Ordinal = i, DocumentVersion = status.Version }).ToList();
        _catalog.Jobs.CommitVersionAsync(new VersionCommit(documentId, status.Version, chunks, []), CancellationToken.None).GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        _catalog.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
