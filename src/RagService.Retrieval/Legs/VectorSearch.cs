using RagService.Core.Indexes;

namespace RagService.Retrieval.Legs;

/// <summary>
/// The one place retrieval asks the vector index: the dense leg and the second stage's exact search over
/// the candidates. The index answers synchronously, so the search runs on the thread pool.
/// </summary>
internal sealed class VectorSearch(IVectorIndex index)
{
    public int Dimensions => index.Dimensions;

    public Task<IReadOnlyList<ScoredChunkId>> SearchAsync(float[] query, int topK, IReadOnlySet<string>? allowed, CancellationToken cancellationToken) =>
        Task.Run(() => index.Search(query, topK, allowed), cancellationToken);
}
