using RagService.Core.Indexes;

namespace RagService.Retrieval.Legs;

/// <summary>
/// The one place retrieval asks the lexical index: the BM25 leg, the PRF leg and the second stage's
/// restricted BM25 search all come through here. The embedded Lucene index completes its task inline,
/// so the search is started on the thread pool and the caller's other work (the embeddings) overlaps it.
/// </summary>
internal sealed class LexicalSearch(ILexicalIndex index)
{
    public Task<IReadOnlyList<ScoredChunkId>> SearchAsync(string query, int topK, SearchFilter filter, CancellationToken cancellationToken) =>
        Task.Run(() => index.SearchAsync(query, topK, filter, cancellationToken), cancellationToken);

    /// <summary>How rare each of the query's terms is in the index (for the rare-term anchor of fusion).</summary>
    public Task<QueryTermStatistics> TermStatisticsAsync(string query, CancellationToken cancellationToken) =>
        index.TermStatisticsAsync(query, cancellationToken);
}
