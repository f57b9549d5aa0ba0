using RagService.Core.Jobs;
using Xunit;
using static RagService.TestSupport.Conformance.ConformanceChunks;

namespace RagService.TestSupport.Conformance;

/// <summary>Behaviour every <see cref="IDuplicateIndex"/> backend must have.</summary>
public abstract class DuplicateIndexConformanceTests : CatalogConformanceTests
{
    [Fact]
    public async Task Candidates_are_live_originals_of_other_documents_matching_a_hash_or_a_band_key()
    {
        using var catalog = Open();
        var status = (await catalog.Jobs.EnqueueAsync(Upload("old", "h1"), None)).Status;
        var original = Make("old", 1, 0, "the disclaimer");
        var banded = Make("old", 1, 1, "a near copy");
        var copy = Make("old", 1, 2, "the disclaimer") with { Id = Id("old", 1, 2), DuplicateOf = original.Id };
        await catalog.Jobs.CommitVersionAsync(
            new VersionCommit("old", status.Version, [original, banded, copy], [Signature(original, "k1"), Signature(banded, "k2", "k3")]), None);
        await IngestAsync(catalog, "new", "h2", ["the disclaimer"]);

        var byHash = await catalog.Duplicates.FindCandidatesAsync("new", [original.ContentHash], [], None);
        var byBand = await catalog.Duplicates.FindCandidatesAsync("new", [], ["k3", "unknown"], None);
        var own = await catalog.Duplicates.FindCandidatesAsync("old", [original.ContentHash], ["k1", "k2"], None);

        var hit = Assert.Single(byHash);
        Assert.Equal((original.Id, "old", original.ContentHash), (hit.ChunkId, hit.DocumentId, hit.ContentHash));
        Assert.Equal(Signature(original).MinHash, hit.MinHash);
        Assert.Equal(original.Text, hit.Text);
        Assert.Equal((banded.Id, banded.Text), (Assert.Single(byBand).ChunkId, Assert.Single(byBand).Text));
        Assert.Equal(Id("new", 1, 0), Assert.Single(own).ChunkId);
        Assert.Empty(await catalog.Duplicates.FindCandidatesAsync("new", [], [], None));
    }

    [Fact]
    public async Task Signatures_are_stored_with_their_version_and_replaced_by_the_next()
    {
        using var catalog = Open();
        var v1 = await IngestAsync(catalog, "doc", "h1", ["one"], signatures: null);
        await catalog.Jobs.CommitVersionAsync(new VersionCommit("doc", 1, v1, [Signature(v1[0], "k1", "k2")]), None);
        var stored = await catalog.Duplicates.SignaturesOfAsync("doc", None);

        var v2 = (await catalog.Jobs.EnqueueAsync(Upload("doc", "h2"), None)).Status;
        var two = Make("doc", 2, 0, "two");
        await catalog.Jobs.CommitVersionAsync(new VersionCommit("doc", v2.Version, [two], [Signature(two, "k9")]), None);

        var signature = Assert.Single(stored);
        Assert.Equal(v1[0].Id, signature.ChunkId);
        Assert.Equal(Signature(v1[0]).MinHash, signature.MinHash);
        Assert.Equal(["k1", "k2"], signature.BandKeys);
        Assert.Equal(["k9"], Assert.Single(await catalog.Duplicates.SignaturesOfAsync("doc", None)).BandKeys);
        Assert.Empty(await catalog.Duplicates.FindCandidatesAsync("other", [], ["k1"], None));
        Assert.Empty(await catalog.Duplicates.SignaturesOfAsync("missing", None));
    }

    [Fact]
    public async Task Documents_holding_duplicates_of_a_removed_original_are_queued_again()
    {
        using var catalog = Open();
        var originals = await IngestAsync(catalog, "a", "h1", ["shared"]);
        var status = (await catalog.Jobs.EnqueueAsync(Upload("b", "h2"), None)).Status;
        await catalog.Jobs.CommitVersionAsync(
            new VersionCommit("b", status.Version, [Make("b", 1, 0, "shared") with { DuplicateOf = originals[0].Id }], []), None);
        await IngestAsync(catalog, "c", "h3", ["unrelated"]);

        Assert.Empty(await catalog.Duplicates.RequeueOrphanedDuplicatesAsync(None));
        await catalog.Jobs.DeleteAsync("a", None);
        var requeued = await catalog.Duplicates.RequeueOrphanedDuplicatesAsync(None);

        Assert.Equal(["b"], requeued);
        var b = await catalog.Jobs.GetAsync("b", None);
        Assert.Equal((2, 1, DocumentState.Queued), (b!.Version, b.LiveVersion, b.State));
        Assert.Equal(["b"], (await catalog.Jobs.UnfinishedAsync(None)).Select(s => s.DocumentId));

        // The old version stays searchable until the new one commits.
        Assert.Single(await catalog.Chunks.GetChunksAsync("b", None));
    }

    [Fact]
    public async Task A_cancelled_token_is_honoured_and_changes_nothing()
    {
        using var catalog = Open();
        var originals = await IngestAsync(catalog, "a", "h1", ["shared"]);
        var status = (await catalog.Jobs.EnqueueAsync(Upload("b", "h2"), None)).Status;
        await catalog.Jobs.CommitVersionAsync(
            new VersionCommit("b", status.Version, [Make("b", 1, 0, "shared") with { DuplicateOf = originals[0].Id }], []), None);
        await catalog.Jobs.DeleteAsync("a", None);
        var cancelled = await CancelledAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => catalog.Duplicates.FindCandidatesAsync("x", [originals[0].ContentHash], [], cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => catalog.Duplicates.RequeueOrphanedDuplicatesAsync(cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => catalog.Duplicates.SignaturesOfAsync("b", cancelled));

        Assert.Equal(DocumentState.Ready, (await catalog.Jobs.GetAsync("b", None))!.State);
    }
}
