using RagService.Core.Documents;
using RagService.Ingestion.Parsing;
using RagService.Ingestion.Parsing.Pdf;
using RagService.TestSupport;
using Xunit.Abstractions;

namespace RagService.Ingestion.Tests;

using DocumentFormat = RagService.Core.Documents.DocumentFormat;
using Segment = RagService.Ingestion.Parsing.Pdf.RulingDetector.Segment;

public sealed class PdfRuledTableTests(ITestOutputHelper output) : IDisposable
{
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task Ruled_grid_becomes_a_table_with_wrapped_and_empty_cells_in_place()
    {
        var path = _files.Write("ruled.pdf", RuledTablePdf.Build());
        var tree = await new PdfParser().ParseAsync(new DocumentSource(path, "ruled.pdf", DocumentFormat.Pdf), CancellationToken.None);
        output.WriteLine(DocumentTreeMarkdown.Render(tree));

        var table = Assert.Single(tree.Blocks, b => b.Kind == BlockKind.Table);
        Assert.NotNull(table.Rows);
        Assert.Equal(RuledTablePdf.Rows.Count, table.Rows.Count);
        for (var r = 0; r < RuledTablePdf.Rows.Count; r++)
        {
            Assert.Equal(RuledTablePdf.Rows[r], table.Rows[r]);
        }

        Assert.Contains("| Build logs |  | 30 days |", table.Text, StringComparison.Ordinal);
        // Text around the grid stays prose, in order, outside the table.
        var paragraphs = tree.Blocks.Where(b => b.Kind == BlockKind.Paragraph).Select(b => b.Text).ToList();
        Assert.Equal([RuledTablePdf.Intro, RuledTablePdf.After], paragraphs);
        Assert.True(tree.Blocks.ToList().FindIndex(b => b.Kind == BlockKind.Table) is var t && t > 0 && t < tree.Blocks.Count - 1);
    }

    [Fact]
    public void Rules_drawn_cell_by_cell_join_into_one_grid()
    {
        // Two rows by two columns, every rule drawn as separate per-cell pieces with small gaps.
        var horizontal = new List<Segment>();
        foreach (var y in new[] { 300.0, 280, 260 })
        {
            horizontal.Add(new Segment(y, 100, 200));
            horizontal.Add(new Segment(y + 0.3, 201, 300));
        }

        var vertical = new List<Segment>();
        foreach (var x in new[] { 100.0, 200, 300 })
        {
            vertical.Add(new Segment(x, 280, 300));
            vertical.Add(new Segment(x, 260, 279.5));
        }

        var grid = Assert.Single(RulingDetector.Find(1, horizontal, vertical, 595, 842));
        Assert.Equal(3, grid.Columns.Count);
        Assert.Equal(3, grid.Rows.Count);
        Assert.Equal((1, 1), grid.CellAt(250, 270));
        Assert.Null(grid.CellAt(350, 270));
    }

    [Fact]
    public void A_lone_box_or_unconnected_rules_are_not_a_grid()
    {
        // A boxed note: one rectangle, no inner rules.
        List<Segment> box = [new(300, 100, 300), new(200, 100, 300)];
        List<Segment> sides = [new(100, 200, 300), new(300, 200, 300)];
        Assert.Empty(RulingDetector.Find(1, box, sides, 595, 842));

        // Horizontal rules with vertical rules elsewhere on the page that never touch them.
        List<Segment> rules = [new(700, 100, 300), new(680, 100, 300), new(660, 100, 300)];
        List<Segment> apart = [new(400, 100, 200), new(450, 100, 200), new(500, 100, 200)];
        Assert.Empty(RulingDetector.Find(1, rules, apart, 595, 842));
    }

    [Fact]
    public void Grid_without_enough_text_in_its_cells_is_not_a_table()
    {
        // A chart's gridlines: a 4 x 4 grid with one label inside.
        var grid = new RuledGrid(1, [100, 150, 200, 250, 300], [500, 450, 400, 350, 300]);
        List<PdfLine> lines = [new(1, "42", new BoundingBox(120, 470, 130, 480), 10, false, 0, 842)];
        Assert.Empty(PdfTableDetector.FindRuled(lines, [grid]));
    }

    [Fact]
    public void Cell_that_a_row_rule_does_not_cross_spans_down_and_keeps_its_wrapped_text_together()
    {
        // Two columns, three rows; the rule under the first row is drawn across the right column only.
        var grid = new RuledGrid(1, [100, 200, 300], [500, 480, 460, 440])
        {
            HorizontalRules = [new(500, 100, 300), new(480, 200, 300), new(460, 100, 300), new(440, 100, 300)],
        };
        static PdfLine Line(string text, double left, double bottom, int row) =>
            new(1, text, new BoundingBox(left, bottom, left + 60, bottom + 8), 8, false, 0, 842) { Row = row };
        List<PdfLine> lines =
        [
            Line("Name of the", 102, 488, 0), Line("Alpha", 202, 488, 0),
            Line("standard", 102, 468, 1), Line("Beta", 202, 468, 1),
            Line("Number", 102, 448, 2), Line("20300", 202, 448, 2),
        ];

        var table = Assert.Single(PdfTableDetector.FindRuled(lines, [grid]));

        Assert.Equal(3, table.Rows.Count);
        Assert.Equal(["Name of the standard", "Alpha"], table.Rows[0]);
        Assert.Equal(["", "Beta"], table.Rows[1]);
        Assert.Equal(["Number", "20300"], table.Rows[2]);
    }

    [Fact]
    public void A_lone_short_mark_in_a_long_table_joins_the_column_on_its_left_and_a_real_column_stays()
    {
        // Eight rows of three columns; on one row a speck read as "7" sits between the second and the third column.
        static PdfLine Cell(string text, double left, int row) =>
            new(1, text, new BoundingBox(left, 600 - (row * 14), left + (text.Length * 5), 608 - (row * 14)), 10, false, 0, 842) { Row = row };
        var lines = new List<PdfLine>();
        for (var row = 0; row < 8; row++)
        {
            lines.AddRange([Cell($"City {row}", 57, row), Cell($"{100 + row}", 180, row), Cell("Director", 300, row)]);
        }

        var withSpeck = lines.Append(Cell("7", 250, 3)).ToList();
        var table = Assert.Single(PdfTableDetector.Find(withSpeck));
        Assert.All(table.Rows, r => Assert.Equal(3, r.Count));
        Assert.Equal(["City 3", "103 7", "Director"], table.Rows[3]);

        // Two short values in that band are a column of their own.
        var twoValues = lines.Append(Cell("7", 250, 3)).Append(Cell("9", 250, 5)).ToList();
        Assert.All(Assert.Single(PdfTableDetector.Find(twoValues)).Rows, r => Assert.Equal(4, r.Count));
    }
}
