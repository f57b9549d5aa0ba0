using System.Globalization;
using System.Text;

namespace RagService.Evaluation.FollowUps;

/// <summary>The follow-up evaluation as Markdown: the variants table, then each follow-up with its rules rewrite.</summary>
public static class FollowUpReportMarkdown
{
    public static string Render(FollowUpEvalReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# Follow-up retrieval ({report.Pairs} two-turn follow-ups, {report.Documents} documents, {report.Chunks} chunks, {report.Model}, hybrid top 5)");
        md.AppendLine();
        md.AppendLine("| query | hit@1 | hit@5 | MRR@5 | misses@5 |");
        md.AppendLine("|---|---|---|---|---|");
        foreach (var v in report.Variants)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {v.Variant} | {v.HitAt1:0.000} | {v.HitAt5:0.000} ({v.HitsAt5}/{v.Pairs}) | {v.Mrr5:0.000} | {string.Join(", ", v.MissesAt5)} |");
        }

        md.AppendLine();
        md.AppendLine("| id | follow-up | rules rewrite | hit as asked | hit rewritten |");
        md.AppendLine("|---|---|---|---|---|");
        foreach (var r in report.Rows)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {r.Id} | {r.FollowUp} | {(r.Changed ? r.Rewritten : "(unchanged)")} | {(r.HitAsAsked ? "yes" : "no")} | {(r.HitRewritten ? "yes" : "no")} |");
        }

        return md.ToString();
    }
}
