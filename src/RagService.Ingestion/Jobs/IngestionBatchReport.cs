namespace RagService.Ingestion.Jobs;

/// <summary>Time spent per stage by one ingestion batch, for progress reports and the ingestion benchmark.</summary>
public sealed record IngestionBatchReport(int Ready, int Failed, int Chunks, TimeSpan Parse, TimeSpan Embed, TimeSpan Write, TimeSpan Total)
{
    public static IngestionBatchReport Empty { get; } = new(0, 0, 0, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);

    /// <summary>Time spent chunking (summed over the parallel workers; part of <see cref="Parse"/>'s wall time).</summary>
    public TimeSpan Chunking { get; init; }

    /// <summary>Time spent finding exact and near duplicates.</summary>
    public TimeSpan Dedup { get; init; }

    /// <summary>Chunks linked to an original instead of being indexed.</summary>
    public int Duplicates { get; init; }

    /// <summary>Time spent embedding chunks with the second stage's model (part of <see cref="Embed"/>).</summary>
    public TimeSpan SecondEmbed { get; init; }

    /// <summary>Chunks embedded with the second stage's model (cached, so its query-time rescoring does no model work).</summary>
    public int SecondEmbedded { get; init; }

    /// <summary>Documents whose attempt timed out and that wait for another (neither ready nor failed yet).</summary>
    public int Retrying { get; init; }

    /// <summary>The totals of two reports (several batches).</summary>
    public IngestionBatchReport Plus(IngestionBatchReport other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new IngestionBatchReport(
            Ready + other.Ready, Failed + other.Failed, Chunks + other.Chunks,
            Parse + other.Parse, Embed + other.Embed, Write + other.Write, Total + other.Total)
        {
            Chunking = Chunking + other.Chunking,
            Dedup = Dedup + other.Dedup,
            Duplicates = Duplicates + other.Duplicates,
            SecondEmbed = SecondEmbed + other.SecondEmbed,
            SecondEmbedded = SecondEmbedded + other.SecondEmbedded,
            Retrying = other.Retrying,
        };
    }
}
