using RagService.Api.Hosting;
using RagService.Core.Jobs;
using RagService.Indexing;
using RagService.Ingestion;
using RagService.Ingestion.Jobs;
using RagService.Retrieval;
using Microsoft.Extensions.Options;

namespace RagService.Api.Ingestion;

/// <summary>
/// The host's handle on the ingestion pipeline (<see cref="DocumentIngestionPipeline"/>, which owns every
/// step from bytes to a live version): it describes an open index as an <see cref="IngestionTarget"/>,
/// with the index's embedding model and, when the retrieval second stage embeds at ingestion, that
/// stage's model (<see cref="RetrievalOptions.SecondStageModel"/>).
/// </summary>
public sealed class DocumentIngestor(
    IngestionPipeline pipeline,
    EmbeddingModelProvider models,
    ILogger<DocumentIngestor> logger,
    IOptions<RetrievalOptions>? retrieval = null,
    IOptions<RagOptions>? service = null)
{
    private readonly DocumentIngestionPipeline _pipeline = DocumentIngestionPipeline.CreateDefault(pipeline, logger);

    public Task<IngestionBatchReport> IngestPendingAsync(IndexStore store, int maxDocuments, int parallelism, CancellationToken ct) =>
        _pipeline.IngestPendingAsync(TargetFor(store), maxDocuments, parallelism, ct);

    /// <summary>
    /// Ingests batches until the index has no unfinished document (the CLI and eval path; the API's
    /// worker calls <see cref="IngestPendingAsync"/> in its loop instead). Reports after every batch.
    /// </summary>
    public Task<IngestionBatchReport> DrainAsync(IndexStore store, int batchSize, int parallelism, IProgress<IngestionBatchReport>? progress, CancellationToken ct) =>
        _pipeline.DrainAsync(TargetFor(store), batchSize, parallelism, progress, ct);

    /// <summary>The index as the pipeline sees it; models are resolved only when a batch has work.</summary>
    public IngestionTarget TargetFor(IndexStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var options = retrieval?.Value;
        return new IngestionTarget(store.Name, store.Jobs, store.Duplicates, store, () => models.Get(store.Settings.EmbeddingModel))
        {
            Chunking = store.Settings.Chunking,
            Deduplication = store.Settings.Deduplication,
            ResolveSecondStageModel = () => options is { SecondStage: true, SecondStageEmbedAtIngestion: true }
                ? models.SecondStageModelFor(store.Settings.EmbeddingModel, options)
                : null,
            SecondStageSlice = Math.Max(1, options?.SecondStageIngestSlice ?? 1),
            Attempts = store.Jobs as IJobAttempts,
            Limits = service?.Value is { } rag
                ? new IngestionLimits { MaxAttempts = rag.MaxAttempts, ParseTimeout = rag.ParseTimeout, MaxPages = rag.MaxPagesPerDocument }
                : new IngestionLimits(),
        };
    }
}
