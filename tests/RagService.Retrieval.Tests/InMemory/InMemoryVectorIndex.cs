using System.Collections.Concurrent;
using RagService.Core.Indexes;

namespace RagService.Retrieval.Tests.InMemory;

/// <summary>
/// A test stand-in for the HNSW index: exact cosine search over stored vectors, so its scores are the
/// ones the real backends give. It keeps the contract the conformance suite checks (widths validated,
/// allowed sets honoured, cancellation honoured); nothing is persisted. Records the allowed sets it was given.
/// </summary>
public sealed class InMemoryVectorIndex(int dimensions) : IVectorIndex
{
    private readonly ConcurrentDictionary<string, float[]> vectors = new(StringComparer.Ordinal);

    public ConcurrentQueue<(int TopK, IReadOnlySet<string>? Allowed)> Searches { get; } = new();

    public int Dimensions => dimensions;

    public long Count => vectors.Count;

    public long SizeOnDiskBytes => 0;

    public Task UpsertAsync(IReadOnlyList<string> chunkIds, IReadOnlyList<float[]> vectors, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(chunkIds);
        ArgumentNullException.ThrowIfNull(vectors);
        ct.ThrowIfCancellationRequested();
        if (chunkIds.Count != vectors.Count)
        {
            throw new ArgumentException("Each chunk id needs exactly one vector.", nameof(vectors));
        }

        if (vectors.Any(v => v is null || v.Length != dimensions))
        {
            throw new ArgumentException($"A vector has the wrong width; the index has {dimensions} dimensions.", nameof(vectors));
        }

        for (var i = 0; i < chunkIds.Count; i++)
        {
            this.vectors[chunkIds[i]] = vectors[i];
        }

        return Task.CompletedTask;
    }

    public Task RemoveAsync(IReadOnlyList<string> chunkIds, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(chunkIds);
        ct.ThrowIfCancellationRequested();
        foreach (var id in chunkIds)
        {
            vectors.TryRemove(id, out _);
        }

        return Task.CompletedTask;
    }

    public Task CommitAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<ScoredChunkId>> SearchAsync(float[] query, int topK, IReadOnlySet<string>? allowed, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        ct.ThrowIfCancellationRequested();
        if (query.Length != dimensions)
        {
            throw new ArgumentException($"The query has {query.Length} dimensions; the index has {dimensions}.", nameof(query));
        }

        Searches.Enqueue((topK, allowed));
        IReadOnlyList<ScoredChunkId> hits = vectors
            .Where(pair => allowed is null || allowed.Contains(pair.Key))
            .Select(pair => new ScoredChunkId(pair.Key, Cosine(query, pair.Value)))
            .OrderByDescending(hit => hit.Score)
            .ThenBy(hit => hit.ChunkId, StringComparer.Ordinal)
            .Take(Math.Max(0, topK))
            .ToList();
        return Task.FromResult(hits);
    }

    /// <summary>Test setup: stores vectors (searchable at once).</summary>
    public void Upsert(IReadOnlyList<string> chunkIds, IReadOnlyList<float[]> vectors) =>
        UpsertAsync(chunkIds, vectors, CancellationToken.None).GetAwaiter().GetResult();

    public void Dispose()
    {
    }

    /// <summary>Cosine similarity; 0 against a zero vector (as an all-zero query embedding matches nothing).</summary>
    private static float Cosine(float[] a, float[] b)
    {
        float dot = 0, normA = 0, normB = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            normA += a[i] * a[i];
            normB += b[i] * b[i];
        }

        return normA == 0 || normB == 0 ? 0 : dot / MathF.Sqrt(normA * normB);
    }
}
