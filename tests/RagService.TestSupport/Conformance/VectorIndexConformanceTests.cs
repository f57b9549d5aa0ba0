using RagService.Core.Chunks;
using RagService.Core.Indexes;
using Xunit;

namespace RagService.TestSupport.Conformance;

/// <summary>
/// Behaviour every <see cref="IVectorIndex"/> backend must have, the in-memory test fake included. A backend's
/// test class derives from this (or from <see cref="DurableVectorIndexConformanceTests"/> when it persists) and
/// says how to open an empty index; the cases stay the same for all backends.
/// </summary>
public abstract class VectorIndexConformanceTests
{
    protected const int Dimensions = 16;

    private static readonly CancellationToken None = CancellationToken.None;
    private readonly Random _random = new(1234);

    /// <summary>A new, empty index of <paramref name="dimensions"/>; the test disposes it.</summary>
    /// <remarks>
    /// Backends with an exact-search threshold should set it low (below 100) so that the
    /// oversampling path is exercised by <see cref="A_large_allowed_set_is_searched_by_oversampling"/>.
    /// </remarks>
    protected abstract IVectorIndex Open(int dimensions);

    [Fact]
    public async Task Search_returns_nearest_first_with_cosine_scores()
    {
        using var index = Open(Dimensions);
        var ids = Ids(3);
        await index.UpsertAsync(ids, [Axis(0), Blend(0, 1, 0.8f), Axis(1)], None);

        var hits = await index.SearchAsync(Axis(0), 3, null, None);

        Assert.Equal(ids, hits.Select(h => h.ChunkId));
        Assert.Equal(1f, hits[0].Score, 3);
        Assert.True(hits[0].Score > hits[1].Score && hits[1].Score > hits[2].Score);
        Assert.Equal(0f, hits[2].Score, 3);
        Assert.Equal(3, index.Count);
        Assert.Equal(Dimensions, index.Dimensions);
    }

    [Fact]
    public async Task TopK_limits_the_results()
    {
        using var index = Open(Dimensions);
        var ids = Ids(20);
        await index.UpsertAsync(ids, ids.Select(_ => RandomVector()).ToList(), None);
        Assert.Equal(5, (await index.SearchAsync(RandomVector(), 5, null, None)).Count);
        Assert.Empty(await index.SearchAsync(RandomVector(), 0, null, None));
    }

    [Fact]
    public async Task An_empty_index_returns_nothing()
    {
        using var index = Open(Dimensions);
        Assert.Empty(await index.SearchAsync(Axis(0), 10, null, None));
        Assert.Empty(await index.SearchAsync(Axis(0), 10, new HashSet<string> { Ids(1)[0] }, None));
        Assert.Equal(0, index.Count);
    }

    [Fact]
    public async Task Upserting_an_existing_id_replaces_its_vector()
    {
        using var index = Open(Dimensions);
        var ids = Ids(2);
        await index.UpsertAsync(ids, [Axis(0), Axis(1)], None);
        await index.UpsertAsync([ids[0]], [Axis(2)], None);

        Assert.Equal(2, index.Count);
        Assert.Equal(ids[0], (await index.SearchAsync(Axis(2), 1, null, None))[0].ChunkId);
        Assert.Equal(ids[1], (await index.SearchAsync(Axis(0), 1, null, None))[0].ChunkId);
        Assert.Equal(1f, (await index.SearchAsync(Axis(2), 1, new HashSet<string> { ids[0] }, None))[0].Score, 3);
    }

    [Fact]
    public async Task Removed_ids_are_never_returned()
    {
        using var index = Open(Dimensions);
        var ids = Ids(3);
        await index.UpsertAsync(ids, [Axis(0), Axis(1), Axis(2)], None);
        await index.RemoveAsync([ids[0], "ffffffffffffffffffffffffffffffff"], None);

        Assert.Equal(2, index.Count);
        Assert.DoesNotContain(ids[0], (await index.SearchAsync(Axis(0), 10, null, None)).Select(h => h.ChunkId));
        Assert.Empty(await index.SearchAsync(Axis(0), 10, new HashSet<string> { ids[0] }, None));
    }

    [Fact]
    public async Task A_small_allowed_set_is_searched_exactly()
    {
        using var index = Open(Dimensions);
        var ids = Ids(300);
        var vectors = ids.Select(_ => RandomVector()).ToList();
        await index.UpsertAsync(ids, vectors, None);
        var allowed = ids.Where((_, i) => i % 50 == 7).ToHashSet();
        var query = RandomVector();

        var hits = await index.SearchAsync(query, 3, allowed, None);

        Assert.Equal(BruteForce(ids, vectors, query, allowed, 3), hits.Select(h => h.ChunkId));
    }

