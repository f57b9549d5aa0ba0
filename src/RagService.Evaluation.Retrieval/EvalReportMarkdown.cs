using System.Globalization;
using System.Text;
using System.Text.Json;

namespace RagService.Evaluation.Retrieval;

/// <summary>The Markdown page <c>rag eval</c> writes beside its JSON report, and the number formats both it and the console table use.</summary>
public static class EvalReportMarkdown
{
    public static string Render(EvalReport r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"# Retrieval evaluation: {r.Dataset} ({r.Split})");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"{r.Queries} queries · model `{r.EmbeddingModel}` · chunk budget {r.ChunkMaxTokens} tokens · contextual header {r.ContextualHeader} · {r.Vectors} vectors · index {r.IndexBytes / 1048576.0:0.0} MiB · {r.Cores} cores · {r.At:u}");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Queries sent: {r.Transport} (latency measured by the caller, around each query).");
        sb.AppendLine();
        sb.AppendLine(r.Retrieval is null
            ? "Retrieval settings: the remote service's own (each row's trace settings below)."
            : $"Retrieval settings: `{JsonSerializer.Serialize(r.Retrieval)}`");
        sb.AppendLine();
        sb.AppendLine("| stage | nDCG@10 | MRR@10 | Recall@10 | Recall@100 | P@5 | hit@1 | hit@5 | p50 ms | p95 ms | p99 ms |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var m in r.Modes)
        {
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {m.Mode} | {Score(m.Metrics.At(10).Ndcg)} | {Score(m.Metrics.At(10).Mrr)} | {Score(m.Metrics.At(10).Recall)} | {Score(m.Metrics.At(100).Recall)} | {Score(m.Metrics.At(5).Precision)} | {Score(m.Metrics.At(1).Hit)} | {Score(m.Metrics.At(5).Hit)} | {Milliseconds(m.Latency.P50Ms)} | {Milliseconds(m.Latency.P95Ms)} | {Milliseconds(m.Latency.P99Ms)} |");
        }

        sb.AppendLine();
        sb.AppendLine("Configuration of each row (as the search trace reports it):");
        sb.AppendLine();
        foreach (var m in r.Modes)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"- **{m.Mode}**: `{string.Join("; ", m.Settings.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value))}`");
        }

        if (r.Ingestion is { } i)
        {
            sb.AppendLine();
            sb.AppendLine(CultureInfo.InvariantCulture, $"Ingestion: {i.Documents} documents ({i.Failed} failed), {i.Chunks} chunks in {i.Seconds:0.0} s = {i.ChunksPerSecond:0.0} chunks/s, {i.DocumentsPerSecond:0.0} documents/s. Stage time: parse+chunk {i.ParseSeconds:0.0} s, embed {i.EmbedSeconds:0.0} s (of which the second-stage model {i.SecondModelSeconds:0.0} s for {i.SecondModelChunks} chunks), write {i.WriteSeconds:0.0} s; embedding share {i.EmbeddingShare:P1}.");
        }

        return sb.ToString();
    }

    /// <summary>A metric in [0, 1], four decimals.</summary>
    public static string Score(double v) => v.ToString("0.0000", CultureInfo.InvariantCulture);

    /// <summary>A latency in milliseconds, one decimal.</summary>
    public static string Milliseconds(double v) => v.ToString("0.0", CultureInfo.InvariantCulture);
}
