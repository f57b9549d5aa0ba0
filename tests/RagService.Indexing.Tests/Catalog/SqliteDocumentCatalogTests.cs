using RagService.Core.Chunks;
using RagService.Core.Documents;
using RagService.Core.Indexes;
using RagService.Core.Jobs;
using RagService.Indexing.Catalog;

namespace RagService.Indexing.Tests.Catalog;

/// <summary>The durable job store and chunk catalog on a real SQLite file.</summary>
public sealed class SqliteDocumentCatalogTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "ragservice-tests", Guid.NewGuid().ToString("N"));
    private readonly string _path;
    private SqliteDocumentCatalog _catalog;

    public SqliteDocumentCatalogTests()
    {
        _path = Path.Combine(_folder, "catalog.db");
        _catalog = new SqliteDocumentCatalog(_path);
    }

    [Fact]
    public void Same_bytes_are_not_enqueued_twice_but_new_bytes_make_a_new_version()
    {
        Assert.True(_catalog.Enqueue(Upload("doc", "h1")).Enqueued);
        var again = _catalog.Enqueue(Upload("doc", "h1"));
        Assert.False(again.Enqueued);
        Assert.Equal(1, again.Status.Version);

        var changed = _catalog.Enqueue(Upload("doc", "h2"));
        Assert.True(changed.Enqueued);
        Assert.Equal(2, changed.Status.Version);
        Assert.Equal(DocumentState.Queued, changed.Status.State);
    }

    [Fact]
    public void A_failed_document_is_retried_when_the_same_bytes_come_again()
    {
        var first = _catalog.Enqueue(Upload("doc", "h1")).Status;
        _catalog.MarkFailed("doc", first.Version, "parsing", "corrupt");
        var failed = _catalog.Get("doc")!;
        Assert.Equal(DocumentState.Failed, failed.State);
        Assert.Equal("parsing", failed.FailedStep);
        Assert.Equal("corrupt", failed.Error);

        Assert.True(_catalog.Enqueue(Upload("doc", "h1")).Enqueued);
        Assert.Null(_catalog.Get("doc")!.Error);
    }

    [Fact]
    public void Unfinished_jobs_survive_reopening_in_upload_order()
    {
        _catalog.Enqueue(Upload("b", "hb"));
        _catalog.Enqueue(Upload("a", "ha"));
        _catalog.UpdateProgress("b", 1, DocumentState.Embedding, 0.5);
        _catalog.Enqueue(Upload("c", "hc"));
        _catalog.CommitVersion("c", 1, [Chunk("c", 1, 0)]);

        _catalog.Dispose();
        _catalog = new SqliteDocumentCatalog(_path);

        Assert.Equal(["b", "a"], _catalog.Unfinished().Select(s => s.DocumentId));
        Assert.Equal(DocumentState.Embedding, _catalog.Get("b")!.State);
    }

    [Fact]
    public void Committing_a_version_swaps_its_chunks_in_and_marks_it_ready_and_live()
    {
        _catalog.Enqueue(Upload("doc", "h1"));
        _catalog.CommitVersion("doc", 1, [Chunk("doc", 1, 0), Chunk("doc", 1, 1)]);
        _catalog.Enqueue(Upload("doc", "h2"));

        // While version 2 is being ingested, version 1 stays live and searchable.
        Assert.Equal(1, _catalog.Get("doc")!.LiveVersion);
        Assert.Equal(2, _catalog.GetChunks("doc").Count);

        _catalog.RecordPendingChunks("doc", 2, [ChunkIdentity.Create("i", "doc", 2, 0)]);
        _catalog.CommitVersion("doc", 2, [Chunk("doc", 2, 0)]);
        var status = _catalog.Get("doc")!;
        Assert.Equal(DocumentState.Ready, status.State);
        Assert.Equal(2, status.LiveVersion);
        Assert.Equal(1, status.ChunkCount);
        Assert.All(_catalog.GetChunks("doc"), c => Assert.Equal(2, c.DocumentVersion));
        Assert.Equal([ChunkIdentity.Create("i", "doc", 2, 0)], _catalog.ChunkIdsOf("doc"));
    }

    [Fact]
    public void Delete_returns_live_and_pending_chunk_ids_so_no_index_entry_is_orphaned()
    {
        _catalog.Enqueue(Upload("doc", "h1"));
        _catalog.CommitVersion("doc", 1, [Chunk("doc", 1, 0)]);
        _catalog.Enqueue(Upload("doc", "h2"));
        var pending = ChunkIdentity.Create("i", "doc", 2, 0);
        _catalog.RecordPendingChunks("doc", 2, [pending]);

        var removed = _catalog.Delete("doc")!;
        Assert.Contains(ChunkIdentity.Create("i", "doc", 1, 0), removed);
        Assert.Contains(pending, removed);
        Assert.Null(_catalog.Get("doc"));
        Assert.Empty(_catalog.GetChunks("doc"));
        Assert.Null(_catalog.Delete("doc"));
    }

    [Fact]
    public void Filters_resolve_to_the_live_chunk_ids_of_matching_documents()
    {
        _catalog.Enqueue(Upload("a", "ha", new() { ["dept"] = "hr", ["lang"] = "en" }));
        _catalog.CommitVersion("a", 1, [Chunk("a", 1, 0)]);
        _catalog.Enqueue(Upload("b", "hb", new() { ["dept"] = "it" }));
        _catalog.CommitVersion("b", 1, [Chunk("b", 1, 0)]);

        Assert.Null(_catalog.ChunkIdsMatching(SearchFilter.None));
        Assert.Equal([ChunkIdentity.Create("i", "b", 1, 0)], _catalog.ChunkIdsMatching(new SearchFilter { DocumentIds = ["b"] }));
        Assert.Equal([ChunkIdentity.Create("i", "a", 1, 0)], _catalog.ChunkIdsMatching(new SearchFilter { Tags = new Dictionary<string, string> { ["dept"] = "hr" } }));
        Assert.Empty(_catalog.ChunkIdsMatching(new SearchFilter { DocumentIds = ["b"], Tags = new Dictionary<string, string> { ["dept"] = "hr" } })!);
        Assert.Equal("hr", _catalog.GetChunksByIds([ChunkIdentity.Create("i", "a", 1, 0)])[0].Tags["dept"]);
    }

    [Fact]
    public void Section_prefix_and_date_filters_resolve_to_matching_chunk_ids()
    {
        _catalog.Enqueue(Upload("a", "ha", new() { ["date"] = "2024-03-15" }));
        _catalog.CommitVersion("a", 1,
        [
            Chunk("a", 1, 0) with { SectionPath = ["Security", "Backups"] },
            Chunk("a", 1, 1) with { SectionPath = [" security "] },
            Chunk("a", 1, 2) with { SectionPath = ["Security 100%_x"] },
            Chunk("a", 1, 3) with { SectionPath = [] },
        ]);
        _catalog.Enqueue(Upload("b", "hb"));
        _catalog.CommitVersion("b", 1, [Chunk("b", 1, 0) with { SectionPath = ["SECURITY", "Keys"] }]);
        var bUploaded = _catalog.Get("b")!.CreatedAt;

        string A(int ordinal) => ChunkIdentity.Create("i", "a", 1, ordinal);
        var b0 = ChunkIdentity.Create("i", "b", 1, 0);

        Assert.Equal(new[] { A(0), A(1), b0 }.Order(), _catalog.ChunkIdsMatching(new SearchFilter { SectionPathPrefix = ["Security"] })!.Order());
        Assert.Equal([A(0)], _catalog.ChunkIdsMatching(new SearchFilter { SectionPathPrefix = ["security", "BACKUPS "] }));
        Assert.Equal([A(2)], _catalog.ChunkIdsMatching(new SearchFilter { SectionPathPrefix = ["Security 100%_x"] }));
        Assert.Empty(_catalog.ChunkIdsMatching(new SearchFilter { SectionPathPrefix = ["Secur"] })!);

        // a's date is its date tag; b's is its upload time.
        var march = new DateTimeOffset(2024, 3, 1, 0, 0, 0, TimeSpan.Zero);
        var april = new DateTimeOffset(2024, 4, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(4, _catalog.ChunkIdsMatching(new SearchFilter { ModifiedAfter = march, ModifiedBefore = april })!.Count);
        Assert.Equal([b0], _catalog.ChunkIdsMatching(new SearchFilter { ModifiedAfter = april }));
        Assert.Equal([b0], _catalog.ChunkIdsMatching(new SearchFilter { ModifiedAfter = bUploaded.AddSeconds(-1), ModifiedBefore = bUploaded.AddSeconds(1) }));
        Assert.Empty(_catalog.ChunkIdsMatching(new SearchFilter { SectionPathPrefix = ["Security", "Keys"], ModifiedBefore = april })!);

        var read = _catalog.GetChunksByIds([A(0), b0]);
        Assert.Equal(new DateTimeOffset(2024, 3, 15, 0, 0, 0, TimeSpan.Zero), read.Single(c => c.DocumentId == "a").DocumentDate);
        Assert.True(new SearchFilter { SectionPathPrefix = ["security"], ModifiedAfter = march, ModifiedBefore = april }.Matches(read.Single(c => c.DocumentId == "a")));
    }

    [Fact]
    public void A_catalog_written_before_the_filter_columns_is_backfilled_on_open()
    {
        _catalog.Enqueue(Upload("a", "ha", new() { ["date"] = "2024-03-15T10:00:00Z" }));
        _catalog.CommitVersion("a", 1, [Chunk("a", 1, 0) with { SectionPath = ["Security", "Backups"] }]);
        _catalog.Dispose();

        // The shape of an older catalog: the chunks table without section_key and document_date.
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_path};Pooling=False"))
        {
            connection.Open();
            using var drop = connection.CreateCommand();
            drop.CommandText = "ALTER TABLE chunks DROP COLUMN section_key; ALTER TABLE chunks DROP COLUMN document_date;";
            drop.ExecuteNonQuery();
        }

        _catalog = new SqliteDocumentCatalog(_path);
        var id = ChunkIdentity.Create("i", "a", 1, 0);
        Assert.Equal([id], _catalog.ChunkIdsMatching(new SearchFilter { SectionPathPrefix = ["security", "backups"] }));
        Assert.Equal([id], _catalog.ChunkIdsMatching(new SearchFilter { ModifiedAfter = new DateTimeOffset(2024, 3, 15, 10, 0, 0, TimeSpan.Zero) }));
        Assert.Empty(_catalog.ChunkIdsMatching(new SearchFilter { ModifiedBefore = new DateTimeOffset(2024, 3, 15, 10, 0, 0, TimeSpan.Zero) })!);
    }

    private static DocumentUpload Upload(string id, string hash, Dictionary<string, string>? tags = null) =>
        new(id, id + ".txt", "/blobs/" + hash, hash, 10, DocumentFormat.PlainText, tags ?? []);

    private static Chunk Chunk(string documentId, int version, int ordinal) => new()
    {
        Id = ChunkIdentity.Create("i", documentId, version, ordinal),
        DocumentId = documentId,
        DocumentVersion = version,
        Ordinal = ordinal,
        Text = $"text {ordinal}",
        IndexText = $"text {ordinal}",
        SectionPath = ["Intro"],
        ContentHash = ChunkIdentity.ContentHash($"text {ordinal}"),
    };

    public void Dispose()
    {
        _catalog.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
