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

    [Fact]
    public async Task A_filter_that_allows_half_the_index_returns_only_permitted_chunks_best_first()
    {
        // 400 vectors, half allowed: under the exact threshold by size but over its share, so the graph is oversampled.
        using var index = new USearchVectorIndex(Folder);
        var random = new Random(11);
        var ids = Ids(400);
        var vectors = ids.Select(_ => Enumerable.Range(0, 384).Select(_ => (float)random.NextDouble() - 0.5f).ToArray()).ToList();
        await index.UpsertAsync(ids, vectors, CancellationToken.None);
        var allowed = ids.Where((_, i) => i % 2 == 1).ToHashSet();
        var query = vectors[7];

        var hits = await index.SearchAsync(query, 10, allowed, CancellationToken.None);

        Assert.Equal(10, hits.Count);
        Assert.All(hits, h => Assert.Contains(h.ChunkId, allowed));
        Assert.Equal(ids[7], hits[0].ChunkId);
        Assert.Equal(hits.OrderByDescending(h => h.Score).Select(h => h.ChunkId), hits.Select(h => h.ChunkId));
        // The graph search is approximate: most of the exact permitted top 10 are there.
        var exact = ids.Select((id, i) => (id, Score: Cosine(query, vectors[i]))).Where(p => allowed.Contains(p.id))
            .OrderByDescending(p => p.Score).Take(10).Select(p => p.id);
        Assert.True(exact.Intersect(hits.Select(h => h.ChunkId)).Count() >= 8);
    }

    private static double Cosine(float[] a, float[] b) =>
        a.Zip(b, (x, y) => (double)x * y).Sum() / Math.Sqrt(a.Sum(x => (double)x * x) * b.Sum(y => (double)y * y));
}
