using RagService.Core.Chunks;
using RagService.Core.Documents;
using RagService.Core.Indexes;
using RagService.Core.Jobs;
using RagService.Indexing.Catalog;
using RagService.Indexing.Lexical.Lucene;
using RagService.Indexing.Vectors.Embedded;

namespace RagService.Indexing.Tests;

/// <summary>Writes through the index store reach both real indexes before the catalog makes them live.</summary>
public sealed class IndexStoreTests : IDisposable
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "ragservice-tests", Guid.NewGuid().ToString("N"));
    private readonly IndexStore _store;

    public IndexStoreTests()
    {
        _store = new IndexStore("kb", _folder, new IndexSettings { Dimensions = 4 },
            new SqliteDocumentCatalog(Path.Combine(_folder, "catalog.db")),
            new LuceneLexicalIndex(Path.Combine(_folder, "lexical")),
            new USearchVectorIndex(Path.Combine(_folder, "vectors"), new USearchVectorIndexOptions { Dimensions = 4 }));
    }

    [Fact]
    public async Task A_written_version_is_searchable_on_both_sides_and_the_next_version_replaces_it()
    {
        await _store.Catalog.Jobs.EnqueueAsync(Upload("doc", "h1"), Ct);
        await _store.WriteAsync([Prepared("doc", 1, "walrus tusks", [1, 0, 0, 0])], Ct);
        Assert.Equal(DocumentState.Ready, (await _store.Catalog.Jobs.GetAsync("doc", Ct))!.State);
        var v1 = (await _store.Catalog.Chunks.ChunkIdsOfAsync("doc", Ct)).Single();
        Assert.Equal(v1, (await _store.Lexical.SearchAsync("walrus", 5, SearchFilter.None, Ct)).Single().ChunkId);
        Assert.Equal(v1, (await _store.Vectors.SearchAsync([1, 0, 0, 0], 5, null, Ct)).Single().ChunkId);

        await _store.Catalog.Jobs.EnqueueAsync(Upload("doc", "h2"), Ct);
        await _store.WriteAsync([Prepared("doc", 2, "narwhal horns", [0, 1, 0, 0])], Ct);
        var v2 = (await _store.Catalog.Chunks.ChunkIdsOfAsync("doc", Ct)).Single();
        Assert.NotEqual(v1, v2);
        Assert.Empty(await _store.Lexical.SearchAsync("walrus", 5, SearchFilter.None, Ct));
        Assert.Equal([v2], (await _store.Vectors.SearchAsync([1, 0, 0, 0], 5, null, Ct)).Select(h => h.ChunkId));

        Assert.True(await _store.DeleteAsync("doc", Ct));
        Assert.Empty(await _store.Lexical.SearchAsync("narwhal", 5, SearchFilter.None, Ct));
        Assert.Empty(await _store.Vectors.SearchAsync([0, 1, 0, 0], 5, null, Ct));
        Assert.False(await _store.DeleteAsync("doc", Ct));
    }

    [Fact]
    public async Task A_version_prepared_before_a_delete_or_a_newer_upload_is_not_written()
    {
        await _store.Catalog.Jobs.EnqueueAsync(Upload("gone", "h1"), Ct);
        await _store.Catalog.Jobs.EnqueueAsync(Upload("old", "h1"), Ct);
        var stale = Prepared("old", 1, "obsolete platypus", [0, 0, 1, 0]);
        var deleted = Prepared("gone", 1, "vanished quokka", [0, 0, 0, 1]);
        await _store.Catalog.Jobs.EnqueueAsync(Upload("old", "h2"), Ct);
        await _store.DeleteAsync("gone", Ct);

        await _store.WriteAsync([stale, deleted], Ct);

        Assert.Empty(await _store.Lexical.SearchAsync("platypus", 5, SearchFilter.None, Ct));
        Assert.Empty(await _store.Lexical.SearchAsync("quokka", 5, SearchFilter.None, Ct));
        Assert.Equal(0, _store.Vectors.Count);
        Assert.Equal(DocumentState.Queued, (await _store.Catalog.Jobs.GetAsync("old", Ct))!.State);
    }

    private static DocumentUpload Upload(string id, string hash) =>
        new(id, id + ".txt", "/blobs/" + hash, hash, 10, DocumentFormat.PlainText, new Dictionary<string, string>());

    private static PreparedDocument Prepared(string id, int version, string text, float[] vector)
    {
        var chunk = new Chunk
        {
            Id = ChunkIdentity.Create("kb", id, version, 0),
            DocumentId = id,
            DocumentVersion = version,
            Ordinal = 0,
            Text = text,
            IndexText = text,
            ContentHash = ChunkIdentity.ContentHash(text),
        };
        return new PreparedDocument(id, version, [chunk], [vector]);
    }

    public void Dispose()
    {
        _store.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
