using Cloud.Unum.USearch;
using RagService.Core.Chunks;
using RagService.Core.Indexes;
using RagService.Indexing.Storage;

namespace RagService.Indexing.Vectors.Embedded;

/// <summary>
/// Cosine HNSW search over chunk vectors with USearch, persisted in a folder. Facts about the
/// .NET binding (2.26.6) that shape this class:
/// <list type="bullet">
/// <item>Concurrent <c>Add</c> crashes the process, so every write holds an exclusive lock.</item>
/// <item>Searches borrow one of a fixed pool of native thread contexts (sized by the hardware
/// concurrency); a semaphore keeps concurrent searches within that pool.</item>
/// <item>There is no filter predicate, but <c>Get</c> returns a stored vector, so a small allowed
/// set (few chunks, and a small share of the index) is searched exactly from the index itself and a
/// large one by oversampling.</item>
/// <item>Each single <c>Add</c> reserves capacity for exactly one more vector; writes go through the
/// batch overload so a batch reserves once.</item>
/// </list>
/// A commit writes a new generation of index and key map, then atomically replaces a small manifest
/// that names the current generation; a crash at any point leaves the previous commit in force.
/// Searches see writes before they are committed; reopening shows only committed state.
/// </summary>
public sealed class USearchVectorIndex : IVectorIndex, IIndexInventory
{
    private readonly string _path;
    private readonly VectorIndexFiles _files;
    private readonly USearchVectorIndexOptions _options;
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly SemaphoreSlim _searchSlots = new(Math.Max(1, Environment.ProcessorCount));
    private readonly Dictionary<ulong, string> _chunkIds = [];
    private USearchIndex _index;
    private long _generation;
    private bool _dirty;
    private bool _disposed;

    /// <param name="path">Folder of the index; created when missing, the last commit loaded when present.</param>
    public USearchVectorIndex(string path, USearchVectorIndexOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _options = options ?? new USearchVectorIndexOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.Dimensions, 1, nameof(options));
        _path = path;
        Directory.CreateDirectory(path);
        _files = new VectorIndexFiles(path);

        var manifest = _files.ReadManifest();
        if (manifest is null)
        {
            _index = CreateEmpty();
        }
        else
        {
            if (manifest.Dimensions != _options.Dimensions)
            {
                throw new InvalidOperationException($"The index at '{path}' holds {manifest.Dimensions}-dimensional vectors, not {_options.Dimensions}.");
            }

            _generation = manifest.Generation;
            foreach (var file in new[] { _files.IndexFile(_generation), _files.KeysFile(_generation) })
            {
                // Opening a missing file natively would fail obscurely or start empty; an index whose committed files are gone is broken.
                if (!File.Exists(file))
                {
                    throw new FileNotFoundException($"The vector index at '{path}' names generation {_generation} in its manifest, but '{Path.GetFileName(file)}' is missing.", file);
                }
            }

            _index = new USearchIndex(_files.IndexFile(_generation));
            _files.ReadKeys(_files.KeysFile(_generation), _chunkIds);
            if (manifest.Count > 0 && _chunkIds.Count != manifest.Count)
            {
                _index.Dispose();
                throw new InvalidDataException($"The vector index at '{path}' holds {_chunkIds.Count} keys; its manifest says {manifest.Count}.");
            }
        }

