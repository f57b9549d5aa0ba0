using RagService.Core.Indexes;
using RagService.Indexing.Vectors.Embedded;
using RagService.TestSupport.Conformance;

namespace RagService.Indexing.Tests.Vectors;

/// <summary>The conformance suite against the embedded USearch index, plus its on-disk commit protocol.</summary>
public sealed class EmbeddedVectorIndexTests : DurableVectorIndexConformanceTests
{
    protected override IVectorIndex Open(string folder, int dimensions) =>
        new USearchVectorIndex(folder, new USearchVectorIndexOptions { Dimensions = dimensions, ExactSearchThreshold = 64 });

    [Fact]
    public async Task Leftovers_of_a_crash_mid_commit_are_ignored_and_cleaned_up()
    {
        var ids = Ids(2);
        using (var index = Open(Folder, Dimensions))
        {
            await index.UpsertAsync([ids[0]], [Axis(0)], CancellationToken.None);
            await index.CommitAsync(CancellationToken.None);
        }

        // A commit that wrote its generation files but died before switching the manifest.
        File.WriteAllText(Path.Combine(Folder, "vectors.2.usearch"), "partial");
        File.WriteAllText(Path.Combine(Folder, "keys.2.bin"), "partial");
        File.WriteAllText(Path.Combine(Folder, "manifest.json.tmp"), "{");

        using var reopened = Open(Folder, Dimensions);
        Assert.Equal(ids[0], Assert.Single(await reopened.SearchAsync(Axis(0), 5, null, CancellationToken.None)).ChunkId);
        Assert.False(File.Exists(Path.Combine(Folder, "vectors.2.usearch")));
        Assert.False(File.Exists(Path.Combine(Folder, "manifest.json.tmp")));

        await reopened.UpsertAsync([ids[1]], [Axis(1)], CancellationToken.None);
        await reopened.CommitAsync(CancellationToken.None);
        Assert.True(reopened.SizeOnDiskBytes > 0);
        Assert.Equal(3, Directory.GetFiles(Folder).Length);
    }

    [Fact]
    public async Task Reopening_with_other_dimensions_fails_loudly()
    {
        using (var index = Open(Folder, Dimensions))
        {
            await index.UpsertAsync(Ids(1), [Axis(0)], CancellationToken.None);
            await index.CommitAsync(CancellationToken.None);
        }

        Assert.Throws<InvalidOperationException>(() => Open(Folder, Dimensions * 2));
    }

    [Fact]
    public async Task The_default_exact_threshold_searches_a_filtered_set_exactly_at_384_dimensions()
    {
        using var index = new USearchVectorIndex(Folder);
        var ids = Ids(3);
        var vectors = Enumerable.Range(0, 3).Select(i =>
        {
            var v = new float[384];
            v[i] = 1;
            return v;
        }).ToList();
        await index.UpsertAsync(ids, vectors, CancellationToken.None);

        var hits = await index.SearchAsync(vectors[2], 2, new HashSet<string> { ids[1], ids[2] }, CancellationToken.None);
        Assert.Equal([ids[2], ids[1]], hits.Select(h => h.ChunkId));
    }
}
