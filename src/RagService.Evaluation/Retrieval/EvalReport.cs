using RagService.Indexing;
using RagService.Ingestion.Jobs;

namespace RagService.Evaluation.Retrieval;

/// <summary>
/// What <c>rag eval</c> writes as JSON: the dataset, the index it searched, how queries were sent, and one
/// row per mode or ablation step. The property names and their order are the report's file format
/// (the quality regression tests read <c>modes[].mode</c>, <c>modes[].metrics</c> and <c>transport</c>).
/// </summary>
public sealed record EvalReport(
    string Dataset, string DatasetPath, string Split, int Queries, string Index, string EmbeddingModel, int ChunkMaxTokens,
    bool ContextualHeader, string Transport, RagService.Retrieval.RetrievalOptions? Retrieval, long Vectors, long IndexBytes, IngestionStats? Ingestion,
    IReadOnlyList<ModeResult> Modes, DateTimeOffset At, int Cores);

/// <summary>One row of the report: the metrics, caller-side latency and the settings the search trace reported.</summary>
public sealed record ModeResult(string Mode, RetrievalEvaluation Metrics, LatencySummary Latency, IReadOnlyDictionary<string, string> Settings);

/// <summary>The evaluated index as the report describes it, whether opened here or asked of a running service.</summary>
public sealed record IndexSummary(string EmbeddingModel, int ChunkMaxTokens, bool ContextualHeader, long Vectors, long Bytes)
{
    /// <summary>An index opened here, described with the settings the evaluation asked for.</summary>
    public static IndexSummary Of(IndexSettings settings, IndexStore store)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(store);
        return new(settings.EmbeddingModel, settings.Chunking.MaxTokens, settings.Chunking.ContextualHeader, store.Vectors.Count, store.SizeOnDiskBytes());
    }

    public static IndexSummary Of(RemoteIndexInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return new(info.EmbeddingModel, info.ChunkMaxTokens, info.ContextualHeader, info.VectorCount, info.SizeOnDiskBytes);
    }
}

/// <summary>Throughput of the corpus ingestion an evaluation ran (absent when the index was already built).</summary>
public sealed record IngestionStats(
    int Documents, int Failed, int Chunks, double Seconds, double ChunksPerSecond, double DocumentsPerSecond,
    double ParseSeconds, double EmbedSeconds, double WriteSeconds, double EmbeddingShare, int SecondModelChunks, double SecondModelSeconds)
{
    /// <summary>The totals of every batch, over the wall time they took.</summary>
    public static IngestionStats From(IngestionBatchReport totals, double seconds)
    {
        ArgumentNullException.ThrowIfNull(totals);
        return new(
            totals.Ready, totals.Failed, totals.Chunks, seconds, totals.Chunks / Math.Max(seconds, 1e-9),
            totals.Ready / Math.Max(seconds, 1e-9), totals.Parse.TotalSeconds, totals.Embed.TotalSeconds, totals.Write.TotalSeconds,
            totals.Embed.TotalSeconds / Math.Max(seconds, 1e-9), totals.SecondEmbedded, totals.SecondEmbed.TotalSeconds);
    }
}
