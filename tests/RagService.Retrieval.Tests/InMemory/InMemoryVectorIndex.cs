using System.Collections.Concurrent;
using RagService.Core.Indexes;

namespace RagService.Retrieval.Tests.InMemory;

/// <summary>
/// A test stand-in for the HNSW index: exact dot-product search over stored vectors. The real vector
/// backends are covered by the Indexing tests. Records the allowed sets it was given.
/// </summary>
public sealed class InMemoryVectorIndex(int dimensions) : IVectorIndex
{
    private readonly ConcurrentDictionary<string, float[]> vectors = new(StringComparer.Ordinal);

    public ConcurrentQueue<(int TopK, IReadOnlySet<string>? Allowed)> Searches { get; } = new();

    public int Dimensions => dimensions;

    public long Count => vectors.Count;

    public long SizeOnDiskBytes => 0;

    public void Upsert(IReadOnlyList<string> chunkIds, IReadOnlyList<float[]> vectors)
    {
        for (var i = 0; i < chunkIds.Count; i++)
        {
            this.vectors[chunkIds[i]] = vectors[i];
        }
    }

    public void Remove(IReadOnlyList<string> chunkIds)
    {
        foreach (var id in chunkIds)
        {
            vectors.TryRemove(id, out _);
        }
    }

    public void Commit()
    {
    }

    public IReadOnlyList<ScoredChunkId> Search(float[] query, int topK, IReadOnlySet<string>? allowed)
    {
        Searches.Enqueue((topK, allowed));
        return vectors
            .Where(pair => allowed is null || allowed.Contains(pair.Key))
            .Select(pair => new ScoredChunkId(pair.Key, Dot(query, pair.Value)))
            .OrderByDescending(hit => hit.Score)
            .ThenBy(hit => hit.ChunkId, StringComparer.Ordinal)
            .Take(topK)
            .ToList();
    }

    public void Dispose()
    {
    }

    private static float Dot(float[] a, float[] b)
    {
        var sum = 0f;
        for (var i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }
}
