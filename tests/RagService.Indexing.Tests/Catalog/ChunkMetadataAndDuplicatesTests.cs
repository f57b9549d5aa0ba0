using Microsoft.Data.Sqlite;
using RagService.Core.Chunks;
using RagService.Core.Documents;
using RagService.Core.Indexes;
using RagService.Core.Jobs;
using RagService.Indexing.Catalog;
using RagService.Indexing.Lexical.Lucene;
using RagService.Indexing.Vectors.Embedded;

namespace RagService.Indexing.Tests.Catalog;

public sealed class ChunkMetadataAndDuplicatesTests : IDisposable
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static Chunk Chunk(string doc, int version, int ordinal, string text, string? duplicateOf = null) => new()
    {
        Id = ChunkIdentity.Create("t", doc, version, ordinal),
        DocumentId = doc,
        DocumentVersion = version,
        Ordinal = ordinal,
        Text = text,
        IndexText = text,
        ContentHash = ChunkIdentity.ContentHash(text),
        SectionPath = ["Guide", "Setup"],
        SectionLevels = [1, 2],
        Boxes = [new PageBox(3, new BoundingBox(1, 2, 3, 4))],
        ParentSectionId = "b7",
        PreviousChunkId = ordinal > 0 ? ChunkIdentity.Create("t", doc, version, ordinal - 1) : null,
        DuplicateOf = duplicateOf,
    };

    private static DocumentUpload Upload(string id, string hash) =>
        new(id, id + ".md", "/tmp/none", hash, 10, DocumentFormat.Markdown, new Dictionary<string, string>());

    [Fact]
    public async Task An_old_catalog_gains_the_hierarchy_columns_and_round_trips_them()
    {
        var path = Path.Combine(_folder.Path, "catalog.db");
        using (var old = new SqliteConnection($"Data Source={path}"))
        {
            old.Open();
            using var cmd = old.CreateCommand();
            cmd.CommandText = """
                CREATE TABLE chunks (id TEXT PRIMARY KEY, document_id TEXT NOT NULL, version INTEGER NOT NULL, ordinal INTEGER NOT NULL,
                    text TEXT NOT NULL, index_text TEXT NOT NULL, title TEXT, file_name TEXT, section_path TEXT NOT NULL,
                    page_start INTEGER NOT NULL, page_end INTEGER NOT NULL, block_ids TEXT NOT NULL, token_count INTEGER NOT NULL,
                    content_hash TEXT NOT NULL);
                """;
            cmd.ExecuteNonQuery();
        }

        SqliteConnection.ClearAllPools();
        using var catalog = new SqliteDocumentCatalog(path);
        using var reopened = new SqliteDocumentCatalog(path); // a second open finds the columns and adds nothing
        await catalog.Jobs.EnqueueAsync(Upload("a", "h1"), Ct);
        var chunks = new[] { Chunk("a", 1, 0, "First."), Chunk("a", 1, 1, "Second.", duplicateOf: "x") };
        await catalog.Jobs.CommitVersionAsync(new VersionCommit("a", 1, chunks, []), Ct);

        var read = await reopened.Chunks.GetChunksAsync("a", Ct);

        Assert.Equal([1, 2], read[0].SectionLevels);
        Assert.Equal(new PageBox(3, new BoundingBox(1, 2, 3, 4)), Assert.Single(read[0].Boxes));
        Assert.Equal("b7", read[1].ParentSectionId);
        Assert.Equal(chunks[0].Id, read[1].PreviousChunkId);
        Assert.Equal("x", read[1].DuplicateOf);
        Assert.Equal(2, (await reopened.Chunks.GetSectionChunksAsync("a", "b7", Ct)).Count);
        Assert.Empty(await reopened.Chunks.GetSectionChunksAsync("a", "other", Ct));
    }

    [Fact]
    public async Task Candidates_are_live_originals_of_other_documents_matched_by_hash_or_band()
    {
        using var catalog = new SqliteDocumentCatalog(Path.Combine(_folder.Path, "catalog.db"));
        await catalog.Jobs.EnqueueAsync(Upload("a", "h1"), Ct);
        var original = Chunk("a", 1, 0, "Shared disclaimer.");
        var copy = Chunk("a", 1, 1, "Shared disclaimer.", duplicateOf: original.Id);
        await catalog.Jobs.CommitVersionAsync(new VersionCommit("a", 1, [original, copy], [new ChunkSignature(original.Id, [1, 2, 3, 4], ["0:abc", "1:def"])]), Ct);

        var byHash = await catalog.Duplicates.FindCandidatesAsync("b", [original.ContentHash], [], Ct);
        var byBand = await catalog.Duplicates.FindCandidatesAsync("b", [], ["1:def", "9:zzz"], Ct);
        var sameDocument = await catalog.Duplicates.FindCandidatesAsync("a", [original.ContentHash], ["0:abc"], Ct);

        Assert.Equal([original.Id], byHash.Select(c => c.ChunkId));
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, Assert.Single(byBand).MinHash);
        Assert.Empty(sameDocument);
    }

    [Fact]
    public async Task A_duplicate_is_indexed_lexically_without_a_vector_and_deleting_its_original_requeues_its_document()
    {
        var catalog = new SqliteDocumentCatalog(Path.Combine(_folder.Path, "catalog.db"));
        using var store = new IndexStore("t", _folder.Path, new IndexSettings(), catalog,
            new LuceneLexicalIndex(Path.Combine(_folder.Path, "lexical")),
            new USearchVectorIndex(Path.Combine(_folder.Path, "vectors"), new USearchVectorIndexOptions { Dimensions = 2 }));
        await catalog.Jobs.EnqueueAsync(Upload("a", "h1"), Ct);
        await catalog.Jobs.EnqueueAsync(Upload("b", "h2"), Ct);
        var original = Chunk("a", 1, 0, "Backups are kept for thirty days.");
        var own = Chunk("b", 1, 0, "Restores are tested every week.");
        var copy = Chunk("b", 1, 1, "Backups are kept for thirty days.", duplicateOf: original.Id);

        await store.WriteAsync([
            new PreparedDocument("a", 1, [original], [[1f, 0f]]),
            new PreparedDocument("b", 1, [own, copy], [[0f, 1f]]),
        ], Ct);

        // The copy is found by its words (BM25) but keeps no vector of its own: its original's stands for it.
        Assert.Equal(2, store.Vectors.Count);
        Assert.Equal(
            new[] { original.Id, copy.Id }.Order(StringComparer.Ordinal),
            (await store.Lexical.SearchAsync("backups thirty days", 10, SearchFilter.None, Ct)).Select(h => h.ChunkId).Order(StringComparer.Ordinal));
        Assert.Equal(2, (await catalog.Chunks.GetChunksAsync("b", Ct)).Count);
        Assert.Equal(DocumentState.Ready, (await catalog.Jobs.GetAsync("b", Ct))!.State);

        Assert.True(await store.DeleteAsync("a", Ct));
        Assert.Equal([copy.Id], (await store.Lexical.SearchAsync("backups thirty days", 10, SearchFilter.None, Ct)).Select(h => h.ChunkId));

        // The copy's original is gone: its document is re-ingested, which promotes the copy to original.
        var b = (await catalog.Jobs.GetAsync("b", Ct))!;
        Assert.Equal((DocumentState.Queued, 2, 1), (b.State, b.Version, b.LiveVersion));
        Assert.Equal(2, (await catalog.Chunks.GetChunksAsync("b", Ct)).Count); // the old version stays readable until the new one commits
        var promoted = Chunk("b", 2, 1, "Backups are kept for thirty days.");
        await store.WriteAsync([new PreparedDocument("b", 2, [Chunk("b", 2, 0, own.Text), promoted], [[0f, 1f], [1f, 0f]])], Ct);
        Assert.Equal([promoted.Id], (await store.Lexical.SearchAsync("backups thirty days", 10, SearchFilter.None, Ct)).Select(h => h.ChunkId));
        Assert.Equal(DocumentState.Ready, (await catalog.Jobs.GetAsync("b", Ct))!.State);

        // Deleting the document removes every entry it wrote, the once-duplicate's included.
        Assert.True(await store.DeleteAsync("b", Ct));
        Assert.Empty(await store.Lexical.SearchAsync("backups thirty days restores week", 10, SearchFilter.None, Ct));
        Assert.Equal(0, store.Vectors.Count);
    }
}
