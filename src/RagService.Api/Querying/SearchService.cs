using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using RagService.Api.Hosting;
using RagService.Core.Models;
using RagService.Core.Search;
using RagService.Indexing;
using RagService.Models.Reranking;
using RagService.Retrieval;

namespace RagService.Api.Querying;

/// <summary>
/// Runs searches on an index with the retriever its settings call for (one per open index). The
/// retriever gets the second stage's other embedding model (through the embedding cache) and, when
/// <see cref="RetrievalOptions.RerankerModelPath"/> names one, an ONNX cross-encoder; when an LLM is
/// configured, the query rewriter for the "rewrite" stage and the LLM reranker for the "llm-rerank" stage.
/// </summary>
public sealed class SearchService(EmbeddingModelProvider models, IOptions<RetrievalOptions> options, ConfiguredLlm? llm = null) : IDisposable
{
    private readonly ConditionalWeakTable<IndexStore, HybridRetriever> _retrievers = new();
    private readonly Lazy<IReranker?> _reranker = new(() => CreateReranker(options.Value));

    /// <summary>Searches <paramref name="store"/>; the request's stages override the index's stage defaults, which override the service's.</summary>
    public Task<SearchResponse> SearchAsync(IndexStore store, SearchRequest request, CancellationToken ct) =>
        RetrieverFor(store).SearchAsync(
            store.Settings.Stages is { } indexStages ? request with { Stages = (request.Stages ?? new SearchStages()).Over(indexStages) } : request,
            ct);

    public RetrievalOptions Options => options.Value;

    /// <summary>
    /// The stage switches that cannot run on this service however they are set, because what they need is not
    /// configured: the cross-encoder (<see cref="RetrievalOptions.RerankerModelPath"/>) for rerank, an LLM for
    /// rewriting and LLM reranking. A search with them on runs without them; its trace says why.
    /// </summary>
    public IReadOnlyList<string> UnavailableStages()
    {
        var unavailable = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Value.RerankerModelPath))
        {
            unavailable.Add("rerank");
        }

        if (llm?.Options.IsConfigured != true)
        {
            unavailable.AddRange(["rewrite", "multiQuery", "decompose", "stepBack", "hyde", "llmRerank"]);
        }

        return unavailable;
    }

    public void Dispose()
    {
        if (_reranker.IsValueCreated)
        {
            (_reranker.Value as IDisposable)?.Dispose();
        }
    }

    private HybridRetriever RetrieverFor(IndexStore store) =>
        _retrievers.GetValue(store, s => new HybridRetriever(
            s.Lexical,
            s.Vectors,
            models.Get(s.Settings.EmbeddingModel),
            new CatalogChunkLookup(s.Chunks),
            options.Value,
            models.SecondStageModelFor(s.Settings.EmbeddingModel, options.Value),
            _reranker.Value,
            llm?.Rewriter,
            llm?.Reranker));

    private static IReranker? CreateReranker(RetrievalOptions options) =>
        string.IsNullOrWhiteSpace(options.RerankerModelPath) ? null : OnnxCrossEncoder.FromFolder(options.RerankerModelPath);
}
