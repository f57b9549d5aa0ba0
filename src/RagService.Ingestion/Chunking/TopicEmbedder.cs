using System.Collections.Concurrent;
using RagService.Core.Models;

namespace RagService.Ingestion.Chunking;

/// <summary>
/// Embeds the units (blocks, sentences) of one section so the chunker can tell where the topic
/// shifts. Vectors must be L2-normalised: their dot product is the cosine similarity.
/// </summary>
public interface ITopicEmbedder
{
    Task<IReadOnlyList<float[]>> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken);
}

/// <summary>
/// Topic vectors from the index's own embedding model, one batched call per section, remembered in a
/// bounded in-process cache (the model's own embedding cache keeps them across runs).
/// </summary>
public sealed class EmbeddingTopicEmbedder(IEmbeddingModel model, int cacheCapacity = 50_000) : ITopicEmbedder
{
    private readonly ConcurrentDictionary<string, float[]> _cache = new(StringComparer.Ordinal);

    public async Task<IReadOnlyList<float[]>> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var known = new Dictionary<string, float[]>(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var text in texts.Distinct(StringComparer.Ordinal))
        {
            if (_cache.TryGetValue(text, out var vector))
            {
                known[text] = vector;
            }
            else
            {
                missing.Add(text);
            }
        }

        if (missing.Count > 0)
        {
            var vectors = await model.EmbedAsync(missing, EmbeddingPurpose.Document, cancellationToken).ConfigureAwait(false);
            if (_cache.Count + missing.Count > cacheCapacity)
            {
                _cache.Clear();
            }

            for (var i = 0; i < missing.Count; i++)
            {
                known[missing[i]] = vectors[i];
                _cache[missing[i]] = vectors[i];
            }
        }

        return texts.Select(t => known[t]).ToList();
    }

    public static float Cosine(float[] a, float[] b)
    {
        var n = Math.Min(a.Length, b.Length);
        var dot = 0f;
        for (var i = 0; i < n; i++)
        {
            dot += a[i] * b[i];
        }

        return dot;
    }
}
