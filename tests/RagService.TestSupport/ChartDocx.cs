using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using A = DocumentFormat.OpenXml.Drawing;
using C = DocumentFormat.OpenXml.Drawing.Charts;
using Wp = DocumentFormat.OpenXml.Drawing.Wordprocessing;

namespace RagService.TestSupport;

/// <summary>
/// A DOCX holding a bar chart, written with the Open XML SDK: the chart part carries cached series
/// names, category labels and values, as Word stores them next to the embedded workbook.
/// </summary>
public static class ChartDocx
{
    public const string Title = "Backup restores per quarter";
    public static readonly IReadOnlyList<string> Categories = ["Q1", "Q2", "Q3"];
    public static readonly IReadOnlyList<(string Name, double[] Values)> Series =
    [
        ("Completed", [41, 37.5, 52]),
        ("Failed", [3, 0.1 + 0.2, 1]),
    ];

    public static void Write(string path)
    {
        using var document = WordprocessingDocument.Create(path, WordprocessingDocumentType.Document);
        var main = document.AddMainDocumentPart();
        var chartPart = main.AddNewPart<ChartPart>();
        chartPart.ChartSpace = BuildChart();
        var id = main.GetIdOfPart(chartPart);
        main.Document = new Document(new Body(
            new Paragraph(new Run(new Text("Restore tests run every quarter."))),
            new Paragraph(new Run(new Drawing(new Wp.Inline(
                new Wp.Extent { Cx = 5486400, Cy = 3200400 },
                new Wp.DocProperties { Id = 1U, Name = "Chart 1" },
                new A.Graphic(new A.GraphicData(new C.ChartReference { Id = id }) { Uri = "http://schemas.openxmlformats.org/drawingml/2006/chart" }))))),
            new Paragraph(new Run(new Text("The failed restores were all traced to expired credentials.")))));
    }

    private static C.ChartSpace BuildChart()
    {
        var bar = new C.BarChart(new C.BarDirection { Val = C.BarDirectionValues.Column }, new C.BarGrouping { Val = C.BarGroupingValues.Clustered });
        for (var s = 0; s < Series.Count; s++)
        {
            var (name, values) = Series[s];
            var categories = new C.StringCache(new C.PointCount { Val = (uint)Categories.Count });
            for (var i = 0; i < Categories.Count; i++)
            {
                categories.Append(new C.StringPoint(new C.NumericValue(Categories[i])) { Index = (uint)i });
            }

            var numbers = new C.NumberingCache(new C.FormatCode("General"), new C.PointCount { Val = (uint)values.Length });
            for (var i = 0; i < values.Length; i++)
            {
                // Written as a spreadsheet writes doubles: shortest round-trip form ("0.30000000000000004").
                numbers.Append(new C.NumericPoint(new C.NumericValue(values[i].ToString("R", System.Globalization.CultureInfo.InvariantCulture))) { Index = (uint)i });
            }

            bar.Append(new C.BarChartSeries(
                new C.Index { Val = (uint)s },
                new C.Order { Val = (uint)s },
                new C.SeriesText(new C.StringReference(new C.Formula($"Sheet1!${(char)('B' + s)}$1"),
                    new C.StringCache(new C.PointCount { Val = 1U }, new C.StringPoint(new C.NumericValue(name)) { Index = 0U }))),
                new C.CategoryAxisData(new C.StringReference(new C.Formula("Sheet1!$A$2:$A$4"), categories)),
                new C.Values(new C.NumberReference(new C.Formula($"Sheet1!${(char)('B' + s)}$2:${(char)('B' + s)}$4"), numbers))));
        }

        var title = new C.Title(new C.ChartText(new C.RichText(new A.BodyProperties(), new A.ListStyle(),
            new A.Paragraph(new A.Run(new A.Text(Title))))));
        return new C.ChartSpace(new C.Chart(title, new C.PlotArea(new C.Layout(), bar)));
    }
}
