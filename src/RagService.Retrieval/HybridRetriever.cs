using RagService.Core.Indexes;
using RagService.Core.Models;
using RagService.Core.Search;
using RagService.Retrieval.Legs;
using RagService.Retrieval.Pipeline;
using RagService.Retrieval.Rewriting;

namespace RagService.Retrieval;

/// <summary>
/// Searches one RagService index through the stages of <see cref="PipelineDefinition"/>, each switchable per
/// request and each reported in the trace: rewriting fan-out → query understanding → routing → retrieval
/// (BM25 then PRF ∥ dense, the filter applied inside each retriever) → fusion → section and date boosts →
/// second-stage rescoring → cross-encoder reranking (within a latency budget) → LLM reranking → dedup / MMR.
/// Hits are resolved to live chunks and stale ids (a document replaced or deleted since the index was read)
/// are dropped before fusion, so a dead chunk neither appears nor pushes live chunks down the ranking.
/// </summary>
public sealed class HybridRetriever
{
    private readonly SearchPipeline pipeline;

    /// <param name="secondEmbedder">The second stage's other embedding model; null disables the stage.</param>
    /// <param name="reranker">A cross-encoder; null disables reranking.</param>
    /// <param name="rewriter">The LLM query rewriter of the "rewrite" stage; null: no LLM configured.</param>
    /// <param name="llmReranker">The LLM reranker of the "llm-rerank" stage; null: no LLM configured.</param>
    public HybridRetriever(
        ILexicalIndex lexical,
        IVectorIndex vectors,
        IEmbeddingModel embedder,
        IChunkLookup chunks,
        RetrievalOptions options,
        IEmbeddingModel? secondEmbedder = null,
        IReranker? reranker = null,
        IQueryRewriter? rewriter = null,
        IReranker? llmReranker = null)
    {
        ArgumentNullException.ThrowIfNull(lexical);
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentNullException.ThrowIfNull(embedder);
        ArgumentNullException.ThrowIfNull(chunks);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Bm25Candidates);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.DenseCandidates);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Bm25Weight);
        ArgumentOutOfRangeException.ThrowIfNegative(options.DenseWeight);
        _ = PipelineDefinition.Switches(options, null);

        Options = options;
        pipeline = new SearchPipeline(new SearchComponents(
            new LexicalSearch(lexical), new VectorSearch(vectors), embedder, chunks, options, secondEmbedder, reranker, rewriter, llmReranker));
    }

    public RetrievalOptions Options { get; }

    public Task<SearchResponse> SearchAsync(SearchRequest request, CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, null, cancellationToken);
}
