using System.Globalization;
using System.Text;

namespace RagService.Evaluation.Chunking;

/// <summary>The Markdown page <c>rag eval-chunks</c> writes beside its JSON report, and the formats both it and the console tables use.</summary>
public static class ChunkEvalReportMarkdown
{
    public static string Render(ChunkEvalReport r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"# Chunking evaluation: {r.Documents} documents, model `{r.Model}`, budget {r.MaxTokens} tokens, semantic threshold {r.SemanticThreshold:0.00}");
        sb.AppendLine();
        sb.AppendLine("| chunking | trees | chunks | tables intact | lists intact | boundaries inside a sentence | sentences split | section path (DOCX) | innermost section (DOCX) | tokens min / p50 / p95 / max | chunking s |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var s in r.Structure)
        {
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {s.Chunking} | {s.Trees} | {s.Chunks} | {Rate(s.TablesIntact)} | {Rate(s.ListsIntact)} | {Rate(Failed(s.BoundariesBetweenSentences))} | {Rate(Failed(s.SentencesWhole))} | {OptionalRate(s.SectionPath)} | {OptionalRate(s.InnermostSection)} | {s.MinTokens} / {s.P50Tokens} / {s.P95Tokens} / {s.MaxTokens} | {s.ChunkSeconds:0.00} |");
        }

        if (r.Retrieval.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("| chunking | contextual header | chunks | section-hit@1 | section-hit@5 | MRR@10 | parse+chunk s | chunk s | dedup s | embed s | write s | (chunk+dedup)/embed | duplicates |");
            sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
            foreach (var q in r.Retrieval)
            {
                sb.AppendLine(CultureInfo.InvariantCulture,
                    $"| {q.Chunking} | {(q.ContextualHeader ? "yes" : "no")} | {q.Chunks} | {Score(q.HitAt1)} | {Score(q.HitAt5)} | {Score(q.Mrr)} | {q.ParseSeconds:0.0} | {q.ChunkSeconds:0.00} | {q.DedupSeconds:0.00} | {q.EmbedSeconds:0.0} | {q.WriteSeconds:0.0} | {(q.ChunkSeconds + q.DedupSeconds) / Math.Max(q.EmbedSeconds, 1e-9):P1} | {q.Duplicates} |");
            }
        }

        return sb.ToString();
    }

    /// <summary>The items that failed the check, as a count of the same total (sentences split rather than whole).</summary>
    public static QualityCount Failed(QualityCount c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return new(c.Total - c.Passed, c.Total);
    }

    /// <summary>"97.5% (39/40)".</summary>
    public static string Rate(QualityCount c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return $"{c.Rate:P1} ({c.Passed}/{c.Total})";
    }

    /// <summary>A rate, or "-" where the check does not apply.</summary>
    public static string OptionalRate(QualityCount? c) => c is null ? "-" : Rate(c);

    /// <summary>A hit rate or MRR, three decimals.</summary>
    public static string Score(double v) => v.ToString("0.000", CultureInfo.InvariantCulture);
}
