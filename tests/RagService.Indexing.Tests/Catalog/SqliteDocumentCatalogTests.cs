using RagService.Core.Chunks;
using RagService.Core.Documents;
using RagService.Core.Indexes;
using RagService.Core.Jobs;
using RagService.Indexing.Catalog;

namespace RagService.Indexing.Tests.Catalog;

/// <summary>The durable job store and chunk catalog on a real SQLite file.</summary>
public sealed class SqliteDocumentCatalogTests : IDisposable
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "ragservice-tests", Guid.NewGuid().ToString("N"));
    private readonly string _path;
    private SqliteDocumentCatalog _catalog;

    public SqliteDocumentCatalogTests()
    {
        _path = Path.Combine(_folder, "catalog.db");
        _catalog = new SqliteDocumentCatalog(_path);
    }

    [Fact]
    public async Task Same_bytes_are_not_enqueued_twice_but_new_bytes_make_a_new_version()
    {
        Assert.True((await _catalog.Jobs.EnqueueAsync(Upload("doc", "h1"), Ct)).Enqueued);
        var again = await _catalog.Jobs.EnqueueAsync(Upload("doc", "h1"), Ct);
        Assert.False(again.Enqueued);
        Assert.Equal(1, again.Status.Version);

        var changed = await _catalog.Jobs.EnqueueAsync(Upload("doc", "h2"), Ct);
        Assert.True(changed.Enqueued);
        Assert.Equal(2, changed.Status.Version);
        Assert.Equal(DocumentState.Queued, changed.Status.State);
    }

    [Fact]
    public async Task A_failed_document_is_retried_when_the_same_bytes_come_again()
    {
        var first = (await _catalog.Jobs.EnqueueAsync(Upload("doc", "h1"), Ct)).Status;
        await _catalog.Jobs.MarkFailedAsync("doc", first.Version, "parsing", "corrupt", Ct);
        var failed = (await _catalog.Jobs.GetAsync("doc", Ct))!;
        Assert.Equal(DocumentState.Failed, failed.State);
        Assert.Equal("parsing", failed.FailedStep);
        Assert.Equal("corrupt", failed.Error);

        Assert.True((await _catalog.Jobs.EnqueueAsync(Upload("doc", "h1"), Ct)).Enqueued);
        Assert.Null((await _catalog.Jobs.GetAsync("doc", Ct))!.Error);
    }

    [Fact]
    public async Task Unfinished_jobs_survive_reopening_in_upload_order()
    {
        await _catalog.Jobs.EnqueueAsync(Upload("b", "hb"), Ct);
        await _catalog.Jobs.EnqueueAsync(Upload("a", "ha"), Ct);
        await _catalog.Jobs.UpdateProgressAsync("b", 1, new JobProgress(DocumentState.Embedding, 0.5), Ct);
        await _catalog.Jobs.EnqueueAsync(Upload("c", "hc"), Ct);
        await _catalog.Jobs.CommitVersionAsync(new VersionCommit("c", 1, [Chunk("c", 1, 0)], []), Ct);

        _catalog.Dispose();
        _catalog = new SqliteDocumentCatalog(_path);

        Assert.Equal(["b", "a"], (await _catalog.Jobs.UnfinishedAsync(Ct)).Select(s => s.DocumentId));
        Assert.Equal(DocumentState.Embedding, (await _catalog.Jobs.GetAsync("b", Ct))!.State);
    }

    [Fact]
    public async Task Committing_a_version_swaps_its_chunks_in_and_marks_it_ready_and_live()
    {
        await _catalog.Jobs.EnqueueAsync(Upload("doc", "h1"), Ct);
        await _catalog.Jobs.CommitVersionAsync(new VersionCommit("doc", 1, [Chunk("doc", 1, 0), Chunk("doc", 1, 1)], []), Ct);
        await _catalog.Jobs.EnqueueAsync(Upload("doc", "h2"), Ct);

        // While version 2 is being ingested, version 1 stays live and searchable.
        Assert.Equal(1, (await _catalog.Jobs.GetAsync("doc", Ct))!.LiveVersion);
        Assert.Equal(2, (await _catalog.Chunks.GetChunksAsync("doc", Ct)).Count);

        await _catalog.Chunks.RecordPendingChunksAsync("doc", 2, [ChunkIdentity.Create("i", "doc", 2, 0)], Ct);
        await _catalog.Jobs.CommitVersionAsync(new VersionCommit("doc", 2, [Chunk("doc", 2, 0)], []), Ct);
        var status = (await _catalog.Jobs.GetAsync("doc", Ct))!;
        Assert.Equal(DocumentState.Ready, status.State);
        Assert.Equal(2, status.LiveVersion);
        Assert.Equal(1, status.ChunkCount);
        Assert.All(await _catalog.Chunks.GetChunksAsync("doc", Ct), c => Assert.Equal(2, c.DocumentVersion));
        Assert.Equal([ChunkIdentity.Create("i", "doc", 2, 0)], await _catalog.Chunks.ChunkIdsOfAsync("doc", Ct));
    }

    [Fact]
    public async Task Delete_returns_live_and_pending_chunk_ids_so_no_index_entry_is_orphaned()
    {
        await _catalog.Jobs.EnqueueAsync(Upload("doc", "h1"), Ct);
        await _catalog.Jobs.CommitVersionAsync(new VersionCommit("doc", 1, [Chunk("doc", 1, 0)], []), Ct);
        await _catalog.Jobs.EnqueueAsync(Upload("doc", "h2"), Ct);
        var pending = ChunkIdentity.Create("i", "doc", 2, 0);
        await _catalog.Chunks.RecordPendingChunksAsync("doc", 2, [pending], Ct);

        var removed = (await _catalog.Jobs.DeleteAsync("doc", Ct))!;
        Assert.Contains(ChunkIdentity.Create("i", "doc", 1, 0), removed);
        Assert.Contains(pending, removed);
        Assert.Null(await _catalog.Jobs.GetAsync("doc", Ct));
        Assert.Empty(await _catalog.Chunks.GetChunksAsync("doc", Ct));
        Assert.Null(await _catalog.Jobs.DeleteAsync("doc", Ct));
    }

    [Fact]
    public async Task Filters_resolve_to_the_live_chunk_ids_of_matching_documents()
    {
        await _catalog.Jobs.EnqueueAsync(Upload("a", "ha", new() { ["dept"] = "hr", ["lang"] = "en" }), Ct);
        await _catalog.Jobs.CommitVersionAsync(new VersionCommit("a", 1, [Chunk("a", 1, 0)], []), Ct);
        await _catalog.Jobs.EnqueueAsync(Upload("b", "hb", new() { ["dept"] = "it" }), Ct);
        await _catalog.Jobs.CommitVersionAsync(new VersionCommit("b", 1, [Chunk("b", 1, 0)], []), Ct);

        Assert.Null(await _catalog.Chunks.ChunkIdsMatchingAsync(SearchFilter.None, Ct));
        Assert.Equal([ChunkIdentity.Create("i", "b", 1, 0)], await _catalog.Chunks.ChunkIdsMatchingAsync(new SearchFilter { DocumentIds = ["b"] }, Ct));
        Assert.Equal([ChunkIdentity.Create("i", "a", 1, 0)], await _catalog.Chunks.ChunkIdsMatchingAsync(new SearchFilter { Tags = new Dictionary<string, string> { ["dept"] = "hr" } }, Ct));
        Assert.Empty((await _catalog.Chunks.ChunkIdsMatchingAsync(new SearchFilter { DocumentIds = ["b"], Tags = new Dictionary<string, string> { ["dept"] = "hr" } }, Ct))!);
        Assert.Equal("hr", (await _catalog.Chunks.GetChunksByIdsAsync([ChunkIdentity.Create("i", "a", 1, 0)], Ct))[0].Tags["dept"]);
    }

    [Fact]
    public async Task Section_prefix_and_date_filters_resolve_to_matching_chunk_ids()
    {
        await _catalog.Jobs.EnqueueAsync(Upload("a", "ha", new() { ["date"] = "2024-03-15" }), Ct);
        await _catalog.Jobs.CommitVersionAsync(new VersionCommit("a", 1, [
            Chunk("a", 1, 0) with { SectionPath = ["Security", "Backups"] },
            Chunk("a", 1, 1) with { SectionPath = [" security "] },
            Chunk("a", 1, 2) with { SectionPath = ["Security 100%_x"] },
            Chunk("a", 1, 3) with { SectionPath = [] },
        ], []), Ct);
        await _catalog.Jobs.EnqueueAsync(Upload("b", "hb"), Ct);
        await _catalog.Jobs.CommitVersionAsync(new VersionCommit("b", 1, [Chunk("b", 1, 0) with { SectionPath = ["SECURITY", "Keys"] }], []), Ct);
        var bUploaded = (await _catalog.Jobs.GetAsync("b", Ct))!.CreatedAt;

        string A(int ordinal) => ChunkIdentity.Create("i", "a", 1, ordinal);
        var b0 = ChunkIdentity.Create("i", "b", 1, 0);

        Assert.Equal(new[] { A(0), A(1), b0 }.Order(), (await _catalog.Chunks.ChunkIdsMatchingAsync(new SearchFilter { SectionPathPrefix = ["Security"] }, Ct))!.Order());
        Assert.Equal([A(0)], await _catalog.Chunks.ChunkIdsMatchingAsync(new SearchFilter { SectionPathPrefix = ["security", "BACKUPS "] }, Ct));
        Assert.Equal([A(2)], await _catalog.Chunks.ChunkIdsMatchingAsync(new SearchFilter { SectionPathPrefix = ["Security 100%_x"] }, Ct));
        Assert.Empty((await _catalog.Chunks.ChunkIdsMatchingAsync(new SearchFilter { SectionPathPrefix = ["Secur"] }, Ct))!);

        // a's date is its date tag; b's is its upload time.
        var march = new DateTimeOffset(2024, 3, 1, 0, 0, 0, TimeSpan.Zero);
        var april = new DateTimeOffset(2024, 4, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(4, (await _catalog.Chunks.ChunkIdsMatchingAsync(new SearchFilter { ModifiedAfter = march, ModifiedBefore = april }, Ct))!.Count);
        Assert.Equal([b0], await _catalog.Chunks.ChunkIdsMatchingAsync(new SearchFilter { ModifiedAfter = april }, Ct));
        Assert.Equal([b0], await _catalog.Chunks.ChunkIdsMatchingAsync(new SearchFilter { ModifiedAfter = bUploaded.AddSeconds(-1), ModifiedBefore = bUploaded.AddSeconds(1) }, Ct));
        Assert.Empty((await _catalog.Chunks.ChunkIdsMatchingAsync(new SearchFilter { SectionPathPrefix = ["Security", "Keys"], ModifiedBefore = april }, Ct))!);

        var read = await _catalog.Chunks.GetChunksByIdsAsync([A(0), b0], Ct);
        Assert.Equal(new DateTimeOffset(2024, 3, 15, 0, 0, 0, TimeSpan.Zero), read.Single(c => c.DocumentId == "a").DocumentDate);
        Assert.True(new SearchFilter { SectionPathPrefix = ["security"], ModifiedAfter = march, ModifiedBefore = april }.Matches(read.Single(c => c.DocumentId == "a")));
    }

    [Fact]
    public async Task A_catalog_written_before_the_filter_columns_is_backfilled_on_open()
    {
        await _catalog.Jobs.EnqueueAsync(Upload("a", "ha", new() { ["date"] = "2024-03-15T10:00:00Z" }), Ct);
        await _catalog.Jobs.CommitVersionAsync(new VersionCommit("a", 1, [Chunk("a", 1, 0) with { SectionPath = ["Security", "Backups"] }], []), Ct);
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
        Assert.Equal([id], await _catalog.Chunks.ChunkIdsMatchingAsync(new SearchFilter { SectionPathPrefix = ["security", "backups"] }, Ct));
        Assert.Equal([id], await _catalog.Chunks.ChunkIdsMatchingAsync(new SearchFilter { ModifiedAfter = new DateTimeOffset(2024, 3, 15, 10, 0, 0, TimeSpan.Zero) }, Ct));
        Assert.Empty((await _catalog.Chunks.ChunkIdsMatchingAsync(new SearchFilter { ModifiedBefore = new DateTimeOffset(2024, 3, 15, 10, 0, 0, TimeSpan.Zero) }, Ct))!);
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
