using System.Globalization;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using Charts = DocumentFormat.OpenXml.Drawing.Charts;

namespace RagService.Ingestion.Parsing.Docx;

/// <summary>
/// A chart embedded in a DOCX keeps its numbers in the chart part's caches (the values Word last drew).
/// They are read back as a table (a header row of series names, then one row per category) so the
/// figures a chart shows can be retrieved and cited like any other table.
/// </summary>
internal static class ChartData
{
    private const string ChartNamespace = "http://schemas.openxmlformats.org/drawingml/2006/chart";

    /// <summary>The charts a paragraph draws, in order: each with its title (null when it has none) and its rows.</summary>
    public static IEnumerable<(string? Title, List<IReadOnlyList<string>> Rows)> Read(OpenXmlElement paragraph, MainDocumentPart main)
    {
        foreach (var reference in paragraph.Descendants<Charts.ChartReference>())
        {
            // Word writes some drawings twice (a modern choice and a legacy fallback); the fallback is a copy.
            if (reference.Ancestors<AlternateContentFallback>().Any() || reference.Id?.Value is not { } id)
            {
                continue;
            }

            if (main.TryGetPartById(id, out var part) && part is ChartPart { ChartSpace: { } space } &&
                Table(space) is { Count: > 1 } rows)
            {
                yield return (Title(space), rows);
            }
        }
    }

    private static string? Title(Charts.ChartSpace space)
    {
        var title = space.GetFirstChild<Charts.Chart>()?.Title;
        var text = title is null ? string.Empty : string.Concat(title.Descendants<DocumentFormat.OpenXml.Drawing.Text>().Select(t => t.Text)).Trim();
        return text.Length == 0 ? null : text;
    }

    private static List<IReadOnlyList<string>>? Table(Charts.ChartSpace space)
    {
        var plotArea = space.GetFirstChild<Charts.Chart>()?.PlotArea;
        if (plotArea is null)
        {
            return null;
        }

        // Every chart type names its series <c:ser>; categories sit in <c:cat> (or <c:xVal> on scatter
        // charts), numbers in <c:val> (or <c:yVal>), each as cached points with an index.
        var series = plotArea.Descendants().Where(e => e.LocalName == "ser" && e.NamespaceUri == ChartNamespace).ToList();
        if (series.Count == 0)
        {
            return null;
        }

        var names = new List<string>();
        var categories = new SortedDictionary<int, string>();
        var values = new List<Dictionary<int, string>>();
        foreach (var (ser, i) in series.Select((s, i) => (s, i)))
        {
            var name = Child(ser, "tx") is { } tx ? string.Concat(tx.Descendants().Where(e => e.LocalName == "v").Select(e => e.InnerText)).Trim() : string.Empty;
            names.Add(name.Length > 0 ? name : string.Create(CultureInfo.InvariantCulture, $"Series {i + 1}"));
            foreach (var (index, value) in Points(Child(ser, "cat") ?? Child(ser, "xVal")))
            {
                categories.TryAdd(index, value);
            }

            values.Add(Points(Child(ser, "val") ?? Child(ser, "yVal")).GroupBy(p => p.Index).ToDictionary(g => g.Key, g => g.First().Value));
        }

        var indexes = categories.Keys.Union(values.SelectMany(v => v.Keys)).Order().ToList();
        var rows = new List<IReadOnlyList<string>> { new[] { string.Empty }.Concat(names).ToList() };
        foreach (var index in indexes)
        {
            var label = categories.TryGetValue(index, out var c) ? c : string.Create(CultureInfo.InvariantCulture, $"{index + 1}");
            rows.Add(new[] { label }.Concat(values.Select(v => v.TryGetValue(index, out var x) ? x : string.Empty)).ToList());
        }

        return rows;
    }

    /// <summary>Cached numbers carry binary noise ("4.4000000000000004"); 15 significant digits is what a spreadsheet shows.</summary>
    private static string Tidy(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && value.Length > 15
            ? number.ToString("G15", CultureInfo.InvariantCulture)
            : value;

    private static OpenXmlElement? Child(OpenXmlElement parent, string localName) =>
        parent.ChildElements.FirstOrDefault(e => e.LocalName == localName);

    /// <summary>Cached points (&lt;c:pt idx="n"&gt;&lt;c:v&gt;…&lt;/c:v&gt;&lt;/c:pt&gt;) of a string, number or multi-level reference or literal.</summary>
    private static IEnumerable<(int Index, string Value)> Points(OpenXmlElement? data)
    {
        if (data is null)
        {
            yield break;
        }

        foreach (var point in data.Descendants().Where(e => e.LocalName == "pt"))
        {
            var idx = point.GetAttributes().FirstOrDefault(a => a.LocalName == "idx").Value;
            var value = point.ChildElements.FirstOrDefault(e => e.LocalName == "v")?.InnerText;
            if (int.TryParse(idx, NumberStyles.Integer, CultureInfo.InvariantCulture, out var index) && value is not null)
            {
                yield return (index, Tidy(value.Trim()));
            }
        }
    }
}
