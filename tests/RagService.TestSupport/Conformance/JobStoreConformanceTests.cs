using RagService.Core.Jobs;
using Xunit;
using static RagService.TestSupport.Conformance.ConformanceChunks;

namespace RagService.TestSupport.Conformance;

/// <summary>Behaviour every <see cref="IJobStore"/> backend must have.</summary>
public abstract class JobStoreConformanceTests : CatalogConformanceTests
{
    [Fact]
    public async Task Enqueueing_new_bytes_queues_a_new_version_and_the_same_bytes_again_do_nothing()
    {
        using var catalog = Open();
        var jobs = catalog.Jobs;

        var first = await jobs.EnqueueAsync(Upload("doc", "h1"), None);
        var again = await jobs.EnqueueAsync(Upload("doc", "h1"), None);
        var retagged = await jobs.EnqueueAsync(Upload("doc", "h1", tags: new Dictionary<string, string> { ["team"] = "ops" }), None);
        var changed = await jobs.EnqueueAsync(Upload("doc", "h2"), None);

        Assert.True(first.Enqueued);
        Assert.Equal((1, DocumentState.Queued, 0), (first.Status.Version, first.Status.State, first.Status.LiveVersion));
        Assert.False(again.Enqueued);
        Assert.Equal(1, again.Status.Version);
        Assert.True(retagged.Enqueued);
        Assert.Equal(2, retagged.Status.Version);
        Assert.True(changed.Enqueued);
        Assert.Equal(3, changed.Status.Version);
        Assert.Equal(1, await jobs.CountAsync(None));
    }

    [Fact]
    public async Task Documents_are_counted_by_state_with_their_live_chunks_and_bytes()
    {
        using var catalog = Open();
        await IngestAsync(catalog, "ready", "h-ready", ["one", "two"]);
        await catalog.Jobs.EnqueueAsync(Upload("queued", "h-queued"), None);
        await catalog.Jobs.EnqueueAsync(Upload("working", "h-working"), None);
        await catalog.Jobs.UpdateProgressAsync("working", 1, new JobProgress(DocumentState.Embedding, 0.5), None);
        await catalog.Jobs.EnqueueAsync(Upload("broken", "h-broken"), None);
        await catalog.Jobs.MarkFailedAsync("broken", 1, "parsing", "bad", None);

        var counts = await catalog.Jobs.CountByStateAsync(None);

        Assert.Equal((1, 1, 1, 1), (counts.Of(DocumentState.Ready), counts.Of(DocumentState.Queued), counts.Of(DocumentState.Embedding), counts.Of(DocumentState.Failed)));
        Assert.Equal((4, 2), (counts.Total, counts.Unfinished));
        Assert.Equal(2, counts.LiveChunks);
        Assert.Equal(400, counts.UploadedBytes);
    }

    [Fact]
    public async Task Documents_are_found_by_the_content_hash_of_their_newest_version()
    {
        using var catalog = Open();
        await catalog.Jobs.EnqueueAsync(Upload("a", "h1"), None);
        await catalog.Jobs.EnqueueAsync(Upload("b", "h2"), None);
        await catalog.Jobs.EnqueueAsync(Upload("b", "h3"), None);
        var many = Enumerable.Range(0, 1200).Select(i => "missing-" + i).Append("h1").Append("h2").Append("h3").ToList();

        var found = await catalog.Jobs.FindByContentHashAsync(many, None);

        Assert.Equal([("a", "h1"), ("b", "h3")], found.Select(s => (s.DocumentId, s.ContentHash)).OrderBy(p => p.DocumentId));
    }

    [Fact]
    public async Task A_failed_document_is_queued_again_for_the_same_bytes()
    {
        using var catalog = Open();
        await catalog.Jobs.EnqueueAsync(Upload("doc", "h1"), None);
        await catalog.Jobs.MarkFailedAsync("doc", 1, "parsing", "broken", None);

        var retry = await catalog.Jobs.EnqueueAsync(Upload("doc", "h1"), None);

        Assert.True(retry.Enqueued);
        Assert.Equal(2, retry.Status.Version);
        Assert.Null(retry.Status.FailedStep);
        Assert.Null(retry.Status.Error);
    }

