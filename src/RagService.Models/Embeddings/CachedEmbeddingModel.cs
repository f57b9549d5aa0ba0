using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using RagService.Core.Models;

namespace RagService.Models.Embeddings;

/// <summary>
/// Remembers embeddings so that re-ingesting unchanged text or asking a query again does no model work
/// (the model is the ingestion bottleneck: tens of texts a second on 2 cores). Document embeddings go to
/// a durable SQLite cache; query embeddings stay in memory (the most recent <c>queryCapacity</c>), because
/// a durable write on the request path cost a novel query more than its inference did.
/// </summary>
public sealed class CachedEmbeddingModel : IEmbeddingModel, IDisposable
{
    /// <summary>Query embeddings kept in memory per model: about 1.5 KB each at 384 dimensions, 15 MB in all.</summary>
    public const int DefaultQueryCapacity = 10_000;

    private readonly IEmbeddingModel _inner;
    private readonly SqliteEmbeddingStore _documents;
    private readonly RecentQueryEmbeddings _queries;
    private readonly bool _ownsInner;

    /// <param name="inner">The model that computes misses.</param>
    /// <param name="databasePath">SQLite file of the document cache; created with its folder when missing.</param>
    /// <param name="ownsInner">Dispose <paramref name="inner"/> with this instance.</param>
    /// <param name="queryCapacity">How many query embeddings are kept in memory; the least recently used go first.</param>
    public CachedEmbeddingModel(IEmbeddingModel inner, string databasePath, bool ownsInner = false, int queryCapacity = DefaultQueryCapacity)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        ArgumentOutOfRangeException.ThrowIfLessThan(queryCapacity, 0);
        _inner = inner;
        _ownsInner = ownsInner;
        _documents = new SqliteEmbeddingStore(databasePath, inner.Name, inner.MaxTokens);
        _queries = new RecentQueryEmbeddings(queryCapacity);
    }

    public string Name => _inner.Name;

    public int Dimensions => _inner.Dimensions;

    public int MaxTokens => _inner.MaxTokens;

    public LanguageCoverage Languages => _inner.Languages;

    /// <summary>Query embeddings held in memory now.</summary>
    public int RememberedQueries => _queries.Count;

    public int CountTokens(string text) => _inner.CountTokens(text);

    public async Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, EmbeddingPurpose purpose, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(texts);
        IEmbeddingStore store = purpose == EmbeddingPurpose.Query ? _queries : _documents;
        var result = new float[texts.Count][];
        var hashes = texts.Select(t => SHA256.HashData(Encoding.UTF8.GetBytes(t ?? string.Empty))).ToArray();
        var clock = Stopwatch.StartNew();
        var found = await store.LookupAsync(hashes, purpose, cancellationToken).ConfigureAwait(false);
        EmbeddingMetrics.RecordLookup(clock.Elapsed.TotalMilliseconds, Name, purpose);

        // Duplicate texts in one request are embedded once.
        var missing = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < texts.Count; i++)
        {
            var key = Convert.ToHexString(hashes[i]);
            if (found.TryGetValue(key, out var vector))
            {
                result[i] = (float[])vector.Clone();
            }
            else if (missing.TryGetValue(key, out var positions))
            {
                positions.Add(i);
            }
            else
            {
                missing[key] = [i];
            }
        }

        if (missing.Count == 0)
        {
            return result;
        }

        var firsts = missing.Values.Select(p => p[0]).ToArray();
        clock.Restart();
        var computed = await _inner.EmbedAsync(firsts.Select(i => texts[i]).ToArray(), purpose, cancellationToken).ConfigureAwait(false);
        EmbeddingMetrics.RecordInference(clock.Elapsed.TotalMilliseconds, Name, purpose);
        var k = 0;
        foreach (var positions in missing.Values)
        {
            foreach (var i in positions)
            {
                result[i] = positions.Count == 1 ? computed[k] : (float[])computed[k].Clone();
            }

            k++;
        }

        clock.Restart();
        await store.StoreAsync(firsts.Select(i => hashes[i]).ToArray(), computed, purpose, cancellationToken).ConfigureAwait(false);
        EmbeddingMetrics.RecordWrite(clock.Elapsed.TotalMilliseconds, Name, purpose);
        return result;
    }

    public void Dispose()
    {
        if (_ownsInner && _inner is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }
}
