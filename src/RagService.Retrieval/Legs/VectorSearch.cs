using RagService.Core.Indexes;

namespace RagService.Retrieval.Legs;

/// <summary>
/// The one place retrieval asks the vector index: the dense leg and the second stage's exact search over
/// the candidates. The embedded HNSW index completes its task inline, so the search is started on the thread pool.
/// </summary>
internal sealed class VectorSearch(IVectorIndex index)
{
    public int Dimensions => index.Dimensions;

    public Task<IReadOnlyList<ScoredChunkId>> SearchAsync(float[] query, int topK, IReadOnlySet<string>? allowed, CancellationToken cancellationToken) =>
        Task.Run(() => index.SearchAsync(query, topK, allowed, cancellationToken), cancellationToken);
}
