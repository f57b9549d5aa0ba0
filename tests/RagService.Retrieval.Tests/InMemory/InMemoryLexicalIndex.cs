using System.Collections.Concurrent;
using RagService.Core.Chunks;
using RagService.Core.Indexes;

namespace RagService.Retrieval.Tests.InMemory;

/// <summary>
/// A test stand-in for the Lucene index: scores a chunk by how often the query's words occur in its
/// index text. It keeps the contract the conformance suite checks (writes visible only after a commit,
/// filters applied before top-k, cancellation honoured); the real BM25 ranking is covered by the Indexing tests.
/// It records what it was asked so tests can prove what the retriever passed down.
/// </summary>
public sealed class InMemoryLexicalIndex : ILexicalIndex
{
    private readonly Lock _writes = new();
    private readonly Dictionary<string, Chunk> _working = new(StringComparer.Ordinal);
    private volatile IReadOnlyCollection<Chunk> _committed;

    /// <param name="chunks">Chunks already committed when the index is created.</param>
    public InMemoryLexicalIndex(IEnumerable<Chunk> chunks)
    {
        foreach (var chunk in chunks)
        {
            _working[chunk.Id] = chunk;
        }

        _committed = _working.Values.ToList();
    }

    public ConcurrentQueue<(string Query, int TopK, SearchFilter Filter)> Searches { get; } = new();

    /// <summary>Runs at the start of every search; lets a test observe concurrency.</summary>
    public Action? OnSearch { get; set; }

    public long SizeOnDiskBytes => 0;

    public Task ReplaceDocumentAsync(string documentId, int version, IReadOnlyList<Chunk> chunks, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(documentId);
        ArgumentNullException.ThrowIfNull(chunks);
        ct.ThrowIfCancellationRequested();
        lock (_writes)
        {
            RemoveDocument(documentId);
            foreach (var chunk in chunks)
            {
                _working[chunk.Id] = chunk;
            }
        }

        return Task.CompletedTask;
    }

    public Task DeleteDocumentAsync(string documentId, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(documentId);
        ct.ThrowIfCancellationRequested();
        lock (_writes)
        {
            RemoveDocument(documentId);
        }

        return Task.CompletedTask;
    }

    public Task CommitAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_writes)
        {
            _committed = _working.Values.ToList();
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<ScoredChunkId>> SearchAsync(string query, int topK, SearchFilter filter, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(filter);
        ct.ThrowIfCancellationRequested();
        Searches.Enqueue((query, topK, filter));
        OnSearch?.Invoke();
        var terms = Words(query);
        IReadOnlyList<ScoredChunkId> hits = _committed
            .Where(filter.Matches)
            .Select(chunk => new ScoredChunkId(chunk.Id, Words(chunk.IndexText).Count(terms.Contains)))
            .Where(hit => hit.Score > 0)
            .OrderByDescending(hit => hit.Score)
            .ThenBy(hit => hit.ChunkId, StringComparer.Ordinal)
            .Take(Math.Max(0, topK))
            .ToList();
        return Task.FromResult(hits);
    }

    public Task<QueryTermStatistics> TermStatisticsAsync(string query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        ct.ThrowIfCancellationRequested();
        var committed = _committed;
        var terms = Words(query).Distinct(StringComparer.Ordinal)
            .Select(term => new QueryTermFrequency(term, term, committed.Count(chunk => Words(chunk.IndexText).Contains(term))))
            .ToList();
        return Task.FromResult(new QueryTermStatistics(terms, committed.Count));
    }

    /// <summary>Test setup: replaces a document's chunks (visible after <see cref="Commit"/>).</summary>
    public void ReplaceDocument(string documentId, int version, IReadOnlyList<Chunk> chunks) =>
        ReplaceDocumentAsync(documentId, version, chunks, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>Test setup: publishes the writes so far.</summary>
    public void Commit() => CommitAsync(CancellationToken.None).GetAwaiter().GetResult();

    public void Dispose()
    {
    }

    private void RemoveDocument(string documentId)
    {
        foreach (var id in _working.Values.Where(c => c.DocumentId == documentId).Select(c => c.Id).ToList())
        {
            _working.Remove(id);
        }
    }

    private static List<string> Words(string text) =>
        text.Split([' ', '.', ',', '?'], StringSplitOptions.RemoveEmptyEntries).Select(w => w.ToLowerInvariant()).ToList();
}
