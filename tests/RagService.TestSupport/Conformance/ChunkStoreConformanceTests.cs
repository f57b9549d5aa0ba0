using RagService.Core.Chunks;
using RagService.Core.Indexes;
using RagService.Core.Jobs;
using Xunit;
using static RagService.TestSupport.Conformance.ConformanceChunks;

namespace RagService.TestSupport.Conformance;

/// <summary>Behaviour every <see cref="IChunkStore"/> backend must have.</summary>
public abstract class ChunkStoreConformanceTests : CatalogConformanceTests
{
    [Fact]
    public async Task Chunks_come_back_in_order_with_their_provenance_and_their_document_tags()
    {
        using var catalog = Open();
        var tags = new Dictionary<string, string> { ["team"] = "ops" };
        var status = (await catalog.Jobs.EnqueueAsync(Upload("doc", "h1", tags: tags), None)).Status;
        var chunks = new[]
        {
            Make("doc", 1, 0, "intro") with
            {
                Title = "Guide", FileName = "guide.pdf", SectionPath = ["Security", "Backups"], SectionLevels = [1, 2],
                PageStart = 2, PageEnd = 3, BlockIds = ["b1", "b2"], TokenCount = 12, ParentSectionId = "s1",
                NextChunkId = Id("doc", 1, 1), Boxes = [new PageBox(2, new RagService.Core.Documents.BoundingBox(1, 2, 3, 4))],
            },
            Make("doc", 1, 1, "body") with { ParentSectionId = "s1", PreviousChunkId = Id("doc", 1, 0), DuplicateOf = "elsewhere" },
            Make("doc", 1, 2, "other section") with { ParentSectionId = "s2" },
        };
        await catalog.Jobs.CommitVersionAsync(new VersionCommit("doc", status.Version, chunks.Reverse().ToList(), []), None);

        var read = await catalog.Chunks.GetChunksAsync("doc", None);

        Assert.Equal(chunks.Select(c => c.Id), read.Select(c => c.Id));
        var first = read[0];
        Assert.Equal(("Guide", "guide.pdf", 2, 3, 12, "s1"), (first.Title, first.FileName, first.PageStart, first.PageEnd, first.TokenCount, first.ParentSectionId));
        Assert.Equal(["Security", "Backups"], first.SectionPath);
        Assert.Equal([1, 2], first.SectionLevels);
        Assert.Equal(["b1", "b2"], first.BlockIds);
        Assert.Equal(chunks[0].Boxes, first.Boxes);
        Assert.Equal(Id("doc", 1, 1), first.NextChunkId);
        Assert.Equal("ops", first.Tags["team"]);
        Assert.Equal((Id("doc", 1, 0), "elsewhere"), (read[1].PreviousChunkId, read[1].DuplicateOf));
        Assert.Equal(chunks[0].ContentHash, first.ContentHash);
        Assert.Empty(await catalog.Chunks.GetChunksAsync("missing", None));
    }

    [Fact]
    public async Task Chunks_by_id_skip_unknown_ids_and_sections_hold_their_chunks_in_order()
    {
        using var catalog = Open();
        var status = (await catalog.Jobs.EnqueueAsync(Upload("doc", "h1"), None)).Status;
        var chunks = Enumerable.Range(0, 5).Select(i => Make("doc", 1, i, $"text {i}") with { ParentSectionId = i < 3 ? "s1" : null }).ToList();
        await catalog.Jobs.CommitVersionAsync(new VersionCommit("doc", status.Version, chunks, []), None);

        var byId = await catalog.Chunks.GetChunksByIdsAsync([chunks[4].Id, "unknown", chunks[1].Id], None);
        var section = await catalog.Chunks.GetSectionChunksAsync("doc", "s1", None);
        var unsectioned = await catalog.Chunks.GetSectionChunksAsync("doc", null, None);

        Assert.Equal(new[] { chunks[1].Id, chunks[4].Id }.Order(StringComparer.Ordinal), byId.Select(c => c.Id).Order(StringComparer.Ordinal));
        Assert.Empty(await catalog.Chunks.GetChunksByIdsAsync([], None));
        Assert.Equal(chunks.Take(3).Select(c => c.Id), section.Select(c => c.Id));
        Assert.Equal(chunks.Skip(3).Select(c => c.Id), unsectioned.Select(c => c.Id));
    }

    [Fact]
    public async Task Duplicates_of_chunks_are_the_live_chunks_linked_to_them()
    {
        using var catalog = Open();
        var a = (await catalog.Jobs.EnqueueAsync(Upload("a", "h1"), None)).Status;
        var originals = Enumerable.Range(0, 3).Select(i => Make("a", 1, i, $"shared {i}")).ToList();
        await catalog.Jobs.CommitVersionAsync(new VersionCommit("a", a.Version, originals, []), None);
        var b = (await catalog.Jobs.EnqueueAsync(Upload("b", "h2"), None)).Status;
        var copies = new[]
        {
            Make("b", 1, 0, "shared 0") with { DuplicateOf = originals[0].Id },
            Make("b", 1, 1, "own text"),
            Make("b", 1, 2, "shared 2") with { DuplicateOf = originals[2].Id },
        };
        await catalog.Jobs.CommitVersionAsync(new VersionCommit("b", b.Version, copies, []), None);

        var found = await catalog.Chunks.GetDuplicatesOfAsync([originals[0].Id, originals[1].Id, "unknown"], None);

        Assert.Equal(copies[0].Id, Assert.Single(found).Id);
        Assert.Equal(originals[0].Id, found[0].DuplicateOf);
        Assert.Empty(await catalog.Chunks.GetDuplicatesOfAsync([], None));
    }

