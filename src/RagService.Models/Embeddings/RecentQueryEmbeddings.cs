using RagService.Core.Models;

namespace RagService.Models.Embeddings;

/// <summary>
/// The most recently used query embeddings, in memory only and bounded by count. Queries are short and
/// cheap to embed again after a restart, while a durable write on the request path cost a novel query
/// more than the model did (an fsync'd SQLite commit, and two models' commits queueing on one file).
/// </summary>
internal sealed class RecentQueryEmbeddings(int capacity) : IEmbeddingStore
{
    private readonly Dictionary<string, LinkedListNode<(string Key, float[] Vector)>> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Key, float[] Vector)> _recency = new();
    private readonly Lock _gate = new();

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    public Task<Dictionary<string, float[]>> LookupAsync(IReadOnlyList<byte[]> hashes, EmbeddingPurpose purpose, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, float[]>(StringComparer.Ordinal);
        lock (_gate)
        {
            foreach (var hash in hashes)
            {
                var hex = Convert.ToHexString(hash);
                if (_entries.TryGetValue(Key(hex, purpose), out var node))
                {
                    _recency.Remove(node);
                    _recency.AddFirst(node);
                    found[hex] = node.Value.Vector;
                }
            }
        }

        return Task.FromResult(found);
    }

    public Task StoreAsync(IReadOnlyList<byte[]> hashes, IReadOnlyList<float[]> vectors, EmbeddingPurpose purpose, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            for (var i = 0; i < hashes.Count; i++)
            {
                var key = Key(Convert.ToHexString(hashes[i]), purpose);

                // A private copy: the caller hands the computed vector to its own caller, who may change it.
                var entry = (key, (float[])vectors[i].Clone());
                if (_entries.TryGetValue(key, out var existing))
                {
                    _recency.Remove(existing);
                }

                _entries[key] = _recency.AddFirst(entry);
                while (_entries.Count > capacity)
                {
                    _entries.Remove(_recency.Last!.Value.Key);
                    _recency.RemoveLast();
                }
            }
        }

        return Task.CompletedTask;
    }

    private static string Key(string hex, EmbeddingPurpose purpose) => ((int)purpose).ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" + hex;
}
