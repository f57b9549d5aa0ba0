using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using RagService.Api.Hosting;
using RagService.Core.Search;
using RagService.Indexing;
using RagService.Retrieval;

namespace RagService.Api.Querying;

/// <summary>Runs searches on an index with the retriever its settings call for (one per open index).</summary>
public sealed class SearchService(EmbeddingModelProvider models, IOptions<RetrievalOptions> options)
{
    private readonly ConditionalWeakTable<IndexStore, HybridRetriever> _retrievers = new();

    public Task<SearchResponse> SearchAsync(IndexStore store, SearchRequest request, CancellationToken ct) =>
        RetrieverFor(store).SearchAsync(request, ct);

    public RetrievalOptions Options => options.Value;

    private HybridRetriever RetrieverFor(IndexStore store) =>
        _retrievers.GetValue(store, s => new HybridRetriever(
            s.Lexical,
            s.Vectors,
            models.Get(s.Settings.EmbeddingModel),
            new CatalogChunkLookup(s.Catalog),
            options.Value));
}