    [Fact]
    public async Task A_listing_by_state_pages_and_counts_only_that_state_and_newest_first_puts_the_latest_change_first()
    {
        using var catalog = Open();
        var jobs = catalog.Jobs;
        foreach (var id in new[] { "a", "b", "c", "d" })
        {
            await jobs.EnqueueAsync(Upload(id, "h-" + id), None);
        }

        await jobs.MarkFailedAsync("c", 1, "parsing", "broken", None);
        await Task.Delay(20);
        await jobs.MarkFailedAsync("a", 1, "chunking", "empty", None);

        var failed = new DocumentListing { State = DocumentState.Failed };
        var newestFailed = failed with { Sort = DocumentSortKey.Updated, Descending = true };
        Assert.Equal(["a", "c"], (await jobs.ListAsync(0, 10, None, listing: failed)).Select(s => s.DocumentId).Order(StringComparer.Ordinal));
        Assert.Equal(["a", "c"], (await jobs.ListAsync(0, 10, None, listing: newestFailed)).Select(s => s.DocumentId));
        Assert.Equal(["c"], (await jobs.ListAsync(1, 1, None, listing: newestFailed)).Select(s => s.DocumentId));
        Assert.Equal(2, await jobs.CountAsync(None, listing: failed));
        Assert.Equal(2, await jobs.CountAsync(None, listing: new DocumentListing { State = DocumentState.Queued }));
        Assert.Equal(0, await jobs.CountAsync(None, listing: new DocumentListing { State = DocumentState.Ready }));
        Assert.Equal(4, await jobs.CountAsync(None));

        // By the step a failure was recorded in; with a state too, both must hold.
        Assert.Equal(["c"], (await jobs.ListAsync(0, 10, None, listing: new DocumentListing { FailedStep = FailedSteps.Parsing })).Select(s => s.DocumentId));
        Assert.Equal(["a"], (await jobs.ListAsync(0, 10, None, listing: new DocumentListing { FailedStep = FailedSteps.Chunking })).Select(s => s.DocumentId));
        Assert.Equal(0, await jobs.CountAsync(None, listing: new DocumentListing { FailedStep = FailedSteps.Embedding }));
        Assert.Equal(1, await jobs.CountAsync(None, listing: failed with { FailedStep = FailedSteps.Chunking }));
        Assert.Equal(0, await jobs.CountAsync(None, listing: new DocumentListing { State = DocumentState.Queued, FailedStep = FailedSteps.Parsing }));
    }

