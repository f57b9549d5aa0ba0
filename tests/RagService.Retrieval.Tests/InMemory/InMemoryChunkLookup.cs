using System.Collections.Concurrent;
using RagService.Core.Chunks;
using RagService.Core.Indexes;

namespace RagService.Retrieval.Tests.InMemory;

/// <summary>The catalog's view of live chunks, in memory. Removing a chunk here makes index hits on it stale.</summary>
public sealed class InMemoryChunkLookup(IEnumerable<Chunk> live) : IChunkLookup
{
    private readonly ConcurrentDictionary<string, Chunk> live = new(live.ToDictionary(c => c.Id, StringComparer.Ordinal), StringComparer.Ordinal);

    public ConcurrentQueue<SearchFilter> AllowedRequests { get; } = new();

    public void Remove(string chunkId) => live.TryRemove(chunkId, out _);

    public IReadOnlyList<Chunk> Resolve(IReadOnlyCollection<string> chunkIds) =>
        chunkIds.Where(live.ContainsKey).Select(id => live[id]).ToList();

    public IReadOnlySet<string>? AllowedChunkIds(SearchFilter filter)
    {
        AllowedRequests.Enqueue(filter);
        return filter.IsEmpty ? null : live.Values.Where(filter.Matches).Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
    }
}
