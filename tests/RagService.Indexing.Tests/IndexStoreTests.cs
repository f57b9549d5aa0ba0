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
    public void A_written_version_is_searchable_on_both_sides_and_the_next_version_replaces_it()
    {
        _store.Catalog.Enqueue(Upload("doc", "h1"));
        _store.Write([Prepared("doc", 1, "walrus tusks", [1, 0, 0, 0])]);
        Assert.Equal(DocumentState.Ready, _store.Catalog.Get("doc")!.State);
        var v1 = _store.Catalog.ChunkIdsOf("doc").Single();
        Assert.Equal(v1, _store.Lexical.Search("walrus", 5, SearchFilter.None).Single().ChunkId);
        Assert.Equal(v1, _store.Vectors.Search([1, 0, 0, 0], 5, null).Single().ChunkId);

        _store.Catalog.Enqueue(Upload("doc", "h2"));
        _store.Write([Prepared("doc", 2, "narwhal horns", [0, 1, 0, 0])]);
        var v2 = _store.Catalog.ChunkIdsOf("doc").Single();
        Assert.NotEqual(v1, v2);
        Assert.Empty(_store.Lexical.Search("walrus", 5, SearchFilter.None));
        Assert.Equal([v2], _store.Vectors.Search([1, 0, 0, 0], 5, null).Select(h => h.ChunkId));

        Assert.True(_store.Delete("doc"));
        Assert.Empty(_store.Lexical.Search("narwhal", 5, SearchFilter.None));
        Assert.Empty(_store.Vectors.Search([0, 1, 0, 0], 5, null));
        Assert.False(_store.Delete("doc"));
    }

    [Fact]
    public void A_version_prepared_before_a_delete_or_a_newer_upload_is_not_written()
    {
        _store.Catalog.Enqueue(Upload("gone", "h1"));
        _store.Catalog.Enqueue(Upload("old", "h1"));
        var stale = Prepared("old", 1, "obsolete platypus", [0, 0, 1, 0]);
        var deleted = Prepared("gone", 1, "vanished quokka", [0, 0, 0, 1]);
        _store.Catalog.Enqueue(Upload("old", "h2"));
        _store.Delete("gone");

        _store.Write([stale, deleted]);

        Assert.Empty(_store.Lexical.Search("platypus", 5, SearchFilter.None));
        Assert.Empty(_store.Lexical.Search("quokka", 5, SearchFilter.None));
        Assert.Equal(0, _store.Vectors.Count);
        Assert.Equal(DocumentState.Queued, _store.Catalog.Get("old")!.State);
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
