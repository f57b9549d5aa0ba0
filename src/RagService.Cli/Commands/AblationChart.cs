using ScottPlot;

namespace RagService.Cli.Commands;

/// <summary>The ablation as a PNG: nDCG@10 and Recall@10 per row, side by side.</summary>
public static class AblationChart
{
    public static void Save(string path, string title, IReadOnlyList<(string Stage, double Ndcg, double Recall)> rows)
    {
        var plot = new Plot();
        var bars = new List<Bar>();
        var ticks = new List<Tick>();
        for (var i = 0; i < rows.Count; i++)
        {
            bars.Add(new Bar { Position = (i * 3) + 0, Value = rows[i].Ndcg, FillColor = Colors.SteelBlue, Label = rows[i].Ndcg.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture) });
            bars.Add(new Bar { Position = (i * 3) + 1, Value = rows[i].Recall, FillColor = Colors.Orange });
            ticks.Add(new Tick((i * 3) + 0.5, rows[i].Stage));
        }

        var barPlot = plot.Add.Bars(bars);
        barPlot.ValueLabelStyle.FontSize = 9;
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks.ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = 35;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.Margins(bottom: 0);
        plot.Title(title);
        plot.YLabel("score (blue nDCG@10, orange Recall@10)");
        plot.Layout.Fixed(new PixelPadding(70, 20, 230, 40));
        plot.SavePng(path, 1400, 700);
    }
}
