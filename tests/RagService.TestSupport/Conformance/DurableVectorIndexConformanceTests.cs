using RagService.Core.Indexes;
using Xunit;

namespace RagService.TestSupport.Conformance;

/// <summary>
/// The <see cref="VectorIndexConformanceTests"/> plus what a backend that persists to a folder must do:
/// commits survive reopening, uncommitted writes do not.
/// </summary>
public abstract class DurableVectorIndexConformanceTests : VectorIndexConformanceTests, IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;

    protected DurableVectorIndexConformanceTests()
    {
        Folder = Path.Combine(Path.GetTempPath(), "rag-vectors-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
    }

    protected string Folder { get; }

    /// <summary>Opens (or reopens) the backend's index stored in <paramref name="folder"/>.</summary>
    protected abstract IVectorIndex Open(string folder, int dimensions);

    protected sealed override IVectorIndex Open(int dimensions) => Open(Folder, dimensions);

    [Fact]
    public async Task Committed_vectors_survive_reopening()
    {
        var ids = Ids(50);
        var vectors = ids.Select(_ => RandomVector()).ToList();
        var query = RandomVector();
        IReadOnlyList<ScoredChunkId> before;
        using (var index = Open(Folder, Dimensions))
        {
            await index.UpsertAsync(ids, vectors, None);
            await index.RemoveAsync([ids[0]], None);
            await index.CommitAsync(None);
            before = await index.SearchAsync(query, 10, null, None);
        }

        using var reopened = Open(Folder, Dimensions);
        Assert.Equal(49, reopened.Count);
        Assert.Equal(before.Select(h => h.ChunkId), (await reopened.SearchAsync(query, 10, null, None)).Select(h => h.ChunkId));
        Assert.Empty(await reopened.SearchAsync(vectors[0], 5, new HashSet<string> { ids[0] }, None));

        // The reopened index accepts writes and commits again.
        await reopened.UpsertAsync([ids[0]], [vectors[0]], None);
        await reopened.CommitAsync(None);
        Assert.Equal(50, reopened.Count);
    }

    [Fact]
    public async Task Writes_without_a_commit_are_not_visible_after_reopening()
    {
        var ids = Ids(3);
        using (var index = Open(Folder, Dimensions))
        {
            await index.UpsertAsync([ids[0]], [Axis(0)], None);
            await index.CommitAsync(None);
            await index.UpsertAsync([ids[1]], [Axis(1)], None);
            await index.UpsertAsync([ids[0]], [Axis(3)], None);
            await index.RemoveAsync([ids[0]], None);
            await index.UpsertAsync([ids[2]], [Axis(2)], None);
        }

        using var reopened = Open(Folder, Dimensions);
        Assert.Equal(1, reopened.Count);
        var hit = Assert.Single(await reopened.SearchAsync(Axis(0), 10, null, None));
        Assert.Equal(ids[0], hit.ChunkId);
        Assert.Equal(1f, hit.Score, 3);
    }

    [Fact]
    public async Task A_folder_that_was_never_committed_opens_empty()
    {
        using (var index = Open(Folder, Dimensions))
        {
            await index.UpsertAsync(Ids(2), [Axis(0), Axis(1)], None);
        }

        using var reopened = Open(Folder, Dimensions);
        Assert.Equal(0, reopened.Count);
    }

    [Fact]
    public async Task A_reopened_index_serves_concurrent_searches()
    {
        var ids = Ids(120);
        using (var index = Open(Folder, Dimensions))
        {
            await index.UpsertAsync(ids, ids.Select(_ => RandomVector()).ToList(), None);
            await index.CommitAsync(None);
        }

        using var reopened = Open(Folder, Dimensions);
        var queries = Enumerable.Range(0, 16).Select(_ => RandomVector()).ToArray();
        var large = ids.Take(100).ToHashSet();
        await Task.WhenAll(queries.Select(q => Task.Run(async () =>
        {
            for (var i = 0; i < 25; i++)
            {
                Assert.Equal(4, (await reopened.SearchAsync(q, 4, null, None)).Count);
                Assert.Equal(4, (await reopened.SearchAsync(q, 4, large, None)).Count);
            }
        })));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a failed test; the temp folder is cleaned up by the OS.
        }

        GC.SuppressFinalize(this);
    }
}