    [Fact]
    public async Task Pending_chunk_ids_count_as_indexed_until_their_version_commits()
    {
        using var catalog = Open();
        var live = await IngestAsync(catalog, "doc", "h1", ["one"]);
        await catalog.Jobs.EnqueueAsync(Upload("doc", "h2"), None);
        string[] pending = [Id("doc", 2, 0), Id("doc", 2, 1)];

        await catalog.Chunks.RecordPendingChunksAsync("doc", 2, pending, None);
        await catalog.Chunks.RecordPendingChunksAsync("doc", 2, pending, None);
        var during = await catalog.Chunks.ChunkIdsOfAsync("doc", None);
        await catalog.Jobs.CommitVersionAsync(new VersionCommit("doc", 2, [Make("doc", 2, 0, "two")], []), None);

        Assert.Equal(pending.Append(live[0].Id).Order(StringComparer.Ordinal), during.Order(StringComparer.Ordinal));
        Assert.Equal([Id("doc", 2, 0)], await catalog.Chunks.ChunkIdsOfAsync("doc", None));
        Assert.Empty(await catalog.Chunks.ChunkIdsOfAsync("missing", None));
    }

    [Fact]
    public async Task Filters_select_live_chunks_by_document_tags_section_and_date()
    {
        using var catalog = Open();
        var ops = new Dictionary<string, string> { ["team"] = "ops", ["date"] = "2024-01-15" };
        var dev = new Dictionary<string, string> { ["team"] = "dev", ["date"] = "2023-06-01T12:00:00Z" };
        var a = await IngestAsync(catalog, "a", "h1", ["a0", "a1"], ops);
        var b = await IngestAsync(catalog, "b", "h2", ["b0"], dev);
        var status = (await catalog.Jobs.EnqueueAsync(Upload("c", "h3"), None)).Status;
        var sectioned = new[]
        {
            Make("c", 1, 0, "c0", section: ["Security", "Backups"]),
            Make("c", 1, 1, "c1", section: ["security "]),
            Make("c", 1, 2, "c2", section: ["Securityx"]),
        };
        await catalog.Jobs.CommitVersionAsync(new VersionCommit("c", status.Version, sectioned, []), None);
        var uploadedAt = (await catalog.Jobs.GetAsync("c", None))!.CreatedAt;

        Task<IReadOnlySet<string>?> Matching(SearchFilter filter) => catalog.Chunks.ChunkIdsMatchingAsync(filter, None);
        static string[] Ids(params IEnumerable<Chunk>[] groups) => groups.SelectMany(g => g).Select(c => c.Id).Order(StringComparer.Ordinal).ToArray();

        Assert.Null(await Matching(SearchFilter.None));
        Assert.Equal(Ids(a, b), (await Matching(new SearchFilter { DocumentIds = ["a", "b", "missing"] }))!.Order(StringComparer.Ordinal));
        Assert.Equal(Ids(a), (await Matching(new SearchFilter { Tags = new Dictionary<string, string> { ["team"] = "ops" } }))!.Order(StringComparer.Ordinal));
        Assert.Empty((await Matching(new SearchFilter { Tags = new Dictionary<string, string> { ["team"] = "ops" }, DocumentIds = ["b"] }))!);
        Assert.Equal(Ids(sectioned.Take(2)), (await Matching(new SearchFilter { SectionPathPrefix = ["SECURITY"] }))!.Order(StringComparer.Ordinal));
        Assert.Equal(Ids(sectioned.Take(1)), (await Matching(new SearchFilter { SectionPathPrefix = ["security", " backups"] }))!.Order(StringComparer.Ordinal));

        // The date tag is the document date; without one, the upload time is.
        var january = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(Ids(a), (await Matching(new SearchFilter { ModifiedAfter = january, ModifiedBefore = january.AddMonths(1) }))!.Order(StringComparer.Ordinal));
        Assert.Equal(Ids(b), (await Matching(new SearchFilter { ModifiedBefore = january }))!.Order(StringComparer.Ordinal));
        Assert.Equal(Ids(sectioned), (await Matching(new SearchFilter { ModifiedAfter = uploadedAt, ModifiedBefore = uploadedAt.AddMinutes(1) }))!.Order(StringComparer.Ordinal));
        Assert.Empty((await Matching(new SearchFilter { ModifiedAfter = uploadedAt.AddMinutes(1) }))!);
    }

    [Fact]
    public async Task A_cancelled_token_is_honoured_and_changes_nothing()
    {
        using var catalog = Open();
        var live = await IngestAsync(catalog, "doc", "h1", ["one"]);
        var cancelled = await CancelledAsync();
        var chunks = catalog.Chunks;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => chunks.GetChunksAsync("doc", cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => chunks.GetChunksByIdsAsync([live[0].Id], cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => chunks.GetSectionChunksAsync("doc", null, cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => chunks.RecordPendingChunksAsync("doc", 2, [Id("doc", 2, 0)], cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => chunks.ChunkIdsOfAsync("doc", cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => chunks.ChunkIdsMatchingAsync(new SearchFilter { DocumentIds = ["doc"] }, cancelled));

        Assert.Equal([live[0].Id], await chunks.ChunkIdsOfAsync("doc", None));
    }
}
