namespace RagService.Evaluation.Answers;

/// <summary>
/// The answer-quality figures of a set of outcomes. Accuracy, citation recall and section accuracy are
/// over the answerable questions; citation precision over all citations given to answerable questions
/// (micro-average); no-answer precision and recall treat <c>noAnswer</c> as the prediction of
/// "unanswerable". Answer length is over answers given (no-answers excluded).
/// </summary>
public sealed record AnswerMetrics(
    int Questions,
    int Answerable,
    int Unanswerable,
    double Accuracy,
    double CitationPrecision,
    double CitationRecall,
    double SectionAccuracy,
    double NoAnswerPrecision,
    double NoAnswerRecall,
    double NoAnswerF1,
    int MedianAnswerChars,
    int P90AnswerChars,
    double MedianLatencyMs,
    double P95LatencyMs,
    double? Faithfulness)
{
    public static AnswerMetrics Of(IReadOnlyList<AnswerOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        var answerable = outcomes.Where(o => !o.Unanswerable).ToList();
        var unanswerable = outcomes.Count - answerable.Count;
        var citations = answerable.Sum(o => o.Citations);
        var flagged = outcomes.Count(o => o.NoAnswer);
        var truePositives = outcomes.Count(o => o.NoAnswer && o.Unanswerable);
        var precision = Ratio(truePositives, flagged);
        var recall = Ratio(truePositives, unanswerable);
        var lengths = outcomes.Where(o => !o.NoAnswer).Select(o => (double)o.AnswerChars).ToList();
        var latencies = outcomes.Select(o => o.ClientMs).ToList();
        var faithful = outcomes.Where(o => o.Faithfulness is not null).Select(o => o.Faithfulness!.Value).ToList();
        return new AnswerMetrics(
            outcomes.Count,
            answerable.Count,
            unanswerable,
            Ratio(answerable.Count(o => o.Correct), answerable.Count),
            Ratio(answerable.Sum(o => o.PreciseCitations), citations),
            Ratio(answerable.Count(o => o.CitationHit), answerable.Count),
            Ratio(answerable.Count(o => o.SectionHit), answerable.Count),
            precision,
            recall,
            precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall),
            (int)Math.Round(Percentile(lengths, 0.5)),
            (int)Math.Round(Percentile(lengths, 0.9)),
            Percentile(latencies, 0.5),
            Percentile(latencies, 0.95),
            faithful.Count == 0 ? null : faithful.Average());
    }

    private static double Ratio(int part, int whole) => whole == 0 ? 0 : (double)part / whole;

    /// <summary>Linear interpolation between closest ranks; 0 for an empty list.</summary>
    public static double Percentile(IReadOnlyList<double> values, double q)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToList();
        var position = q * (sorted.Count - 1);
        var low = (int)Math.Floor(position);
        var high = (int)Math.Ceiling(position);
        return sorted[low] + ((sorted[high] - sorted[low]) * (position - low));
    }
}
