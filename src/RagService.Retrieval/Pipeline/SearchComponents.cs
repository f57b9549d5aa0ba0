using RagService.Core.Models;
using RagService.Retrieval.Legs;
using RagService.Retrieval.Rewriting;

namespace RagService.Retrieval.Pipeline;

/// <summary>What the stages of one index's searches work with: its indexes, models, chunk lookup and options.</summary>
/// <param name="SecondEmbedder">The second stage's other embedding model; null disables the stage.</param>
/// <param name="Reranker">A cross-encoder; null disables reranking.</param>
/// <param name="Rewriter">The LLM query rewriter of the "rewrite" stage; null: no LLM configured.</param>
/// <param name="LlmReranker">The LLM reranker of the "llm-rerank" stage; null: no LLM configured.</param>
internal sealed record SearchComponents(
    LexicalSearch Lexical,
    VectorSearch Vectors,
    IEmbeddingModel Embedder,
    IChunkLookup Chunks,
    RetrievalOptions Options,
    IEmbeddingModel? SecondEmbedder,
    IReranker? Reranker,
    IQueryRewriter? Rewriter,
    IReranker? LlmReranker);
