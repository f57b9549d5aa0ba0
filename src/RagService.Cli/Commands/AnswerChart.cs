using RagService.Evaluation.Answers;
using ScottPlot;

namespace RagService.Cli.Commands;

/// <summary>The answer-quality figures as a PNG: one bar per rate, with the goals drawn as marks where there is one.</summary>
public static class AnswerChart
{
    public static void Save(string path, string title, AnswerEvalReport report)
    {
        var m = report.Overall;
        (string Name, double Value, double? Goal)[] rows =
        [
            ("accuracy", m.Accuracy, 0.85),
            ("citation precision", m.CitationPrecision, 0.90),
            ("citation recall", m.CitationRecall, null),
            ("section", m.SectionAccuracy, null),
            ("noAnswer F1", m.NoAnswerF1, 0.80),
            ("faithfulness", m.Faithfulness ?? 0, null),
        ];
        var plot = new Plot();
        var bars = rows.Select((r, i) => new Bar
        {
            Position = i, Value = r.Value, FillColor = Colors.SteelBlue,
            Label = r.Value.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture),
        }).ToList();
        plot.Add.Bars(bars);
        foreach (var (row, i) in rows.Select((r, i) => (r, i)))
        {
            if (row.Goal is { } goal)
            {
                var line = plot.Add.Line(i - 0.4, goal, i + 0.4, goal);
                line.Color = Colors.OrangeRed;
                line.LineWidth = 3;
            }
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(rows.Select((r, i) => new Tick(i, r.Name)).ToArray());
        plot.Axes.SetLimitsY(0, 1.1);
        plot.Title($"{title}: median answer {m.MedianAnswerChars} chars, latency p50 {m.MedianLatencyMs:0} ms");
        plot.YLabel("rate (red: goal)");
        plot.SavePng(path, 1100, 550);
    }
}
