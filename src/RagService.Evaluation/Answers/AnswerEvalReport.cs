using System.Globalization;
using System.Text;

namespace RagService.Evaluation.Answers;

/// <summary>One run of <c>rag eval-answers</c>: the set, the split, the generator, the figures overall and by group, and every outcome.</summary>
public sealed record AnswerEvalReport(
    string Dataset,
    string Split,
    string GeneratedBy,
    int Documents,
    double IngestSeconds,
    AnswerMetrics Overall,
    IReadOnlyDictionary<string, AnswerMetrics> ByKind,
    IReadOnlyDictionary<string, AnswerMetrics> ByLanguage,
    IReadOnlyList<AnswerOutcome> Outcomes,
    DateTimeOffset Started,
    int Cores)
{
    public static AnswerEvalReport Create(string dataset, string split, int documents, double ingestSeconds, IReadOnlyList<AnswerOutcome> outcomes) =>
        new(dataset, split, string.Join(", ", outcomes.GroupBy(o => o.GeneratedBy).OrderByDescending(g => g.Count()).Select(g => g.Key)), documents, ingestSeconds, AnswerMetrics.Of(outcomes),
            outcomes.GroupBy(o => o.Kind).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => AnswerMetrics.Of(g.ToList())),
            outcomes.GroupBy(o => o.Language).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => AnswerMetrics.Of(g.ToList())),
            outcomes, DateTimeOffset.UtcNow, Environment.ProcessorCount);

    /// <summary>The report as Markdown: the figures table by group, then every miss (wrong, unanswered, or wrongly answered) for inspection.</summary>
    public string ToMarkdown()
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# Answer quality: {Dataset} ({Split})");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"{Overall.Questions} questions, {Documents} documents ingested in {IngestSeconds:0.0} s, answers by `{GeneratedBy}`, {Cores} cores, {Started:u}.");
        md.AppendLine();
        md.AppendLine("| group | n | accuracy | citation precision | citation recall | section | noAnswer P | noAnswer R | noAnswer F1 | median chars | p90 chars | latency p50 / p95 ms | faithfulness |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        Row(md, "all", Overall);
        foreach (var (kind, m) in ByKind)
        {
            Row(md, kind, m);
        }

        foreach (var (language, m) in ByLanguage)
        {
            Row(md, "lang " + language, m);
        }

        md.AppendLine();
        md.AppendLine("## Misses");
        md.AppendLine();
        foreach (var o in Outcomes.Where(o => o.Unanswerable ? !o.NoAnswer : !o.Correct || o.PreciseCitations < o.Citations))
        {
            var answer = o.Answer.Length > 300 ? o.Answer[..300] + "…" : o.Answer;
            md.AppendLine(CultureInfo.InvariantCulture, $"- `{o.Id}` ({o.Kind}) {o.Asked} → {(o.NoAnswer ? "noAnswer" : answer.Replace('\n', ' '))} (citations {o.PreciseCitations}/{o.Citations})");
        }

        return md.ToString();
    }

    private static void Row(StringBuilder md, string group, AnswerMetrics m) =>
        md.AppendLine(CultureInfo.InvariantCulture,
            $"| {group} | {m.Questions} | {m.Accuracy:0.000} | {m.CitationPrecision:0.000} | {m.CitationRecall:0.000} | {m.SectionAccuracy:0.000} | {m.NoAnswerPrecision:0.000} | {m.NoAnswerRecall:0.000} | {m.NoAnswerF1:0.000} | {m.MedianAnswerChars} | {m.P90AnswerChars} | {m.MedianLatencyMs:0} / {m.P95LatencyMs:0} | {(m.Faithfulness is { } f ? f.ToString("0.000", CultureInfo.InvariantCulture) : "–")} |");
}
