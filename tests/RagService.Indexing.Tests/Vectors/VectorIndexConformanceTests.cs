using RagService.Core.Chunks;
using RagService.Core.Indexes;

namespace RagService.Indexing.Tests.Vectors;

/// <summary>
/// Behaviour every <see cref="IVectorIndex"/> backend must have. A backend's test class derives from
/// this and says how to open its index on a folder; the cases stay the same for all backends.
/// </summary>
public abstract class VectorIndexConformanceTests : IDisposable
{
    protected const int Dimensions = 16;

    private readonly TempFolder _folder = new("rag-vectors-");
    private readonly Random _random = new(1234);

    /// <summary>Opens (or reopens) the backend's index stored in <paramref name="folder"/>.</summary>
    /// <remarks>
    /// Backends with an exact-search threshold should set it low (below 100) so that the
    /// oversampling path is exercised by <see cref="A_large_allowed_set_is_searched_by_oversampling"/>.
    /// </remarks>
    protected abstract IVectorIndex Open(string folder, int dimensions);

    protected string Folder => _folder.Path;

    [Fact]
    public void Search_returns_nearest_first_with_cosine_scores()
    {
        using var index = Open(Folder, Dimensions);
        var ids = Ids(3);
        index.Upsert(ids, [Axis(0), Blend(0, 1, 0.8f), Axis(1)]);

        var hits = index.Search(Axis(0), 3, null);

        Assert.Equal(ids, hits.Select(h => h.ChunkId));
        Assert.Equal(1f, hits[0].Score, 3);
        Assert.True(hits[0].Score > hits[1].Score && hits[1].Score > hits[2].Score);
        Assert.Equal(0f, hits[2].Score, 3);
        Assert.Equal(3, index.Count);
        Assert.Equal(Dimensions, index.Dimensions);
    }

    [Fact]
    public void TopK_limits_the_results()
    {
        using var index = Open(Folder, Dimensions);
        var ids = Ids(20);
        index.Upsert(ids, ids.Select(_ => RandomVector()).ToList());
        Assert.Equal(5, index.Search(RandomVector(), 5, null).Count);
        Assert.Empty(index.Search(RandomVector(), 0, null));
    }

    [Fact]
    public void An_empty_index_returns_nothing()
    {
        using var index = Open(Folder, Dimensions);
        Assert.Empty(index.Search(Axis(0), 10, null));
        Assert.Empty(index.Search(Axis(0), 10, new HashSet<string> { Ids(1)[0] }));
        Assert.Equal(0, index.Count);
    }

    [Fact]
    public void Upserting_an_existing_id_replaces_its_vector()
    {
        using var index = Open(Folder, Dimensions);
        var ids = Ids(2);
        index.Upsert(ids, [Axis(0), Axis(1)]);
        index.Upsert([ids[0]], [Axis(2)]);

        Assert.Equal(2, index.Count);
        Assert.Equal(ids[0], index.Search(Axis(2), 1, null)[0].ChunkId);
        Assert.Equal(ids[1], index.Search(Axis(0), 1, null)[0].ChunkId);
        Assert.Equal(1f, index.Search(Axis(2), 1, new HashSet<string> { ids[0] })[0].Score, 3);
    }

    [Fact]
    public void Removed_ids_are_never_returned()
    {
        using var index = Open(Folder, Dimensions);
        var ids = Ids(3);
        index.Upsert(ids, [Axis(0), Axis(1), Axis(2)]);
        index.Remove([ids[0], "ffffffffffffffffffffffffffffffff"]);

        Assert.Equal(2, index.Count);
        Assert.DoesNotContain(ids[0], index.Search(Axis(0), 10, null).Select(h => h.ChunkId));
        Assert.Empty(index.Search(Axis(0), 10, new HashSet<string> { ids[0] }));
    }

    [Fact]
    public void A_small_allowed_set_is_searched_exactly()
    {
        using var index = Open(Folder, Dimensions);
        var ids = Ids(300);
        var vectors = ids.Select(_ => RandomVector()).ToList();
        index.Upsert(ids, vectors);
        var allowed = ids.Where((_, i) => i % 50 == 7).ToHashSet();
        var query = RandomVector();

        var hits = index.Search(query, 3, allowed);

        Assert.Equal(BruteForce(ids, vectors, query, allowed, 3), hits.Select(h => h.ChunkId));
    }

    [Fact]
    public void A_large_allowed_set_is_searched_by_oversampling()
    {
        using var index = Open(Folder, Dimensions);
        var ids = Ids(400);
        var vectors = ids.Select(_ => RandomVector()).ToList();
        index.Upsert(ids, vectors);
        var allowed = ids.Where((_, i) => i % 3 == 0).ToHashSet();
        var query = RandomVector();

        var hits = index.Search(query, 5, allowed);

        Assert.Equal(5, hits.Count);
        Assert.All(hits, h => Assert.Contains(h.ChunkId, allowed));
        Assert.Equal(BruteForce(ids, vectors, query, allowed, 5), hits.Select(h => h.ChunkId));
    }

    [Fact]
    public void Oversampling_keeps_widening_until_enough_allowed_hits_are_found()
    {
        using var index = Open(Folder, Dimensions);
        var ids = Ids(400);

        // The allowed vectors are the ones farthest from the query, so the first rounds find none.
        var vectors = ids.Select((_, i) => i < 300 ? Blend(0, 1 + (i % 5), 0.9f) : Axis(Dimensions - 1)).ToList();
        index.Upsert(ids, vectors);
        var allowed = ids.Skip(300).ToHashSet();

        var hits = index.Search(Axis(0), 10, allowed);

        Assert.Equal(10, hits.Count);
        Assert.All(hits, h => Assert.Contains(h.ChunkId, allowed));
    }

