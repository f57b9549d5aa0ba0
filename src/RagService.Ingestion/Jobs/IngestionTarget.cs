using RagService.Core.Jobs;
using RagService.Core.Models;
using RagService.Core.Options;

namespace RagService.Ingestion.Jobs;

/// <summary>
/// The index an ingestion run works on, in the terms of the Core contracts only: its job queue, its
/// duplicate index, where finished versions are written, and the settings and models its chunks need.
/// The models are resolved only when there is work, so an idle poll loads nothing.
/// </summary>
public sealed record IngestionTarget(
    string IndexName,
    IJobStore Jobs,
    IDuplicateIndex Duplicates,
    IIndexWriter Writer,
    Func<IEmbeddingModel> ResolveModel)
{
    public ChunkingOptions Chunking { get; init; } = new();

    public DeduplicationOptions Deduplication { get; init; } = new();

    /// <summary>
    /// The retrieval second stage's model, when its cache should be filled at ingestion (null: it is not);
    /// the second stage then rescores a fresh index without model work.
    /// </summary>
    public Func<IEmbeddingModel?> ResolveSecondStageModel { get; init; } = () => null;

    /// <summary>Where attempts are counted before work starts (null: not counted, a timeout fails at once).</summary>
    public IJobAttempts? Attempts { get; init; }

    /// <summary>What one document may cost: attempts, parse time, pages.</summary>
    public IngestionLimits Limits { get; init; } = new();

    /// <summary>How many texts the second model embeds between two progress updates.</summary>
    public int SecondStageSlice { get; init; } = 256;
}