    [Fact]
    public async Task A_listing_filters_by_name_and_tag_and_sorts_by_name_state_and_chunks_with_ties_in_enqueue_order()
    {
        using var catalog = Open();
        var jobs = catalog.Jobs;
        var hr = new Dictionary<string, string> { ["dept"] = "hr" };
        await IngestAsync(catalog, "Travel-Policy", "h1", ["one", "two", "three"], hr);
        await IngestAsync(catalog, "leave", "h2", ["one"], hr);
        await IngestAsync(catalog, "budget", "h3", ["one", "two"], new Dictionary<string, string> { ["dept"] = "finance" });
        await jobs.EnqueueAsync(Upload("policy_draft", "h4"), None);
        await jobs.EnqueueAsync(Upload("broken", "h5"), None);
        await jobs.MarkFailedAsync("broken", 1, "parsing", "damaged", None);

        async Task<string[]> Ids(DocumentListing listing) =>
            [.. (await jobs.ListAsync(0, 10, None, listing: listing)).Select(s => s.DocumentId)];

        // Name: the id or the file name contains the text, any case; % and _ are plain characters.
        Assert.Equal(["Travel-Policy", "policy_draft"], await Ids(new DocumentListing { NameContains = "POLICY" }));
        Assert.Equal(["policy_draft"], await Ids(new DocumentListing { NameContains = "y_d" }));
        Assert.Empty(await Ids(new DocumentListing { NameContains = "%" }));
        Assert.Equal(["leave"], await Ids(new DocumentListing { NameContains = "leave.md" }));

        // Tag: by key, or by key and value; with the other conditions.
        Assert.Equal(["Travel-Policy", "leave", "budget"], await Ids(new DocumentListing { TagKey = "dept" }));
        Assert.Equal(["Travel-Policy", "leave"], await Ids(new DocumentListing { TagKey = "dept", TagValue = "hr" }));
        Assert.Equal(["leave"], await Ids(new DocumentListing { TagKey = "dept", TagValue = "hr", NameContains = "lea" }));
        Assert.Empty(await Ids(new DocumentListing { TagKey = "dept", TagValue = "HR" }));
        Assert.Equal(2, await jobs.CountAsync(None, listing: new DocumentListing { TagKey = "dept", TagValue = "hr" }));
        Assert.Equal(0, await jobs.CountAsync(None, listing: new DocumentListing { TagKey = "dept", State = DocumentState.Failed }));

        // Sorting: name ignores case; state in pipeline order; chunks; ties (the two 0-chunk documents) in enqueue order.
        Assert.Equal(["broken", "budget", "leave", "policy_draft", "Travel-Policy"], await Ids(new DocumentListing { Sort = DocumentSortKey.Name }));
        Assert.Equal(["Travel-Policy", "policy_draft", "leave", "budget", "broken"], await Ids(new DocumentListing { Sort = DocumentSortKey.Name, Descending = true }));
        Assert.Equal(["policy_draft", "Travel-Policy", "leave", "budget", "broken"], await Ids(new DocumentListing { Sort = DocumentSortKey.State }));
        Assert.Equal(["policy_draft", "broken", "leave", "budget", "Travel-Policy"], await Ids(new DocumentListing { Sort = DocumentSortKey.Chunks }));
        Assert.Equal(["Travel-Policy", "budget", "leave", "broken", "policy_draft"], await Ids(new DocumentListing { Sort = DocumentSortKey.Chunks, Descending = true }));
        Assert.Equal(["budget", "leave"], (await jobs.ListAsync(1, 2, None, listing: new DocumentListing { Sort = DocumentSortKey.Name })).Select(s => s.DocumentId));
    }

    [Fact]
    public async Task Statuses_are_read_back_listed_in_enqueue_order_and_counted()
    {
        using var catalog = Open();
        var jobs = catalog.Jobs;
        foreach (var id in new[] { "c", "a", "b" })
        {
            await jobs.EnqueueAsync(Upload(id, "h-" + id), None);
        }

        var status = await jobs.GetAsync("a", None);
        var upload = await jobs.GetUploadAsync("a", None);

        Assert.Equal(["c", "a", "b"], (await jobs.ListAsync(0, 10, None)).Select(s => s.DocumentId));
        Assert.Equal(["a"], (await jobs.ListAsync(1, 1, None)).Select(s => s.DocumentId));
        Assert.Equal(3, await jobs.CountAsync(None));
        Assert.Equal(("a.md", "h-a", 100L), (status!.FileName, status.ContentHash, status.SizeBytes));
        Assert.Equal(Upload("a", "h-a").BlobPath, upload!.BlobPath);
        Assert.Equal(Upload("a", "h-a").Format, upload.Format);
        Assert.Null(await jobs.GetAsync("missing", None));
        Assert.Null(await jobs.GetUploadAsync("missing", None));
    }

    [Fact]
    public async Task Unfinished_jobs_come_oldest_enqueue_first_without_ready_or_failed_ones()
    {
        using var catalog = Open();
        var jobs = catalog.Jobs;
        await jobs.EnqueueAsync(Upload("first", "h1"), None);
        await jobs.EnqueueAsync(Upload("ready", "h2"), None);
        await jobs.EnqueueAsync(Upload("failed", "h3"), None);
        await jobs.EnqueueAsync(Upload("second", "h4"), None);
        await jobs.EnqueueAsync(Upload("requeued", "h5"), None);
        await jobs.CommitVersionAsync(new VersionCommit("ready", 1, [Make("ready", 1, 0, "text")], []), None);
        await jobs.MarkFailedAsync("failed", 1, "parsing", "broken", None);
        await jobs.UpdateProgressAsync("second", 1, new JobProgress(DocumentState.Embedding, 0.5), None);

        // A new version goes to the back of the queue.
        await jobs.EnqueueAsync(Upload("requeued", "h6"), None);

        Assert.Equal(["first", "second", "requeued"], (await jobs.UnfinishedAsync(None)).Select(s => s.DocumentId));
    }