    [Fact]
    public void Committed_vectors_survive_reopening()
    {
        var ids = Ids(50);
        var vectors = ids.Select(_ => RandomVector()).ToList();
        var query = RandomVector();
        IReadOnlyList<ScoredChunkId> before;
        using (var index = Open(Folder, Dimensions))
        {
            index.Upsert(ids, vectors);
            index.Remove([ids[0]]);
            index.Commit();
            before = index.Search(query, 10, null);
        }

        using var reopened = Open(Folder, Dimensions);
        Assert.Equal(49, reopened.Count);
        Assert.Equal(before.Select(h => h.ChunkId), reopened.Search(query, 10, null).Select(h => h.ChunkId));
        Assert.Empty(reopened.Search(vectors[0], 5, new HashSet<string> { ids[0] }));

        // The reopened index accepts writes and commits again.
        reopened.Upsert([ids[0]], [vectors[0]]);
        reopened.Commit();
        Assert.Equal(50, reopened.Count);
    }

    [Fact]
    public void Writes_without_a_commit_are_not_visible_after_reopening()
    {
        var ids = Ids(3);
        using (var index = Open(Folder, Dimensions))
        {
            index.Upsert([ids[0]], [Axis(0)]);
            index.Commit();
            index.Upsert([ids[1]], [Axis(1)]);
            index.Upsert([ids[0]], [Axis(3)]);
            index.Remove([ids[0]]);
            index.Upsert([ids[2]], [Axis(2)]);
        }

        using var reopened = Open(Folder, Dimensions);
        Assert.Equal(1, reopened.Count);
        var hit = Assert.Single(reopened.Search(Axis(0), 10, null));
        Assert.Equal(ids[0], hit.ChunkId);
        Assert.Equal(1f, hit.Score, 3);
    }

    [Fact]
    public void A_folder_that_was_never_committed_opens_empty()
    {
        using (var index = Open(Folder, Dimensions))
        {
            index.Upsert(Ids(2), [Axis(0), Axis(1)]);
        }

        using var reopened = Open(Folder, Dimensions);
        Assert.Equal(0, reopened.Count);
    }

    [Fact]
    public void Vectors_of_the_wrong_width_are_rejected()
    {
        using var index = Open(Folder, Dimensions);
        Assert.Throws<ArgumentException>(() => index.Upsert(Ids(1), [new float[Dimensions + 1]]));
        Assert.Throws<ArgumentException>(() => index.Upsert(Ids(2), [Axis(0)]));
        Assert.Throws<ArgumentException>(() => index.Search(new float[3], 1, null));
    }

    [Fact]
    public async Task Concurrent_searches_and_writes_are_safe()
    {
        using var index = Open(Folder, Dimensions);
        var ids = Ids(200);
        index.Upsert(ids, ids.Select(_ => RandomVector()).ToList());
        var queries = Enumerable.Range(0, 8).Select(_ => RandomVector()).ToArray();
        var more = Ids(260).Skip(200).ToList();
        var extra = more.Select(_ => RandomVector()).ToList();

        var searches = queries.Select(q => Task.Run(() =>
        {
            for (var i = 0; i < 40; i++)
            {
                Assert.Equal(5, index.Search(q, 5, null).Count);
            }
        }));
        var writes = Task.Run(() =>
        {
            for (var i = 0; i < more.Count; i++)
            {
                index.Upsert([more[i]], [extra[i]]);
            }
        });
        await Task.WhenAll([.. searches, writes]);

        Assert.Equal(260, index.Count);
    }

    [Fact]
    public async Task A_reopened_index_serves_concurrent_searches()
    {
        var ids = Ids(120);
        using (var index = Open(Folder, Dimensions))
        {
            index.Upsert(ids, ids.Select(_ => RandomVector()).ToList());
            index.Commit();
        }

        using var reopened = Open(Folder, Dimensions);
        var queries = Enumerable.Range(0, 16).Select(_ => RandomVector()).ToArray();
        var large = ids.Take(100).ToHashSet();
        await Task.WhenAll(queries.Select(q => Task.Run(() =>
        {
            for (var i = 0; i < 25; i++)
            {
                Assert.Equal(4, reopened.Search(q, 4, null).Count);
                Assert.Equal(4, reopened.Search(q, 4, large).Count);
            }
        })));
    }

    public void Dispose()
    {
        _folder.Dispose();
        GC.SuppressFinalize(this);
    }

    protected static List<string> Ids(int count) =>
        Enumerable.Range(0, count).Select(i => ChunkIdentity.Create("conformance", "doc" + (i / 10), 1, i)).ToList();

    protected static float[] Axis(int dimension)
    {
        var v = new float[Dimensions];
        v[dimension] = 1;
        return v;
    }

    protected static float[] Blend(int a, int b, float weightOfA)
    {
        var v = new float[Dimensions];
        v[a] = weightOfA;
        v[b] = MathF.Sqrt(1 - (weightOfA * weightOfA));
        return v;
    }

    protected float[] RandomVector()
    {
        var v = new float[Dimensions];
        for (var i = 0; i < v.Length; i++)
        {
            v[i] = (float)((_random.NextDouble() * 2) - 1);
        }

        var norm = MathF.Sqrt(v.Sum(x => x * x));
        return v.Select(x => x / norm).ToArray();
    }

    private static List<string> BruteForce(List<string> ids, List<float[]> vectors, float[] query, IReadOnlySet<string> allowed, int topK) =>
        ids.Select((id, i) => (id, score: vectors[i].Zip(query, (x, y) => x * y).Sum()))
            .Where(p => allowed.Contains(p.id))
            .OrderByDescending(p => p.score)
            .Take(topK)
            .Select(p => p.id)
            .ToList();
}
