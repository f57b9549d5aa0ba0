using RagService.Indexing;
using RagService.Ingestion.Jobs;

namespace RagService.Evaluation.Retrieval;

/// <summary>
/// What <c>rag eval</c> writes as JSON: the dataset, the index it searched, how queries were sent, and one
/// row per mode or ablation step. The property names and their order are the report's file format
/// (the quality regression tests read <c>modes[].mode</c>, <c>modes[].metrics</c> and <c>transport</c>; the API's
/// <c>/v1/eval/runs</c> routes read the header, <c>modes[]</c> with <c>perQuery</c>, and <c>queryTexts</c>).
/// </summary>
public sealed record EvalReport(
    string Dataset, string DatasetPath, string Split, int Queries, string Index, string EmbeddingModel, int ChunkMaxTokens,
    bool ContextualHeader, string Transport, RagService.Retrieval.RetrievalOptions? Retrieval, long Vectors, long IndexBytes, IngestionStats? Ingestion,
    IReadOnlyList<ModeResult> Modes, DateTimeOffset At, int Cores, IReadOnlyDictionary<string, string>? QueryTexts = null)
{
    /// <summary>The text of each evaluated query by id, written once for every row's <see cref="ModeResult.PerQuery"/>.</summary>
    public static IReadOnlyDictionary<string, string> TextsOf(EvalQuerySet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var query in set.Queries)
        {
            texts.TryAdd(query.Id, query.Text);
        }

        return texts;
    }
}

/// <summary>
/// One row of the report: the metrics, caller-side latency, the settings the search trace reported, and each
/// judged query's outcome (absent from reports written before it was recorded).
/// </summary>
public sealed record ModeResult(
    string Mode, RetrievalEvaluation Metrics, LatencySummary Latency, IReadOnlyDictionary<string, string> Settings, IReadOnlyList<QueryOutcome>? PerQuery = null);

/// <summary>
/// How one judged query fared in one row: its nDCG@10 and reciprocal rank (cut at 10), where each relevant
/// document ranked, and the first documents retrieved. Ranks are 1-based positions in the query's document
/// ranking (a document ranks where its best chunk ranks); null is "not retrieved" (not among the documents of
/// the top 200 chunks).
/// </summary>
public sealed record QueryOutcome(string Id, double Ndcg10, double ReciprocalRank10, int Retrieved, IReadOnlyList<RelevantRank> Relevant, IReadOnlyList<string> Top)
{
    /// <summary>Documents of the ranking kept for the drill-down ("what came instead").</summary>
    public const int TopKept = 5;

    public static QueryOutcome Of(string queryId, IReadOnlyList<RunEntry> run, IReadOnlyDictionary<string, int> judged)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(judged);
        var ranked = RetrievalMetrics.Ranked(run);
        var rankOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < ranked.Count; i++)
        {
            rankOf[ranked[i].DocumentId] = i + 1;
        }

        var relevant = judged.Where(kv => kv.Value > 0)
            .Select(kv => new RelevantRank(kv.Key, kv.Value, rankOf.TryGetValue(kv.Key, out var rank) ? rank : null))
            .OrderBy(r => r.Rank ?? int.MaxValue).ThenBy(r => r.DocumentId, StringComparer.Ordinal)
            .ToList();
        return new QueryOutcome(
            queryId, RetrievalMetrics.Ndcg(run, judged, 10), RetrievalMetrics.ReciprocalRank(run, judged, 10), ranked.Count, relevant,
            ranked.Take(TopKept).Select(r => r.DocumentId).ToList());
    }
}

/// <summary>A relevant document of a query (its qrel grade &gt; 0) and the rank it came at; null when it was not retrieved.</summary>
public sealed record RelevantRank(string DocumentId, int Grade, int? Rank);

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