    [Fact]
    public async Task Progress_and_failure_apply_to_the_newest_version_only()
    {
        using var catalog = Open();
        var jobs = catalog.Jobs;
        await jobs.EnqueueAsync(Upload("doc", "h1"), None);
        await jobs.UpdateProgressAsync("doc", 1, new JobProgress(DocumentState.Chunking, 0.3) { Title = "Guide", PageCount = 4 }, None);
        await jobs.UpdateProgressAsync("doc", 1, new JobProgress(DocumentState.Embedding, 7), None);
        var running = await jobs.GetAsync("doc", None);

        await jobs.EnqueueAsync(Upload("doc", "h2"), None);
        await jobs.UpdateProgressAsync("doc", 1, new JobProgress(DocumentState.Indexing, 0.9), None);
        await jobs.MarkFailedAsync("doc", 1, "indexing", "stale", None);
        var newer = await jobs.GetAsync("doc", None);
        await jobs.MarkFailedAsync("doc", 2, "embedding", "model down", None);
        var failed = await jobs.GetAsync("doc", None);

        Assert.Equal((DocumentState.Embedding, 1.0, "Guide", 4), (running!.State, running.Progress, running.Title, running.PageCount));
        Assert.NotNull(running.StartedAt);
        Assert.Equal((2, DocumentState.Queued), (newer!.Version, newer.State));
        Assert.Equal((DocumentState.Failed, "embedding", "model down"), (failed!.State, failed.FailedStep, failed.Error));
        Assert.NotNull(failed.CompletedAt);
    }

    [Fact]
    public async Task Committing_a_version_makes_its_chunks_and_signatures_live_and_the_document_ready()
    {
        using var catalog = Open();
        var v1 = await IngestAsync(catalog, "doc", "h1", ["one", "two"]);
        var status = (await catalog.Jobs.EnqueueAsync(Upload("doc", "h2"), None)).Status;
        var v2 = new[] { Make("doc", 2, 0, "three") };
        await catalog.Chunks.RecordPendingChunksAsync("doc", 2, [v2[0].Id], None);
        Assert.Equal(1, (await catalog.Jobs.GetAsync("doc", None))!.LiveVersion);

        await catalog.Jobs.CommitVersionAsync(new VersionCommit("doc", status.Version, v2, [Signature(v2[0], "band-1")]), None);

        var ready = await catalog.Jobs.GetAsync("doc", None);
        Assert.Equal((DocumentState.Ready, 2, 1, 1.0), (ready!.State, ready.LiveVersion, ready.ChunkCount, ready.Progress));
        Assert.Equal([v2[0].Id], (await catalog.Chunks.GetChunksAsync("doc", None)).Select(c => c.Id));
        Assert.Equal([v2[0].Id], await catalog.Chunks.ChunkIdsOfAsync("doc", None));
        Assert.Empty(await catalog.Chunks.GetChunksByIdsAsync(v1.Select(c => c.Id).ToList(), None));
        Assert.Equal(["band-1"], Assert.Single(await catalog.Duplicates.SignaturesOfAsync("doc", None)).BandKeys);
    }

    [Fact]
    public async Task A_version_commit_that_fails_changes_nothing()
    {
        using var catalog = Open();
        var v1 = await IngestAsync(catalog, "doc", "h1", ["one"], signatures: null);
        await catalog.Jobs.EnqueueAsync(Upload("doc", "h2"), None);
        var clash = Make("doc", 2, 0, "two");

        // Two chunks with one id cannot both be live: the commit is refused as a whole.
        await Assert.ThrowsAnyAsync<Exception>(() => catalog.Jobs.CommitVersionAsync(
            new VersionCommit("doc", 2, [clash, clash with { Ordinal = 1 }], [Signature(clash, "band-x")]), None));

        var status = await catalog.Jobs.GetAsync("doc", None);
        Assert.Equal((DocumentState.Queued, 1, 2), (status!.State, status.LiveVersion, status.Version));
        Assert.Equal([v1[0].Id], (await catalog.Chunks.GetChunksAsync("doc", None)).Select(c => c.Id));
        Assert.Empty(await catalog.Duplicates.SignaturesOfAsync("doc", None));
        Assert.Empty(await catalog.Duplicates.FindCandidatesAsync("other", [], ["band-x"], None));
    }