        _files.RemoveStrayFiles(_generation);
    }

    public int Dimensions => _options.Dimensions;

    public long Count
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _chunkIds.Count;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>Bytes of the index folder; files a concurrent commit deletes meanwhile count as zero.</summary>
    public long SizeOnDiskBytes => FolderSize.Of(_path);

    /// <summary>The vectors held, committed or not: the count check runs on a freshly opened index, where the two agree.</summary>
    public long CommittedCount => Count;

    public Task<IReadOnlyList<IndexEntry>> EntriesAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        _lock.EnterReadLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return Task.FromResult<IReadOnlyList<IndexEntry>>(_chunkIds.Values.Select(id => new IndexEntry(id)).ToList());
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    // USearch is synchronous and in-process: each call does its work inline and returns a completed task;
    // the token is honoured before the work starts (a graph search or save cannot be interrupted midway).
    public Task UpsertAsync(IReadOnlyList<string> chunkIds, IReadOnlyList<float[]> vectors, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        Upsert(chunkIds, vectors);
        return Task.CompletedTask;
    }

    public Task RemoveAsync(IReadOnlyList<string> chunkIds, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        Remove(chunkIds);
        return Task.CompletedTask;
    }

    public Task CommitAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        Commit();
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<ScoredChunkId>> SearchAsync(float[] query, int topK, IReadOnlySet<string>? allowed, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        return Task.FromResult(Search(query, topK, allowed));
    }

    private void Upsert(IReadOnlyList<string> chunkIds, IReadOnlyList<float[]> vectors)
    {
        ArgumentNullException.ThrowIfNull(chunkIds);
        ArgumentNullException.ThrowIfNull(vectors);
        if (chunkIds.Count != vectors.Count)
        {
            throw new ArgumentException("Each chunk id needs exactly one vector.", nameof(vectors));
        }

        // Last write wins within a batch, as it would across batches.
        var batch = new Dictionary<ulong, (string ChunkId, float[] Vector)>();
        for (var i = 0; i < chunkIds.Count; i++)
        {
            if (vectors[i] is null || vectors[i].Length != Dimensions)
            {
                throw new ArgumentException($"Vector {i} has {vectors[i]?.Length ?? 0} dimensions; the index has {Dimensions}.", nameof(vectors));
            }

            batch[ToKey(chunkIds[i])] = (chunkIds[i], vectors[i]);
        }

        _lock.EnterWriteLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            foreach (var (key, entry) in batch)
            {
                if (_chunkIds.TryGetValue(key, out var existing) && !string.Equals(existing, entry.ChunkId, StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"Chunk ids '{existing}' and '{entry.ChunkId}' share vector key {key}.");
                }
            }

            foreach (var key in batch.Keys)
            {
                if (_index.Contains(key))
                {
                    _index.Remove(key);
                }
            }

            _index.Add(batch.Keys.ToArray(), batch.Values.Select(v => v.Vector).ToArray());
            foreach (var (key, entry) in batch)
            {
                _chunkIds[key] = entry.ChunkId;
            }

            _dirty = true;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    private void Remove(IReadOnlyList<string> chunkIds)
    {
        ArgumentNullException.ThrowIfNull(chunkIds);
        _lock.EnterWriteLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            foreach (var chunkId in chunkIds)
            {
                var key = ToKey(chunkId);
                if (_chunkIds.TryGetValue(key, out var existing) && string.Equals(existing, chunkId, StringComparison.Ordinal))
                {
                    _index.Remove(key);
                    _chunkIds.Remove(key);
                    _dirty = true;
                }
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    private void Commit()
    {
        _lock.EnterWriteLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_dirty && _files.HasManifest)
            {
                return;
            }

            var next = _generation + 1;
            _index.Save(_files.IndexFile(next));
            _files.WriteKeys(_files.KeysFile(next), _chunkIds);
            VectorIndexFiles.FlushToDisk(_files.IndexFile(next));
            _files.WriteManifest(new VectorIndexManifest(next, Dimensions, _chunkIds.Count));
            _generation = next;
            _dirty = false;
            _files.RemoveStrayFiles(next);
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    private IReadOnlyList<ScoredChunkId> Search(float[] query, int topK, IReadOnlySet<string>? allowed)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Length != Dimensions)
        {
            throw new ArgumentException($"The query has {query.Length} dimensions; the index has {Dimensions}.", nameof(query));
        }

        if (topK <= 0 || allowed is { Count: 0 })
        {
            return [];
        }

        _lock.EnterReadLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_chunkIds.Count == 0)
            {
                return [];
            }

            if (allowed is not null && allowed.Count <= _options.ExactSearchThreshold && allowed.Count <= _chunkIds.Count * _options.ExactSearchMaxShare)
            {
                return SearchExactly(query, topK, allowed);
            }

            return SearchApproximately(query, topK, allowed);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    public void Dispose()
    {
        _lock.EnterWriteLock();
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _index.Dispose();
        }
        finally
        {
            _lock.ExitWriteLock();
        }

        _searchSlots.Dispose();
    }

    private static ulong ToKey(string chunkId)
    {
        ArgumentException.ThrowIfNullOrEmpty(chunkId);
        return ChunkIdentity.ToVectorKey(chunkId);
    }

    private List<ScoredChunkId> SearchExactly(float[] query, int topK, IReadOnlySet<string> allowed)
    {
        var queryNorm = Norm(query);
        var scored = new List<ScoredChunkId>(Math.Min(allowed.Count, 1024));
        foreach (var chunkId in allowed)
        {
            if (string.IsNullOrEmpty(chunkId) || chunkId.Length < 16)
            {
                continue;
            }

            var key = ChunkIdentity.ToVectorKey(chunkId);
            if (!_chunkIds.TryGetValue(key, out var owner) || !string.Equals(owner, chunkId, StringComparison.Ordinal))
            {
                continue;
            }

            if (_index.Get(key, out float[] vector) < 1)
            {
                continue;
            }

            var denominator = queryNorm * Norm(vector);
            scored.Add(new ScoredChunkId(chunkId, denominator > 0 ? Dot(query, vector) / denominator : 0f));
        }

        return Rank(scored, topK);
    }

    private List<ScoredChunkId> SearchApproximately(float[] query, int topK, IReadOnlySet<string>? allowed)
    {
        var total = _chunkIds.Count;
        var wanted = allowed is null ? Math.Min(topK, total) : Math.Min(topK * 4L, total);
        while (true)
        {
            ulong[] keys;
            float[] distances;
            _searchSlots.Wait();
            try
            {
                _index.Search(query, (int)wanted, out keys, out distances);
            }
            finally
            {
                _searchSlots.Release();
            }

            var results = new List<ScoredChunkId>(Math.Min(keys.Length, topK));
            for (var i = 0; i < keys.Length; i++)
            {
                if (_chunkIds.TryGetValue(keys[i], out var chunkId) && (allowed is null || allowed.Contains(chunkId)))
                {
                    // USearch's cosine distance is 1 - cosine similarity.
                    results.Add(new ScoredChunkId(chunkId, 1f - distances[i]));
                }
            }

            if (results.Count >= topK || wanted >= total)
            {
                return Rank(results, topK);
            }

            wanted = Math.Min(wanted * 2, total);
        }
    }

    private static List<ScoredChunkId> Rank(List<ScoredChunkId> scored, int topK)
    {
        scored.Sort((a, b) => b.Score != a.Score ? b.Score.CompareTo(a.Score) : string.CompareOrdinal(a.ChunkId, b.ChunkId));
        if (scored.Count > topK)
        {
            scored.RemoveRange(topK, scored.Count - topK);
        }

        return scored;
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

    private static float Norm(float[] v) => MathF.Sqrt(Dot(v, v));

    private USearchIndex CreateEmpty() => new(
        MetricKind.Cos,
        ScalarKind.Float32,
        (ulong)_options.Dimensions,
        (ulong)Math.Max(0, _options.Connectivity),
        (ulong)Math.Max(0, _options.ExpansionAdd),
        (ulong)Math.Max(0, _options.ExpansionSearch));

}
