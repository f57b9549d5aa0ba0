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

    public Task<IReadOnlyList<Chunk>> ResolveAsync(IReadOnlyCollection<string> chunkIds, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        return Task.FromResult<IReadOnlyList<Chunk>>(chunkIds.Where(live.ContainsKey).Select(id => live[id]).ToList());
    }

    public Task<IReadOnlySet<string>?> AllowedChunkIdsAsync(SearchFilter filter, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        AllowedRequests.Enqueue(filter);
        return Task.FromResult<IReadOnlySet<string>?>(filter.IsEmpty ? null : live.Values.Where(filter.Matches).Select(c => c.Id).ToHashSet(StringComparer.Ordinal));
    }

    public Task<IReadOnlyList<Chunk>> SectionOfAsync(Chunk chunk, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var section = live.Values
            .Where(c => c.DocumentId == chunk.DocumentId && c.ParentSectionId == chunk.ParentSectionId)
            .OrderBy(c => c.Ordinal)
            .ToList();
        return Task.FromResult<IReadOnlyList<Chunk>>(section.Count == 0 ? [chunk] : section);
    }
}