    [Fact]
    public async Task Deleting_returns_every_chunk_id_that_may_be_indexed_and_removes_the_document()
    {
        using var catalog = Open();
        var live = await IngestAsync(catalog, "doc", "h1", ["one", "two"], signatures: null);
        await catalog.Jobs.EnqueueAsync(Upload("doc", "h2"), None);
        await catalog.Chunks.RecordPendingChunksAsync("doc", 2, [Id("doc", 2, 0)], None);
        await IngestAsync(catalog, "other", "h3", ["kept"]);

        var removed = await catalog.Jobs.DeleteAsync("doc", None);

        Assert.Equal(live.Select(c => c.Id).Append(Id("doc", 2, 0)).Order(StringComparer.Ordinal), removed!.Order(StringComparer.Ordinal));
        Assert.Null(await catalog.Jobs.GetAsync("doc", None));
        Assert.Empty(await catalog.Chunks.GetChunksAsync("doc", None));
        Assert.Empty(await catalog.Chunks.ChunkIdsOfAsync("doc", None));
        Assert.Null(await catalog.Jobs.DeleteAsync("doc", None));
        Assert.Equal(1, await catalog.Jobs.CountAsync(None));
        Assert.Single(await catalog.Chunks.GetChunksAsync("other", None));
    }

    [Fact]
    public async Task A_blob_is_referenced_while_a_newest_version_uses_it()
    {
        using var catalog = Open();
        var jobs = catalog.Jobs;
        await jobs.EnqueueAsync(Upload("a", "h1", "/blobs/shared"), None);
        await jobs.EnqueueAsync(Upload("b", "h1", "/blobs/shared"), None);

        Assert.True(await jobs.IsBlobReferencedAsync("/blobs/shared", None));
        Assert.False(await jobs.IsBlobReferencedAsync("/blobs/never", None));

        await jobs.DeleteAsync("a", None);
        Assert.True(await jobs.IsBlobReferencedAsync("/blobs/shared", None));

        await jobs.EnqueueAsync(Upload("b", "h2", "/blobs/newer"), None);
        Assert.False(await jobs.IsBlobReferencedAsync("/blobs/shared", None));
        Assert.True(await jobs.IsBlobReferencedAsync("/blobs/newer", None));
    }

    [Fact]
    public async Task A_cancelled_token_is_honoured_and_changes_nothing()
    {
        using var catalog = Open();
        var jobs = catalog.Jobs;
        await jobs.EnqueueAsync(Upload("doc", "h1"), None);
        var cancelled = await CancelledAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => jobs.EnqueueAsync(Upload("new", "h2"), cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => jobs.GetAsync("doc", cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => jobs.ListAsync(0, 10, cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => jobs.CountAsync(cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => jobs.UnfinishedAsync(cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => jobs.GetUploadAsync("doc", cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => jobs.UpdateProgressAsync("doc", 1, new JobProgress(DocumentState.Parsing, 0.1), cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => jobs.MarkFailedAsync("doc", 1, "parsing", "x", cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => jobs.CommitVersionAsync(new VersionCommit("doc", 1, [Make("doc", 1, 0, "t")], []), cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => jobs.DeleteAsync("doc", cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => jobs.IsBlobReferencedAsync("/blobs/h1", cancelled));

        var status = await jobs.GetAsync("doc", None);
        Assert.Equal((DocumentState.Queued, 0.0), (status!.State, status.Progress));
        Assert.Equal(1, await jobs.CountAsync(None));
    }
}
