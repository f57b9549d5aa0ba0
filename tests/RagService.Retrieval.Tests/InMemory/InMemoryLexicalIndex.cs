using System.Collections.Concurrent;
using RagService.Core.Chunks;
using RagService.Core.Indexes;

namespace RagService.Retrieval.Tests.InMemory;

/// <summary>
/// A test stand-in for the Lucene index: scores a chunk by how often the query's words occur in its
/// index text. Only the contract matters here; the real BM25 backend is covered by the Indexing tests.
/// It records what it was asked so tests can prove what the retriever passed down.
/// </summary>
public sealed class InMemoryLexicalIndex : ILexicalIndex
{
    private readonly ConcurrentDictionary<string, Chunk> chunks = new(StringComparer.Ordinal);

    public InMemoryLexicalIndex(IEnumerable<Chunk> chunks)
    {
        foreach (var chunk in chunks)
        {
            this.chunks[chunk.Id] = chunk;
        }
    }

    public ConcurrentQueue<(string Query, int TopK, SearchFilter Filter)> Searches { get; } = new();

    /// <summary>Runs at the start of every search; lets a test observe concurrency.</summary>
    public Action? OnSearch { get; set; }

    public long SizeOnDiskBytes => 0;

    public void ReplaceDocument(string documentId, int version, IReadOnlyList<Chunk> chunks)
    {
        DeleteDocument(documentId);
        foreach (var chunk in chunks)
        {
            this.chunks[chunk.Id] = chunk;
        }
    }

    public void DeleteDocument(string documentId)
    {
        foreach (var chunk in chunks.Values.Where(c => c.DocumentId == documentId).ToList())
        {
            chunks.TryRemove(chunk.Id, out _);
        }
    }

    public void Commit()
    {
    }

    public IReadOnlyList<ScoredChunkId> Search(string query, int topK, SearchFilter filter)
    {
        Searches.Enqueue((query, topK, filter));
        OnSearch?.Invoke();
        var terms = Words(query);
        return chunks.Values
            .Where(filter.Matches)
            .Select(chunk => new ScoredChunkId(chunk.Id, Words(chunk.IndexText).Count(terms.Contains)))
            .Where(hit => hit.Score > 0)
            .OrderByDescending(hit => hit.Score)
            .ThenBy(hit => hit.ChunkId, StringComparer.Ordinal)
            .Take(topK)
            .ToList();
    }

    public void Dispose()
    {
    }

    private static List<string> Words(string text) =>
        text.Split([' ', '.', ',', '?'], StringSplitOptions.RemoveEmptyEntries).Select(w => w.ToLowerInvariant()).ToList();
}
