using RagService.Core.Indexes;
using RagService.Indexing.Vectors.Embedded;

namespace RagService.Indexing.Tests.Vectors;

/// <summary>The conformance suite against the embedded USearch index, plus its on-disk commit protocol.</summary>
public sealed class EmbeddedVectorIndexTests : VectorIndexConformanceTests
{
    protected override IVectorIndex Open(string folder, int dimensions) =>
        new USearchVectorIndex(folder, new USearchVectorIndexOptions { Dimensions = dimensions, ExactSearchThreshold = 64 });

    [Fact]
    public void Leftovers_of_a_crash_mid_commit_are_ignored_and_cleaned_up()
    {
        var ids = Ids(2);
        using (var index = Open(Folder, Dimensions))
        {
            index.Upsert([ids[0]], [Axis(0)]);
            index.Commit();
        }

        // A commit that wrote its generation files but died before switching the manifest.
        File.WriteAllText(Path.Combine(Folder, "vectors.2.usearch"), "partial");
        File.WriteAllText(Path.Combine(Folder, "keys.2.bin"), "partial");
        File.WriteAllText(Path.Combine(Folder, "manifest.json.tmp"), "{");

        using var reopened = Open(Folder, Dimensions);
        Assert.Equal(ids[0], Assert.Single(reopened.Search(Axis(0), 5, null)).ChunkId);
        Assert.False(File.Exists(Path.Combine(Folder, "vectors.2.usearch")));
        Assert.False(File.Exists(Path.Combine(Folder, "manifest.json.tmp")));

        reopened.Upsert([ids[1]], [Axis(1)]);
        reopened.Commit();
        Assert.True(reopened.SizeOnDiskBytes > 0);
        Assert.Equal(3, Directory.GetFiles(Folder).Length);
    }

    [Fact]
    public void Reopening_with_other_dimensions_fails_loudly()
    {
        using (var index = Open(Folder, Dimensions))
        {
            index.Upsert(Ids(1), [Axis(0)]);
            index.Commit();
        }

        Assert.Throws<InvalidOperationException>(() => Open(Folder, Dimensions * 2));
    }

    [Fact]
    public void The_default_exact_threshold_searches_a_filtered_set_exactly_at_384_dimensions()
    {
        using var index = new USearchVectorIndex(Folder);
        var ids = Ids(3);
        var vectors = Enumerable.Range(0, 3).Select(i =>
        {
            var v = new float[384];
            v[i] = 1;
            return v;
        }).ToList();
        index.Upsert(ids, vectors);

        var hits = index.Search(vectors[2], 2, new HashSet<string> { ids[1], ids[2] });
        Assert.Equal([ids[2], ids[1]], hits.Select(h => h.ChunkId));
    }
}