    [Fact]
    public async Task A_large_allowed_set_is_searched_by_oversampling()
    {
        using var index = Open(Dimensions);
        var ids = Ids(400);
        var vectors = ids.Select(_ => RandomVector()).ToList();
        await index.UpsertAsync(ids, vectors, None);
        var allowed = ids.Where((_, i) => i % 3 == 0).ToHashSet();
        var query = RandomVector();

        var hits = await index.SearchAsync(query, 5, allowed, None);

        Assert.Equal(5, hits.Count);
        Assert.All(hits, h => Assert.Contains(h.ChunkId, allowed));
        Assert.Equal(BruteForce(ids, vectors, query, allowed, 5), hits.Select(h => h.ChunkId));
    }

    [Fact]
    public async Task Oversampling_keeps_widening_until_enough_allowed_hits_are_found()
    {
        using var index = Open(Dimensions);
        var ids = Ids(400);

        // The allowed vectors are the ones farthest from the query, so the first rounds find none.
        var vectors = ids.Select((_, i) => i < 300 ? Blend(0, 1 + (i % 5), 0.9f) : Axis(Dimensions - 1)).ToList();
        await index.UpsertAsync(ids, vectors, None);
        var allowed = ids.Skip(300).ToHashSet();

        var hits = await index.SearchAsync(Axis(0), 10, allowed, None);

        Assert.Equal(10, hits.Count);
        Assert.All(hits, h => Assert.Contains(h.ChunkId, allowed));
    }

    [Fact]
    public async Task Vectors_of_the_wrong_width_are_rejected()
    {
        using var index = Open(Dimensions);
        await Assert.ThrowsAsync<ArgumentException>(() => index.UpsertAsync(Ids(1), [new float[Dimensions + 1]], None));
        await Assert.ThrowsAsync<ArgumentException>(() => index.UpsertAsync(Ids(2), [Axis(0)], None));
        await Assert.ThrowsAsync<ArgumentException>(() => index.SearchAsync(new float[3], 1, null, None));
    }

    [Fact]
    public async Task Concurrent_searches_and_writes_are_safe()
    {
        using var index = Open(Dimensions);
        var ids = Ids(200);
        await index.UpsertAsync(ids, ids.Select(_ => RandomVector()).ToList(), None);
        var queries = Enumerable.Range(0, 8).Select(_ => RandomVector()).ToArray();
        var more = Ids(260).Skip(200).ToList();
        var extra = more.Select(_ => RandomVector()).ToList();

        var searches = queries.Select(q => Task.Run(async () =>
        {
            for (var i = 0; i < 40; i++)
            {
                Assert.Equal(5, (await index.SearchAsync(q, 5, null, None)).Count);
            }
        }));
        var writes = Task.Run(async () =>
        {
            for (var i = 0; i < more.Count; i++)
            {
                await index.UpsertAsync([more[i]], [extra[i]], None);
            }
        });
        await Task.WhenAll([.. searches, writes]);

        Assert.Equal(260, index.Count);
    }

    [Fact]
    public async Task An_allowed_set_restricts_the_hits_to_its_ids()
    {
        using var index = Open(Dimensions);
        var ids = Ids(4);
        await index.UpsertAsync(ids, [Axis(0), Blend(0, 1, 0.9f), Axis(1), Axis(2)], None);

        var hits = await index.SearchAsync(Axis(0), 10, new HashSet<string> { ids[2], ids[3], "0000000000000000000000000000dead" }, None);

        Assert.Equal(new[] { ids[2], ids[3] }.Order(StringComparer.Ordinal), hits.Select(h => h.ChunkId).Order(StringComparer.Ordinal));
        Assert.Empty(await index.SearchAsync(Axis(0), 10, new HashSet<string>(), None));
    }

    [Fact]
    public async Task A_cancelled_token_is_honoured_by_every_operation()
    {
        using var index = Open(Dimensions);
        var ids = Ids(2);
        await index.UpsertAsync([ids[0]], [Axis(0)], None);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => index.UpsertAsync([ids[1]], [Axis(1)], cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => index.RemoveAsync([ids[0]], cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => index.CommitAsync(cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => index.SearchAsync(Axis(0), 5, null, cancelled.Token));

        // Nothing a cancelled call was asked to do happened.
        Assert.Equal(1, index.Count);
        Assert.Equal(ids[0], Assert.Single(await index.SearchAsync(Axis(0), 5, null, None)).ChunkId);
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
