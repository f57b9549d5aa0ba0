using RagService.Core.Documents;
using RagService.Ingestion.Parsing.Pdf;
using RagService.TestSupport;
using UglyToad.PdfPig;
using Xunit.Abstractions;

namespace RagService.Ingestion.Tests.Pdf;

using DocumentFormat = RagService.Core.Documents.DocumentFormat;

/// <summary>
/// Text layers that run sideways on the page as PdfPig gives it (a /Rotate page whose text was set
/// upright in user space, text turned by its text matrix) are read in their own direction: whole words,
/// lines in order, paragraphs as on an upright page, and boxes in PdfPig's page coordinates.
/// </summary>
public sealed class RotatedTextTests(ITestOutputHelper output) : IDisposable
{
    private const double A4Width = 595;
    private const double A4Height = 842;

    /// <summary>The same glyphs measured after an exact quarter turn: only rounding noise may differ.</summary>
    private const double Tolerance = 0.01;

    private const string Heading = "Quarterly Service Review";

    private static readonly string[] First =
    [
        "The ingestion service handled every upload in the quarter",
        "without a single lost document and kept its queue short",
        "even on the busiest days of the reporting period.",
    ];

    private static readonly string[] Second =
    [
        "Rotated pages now read in the direction of their text,",
        "so that search finds whole words instead of letters.",
    ];

    private static readonly string[] Third =
    [
        "A third paragraph closes the page with one more line.",
    ];

    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static string[] AllLines => [Heading, .. First, .. Second, .. Third];

    private static string[] Paragraphs => [string.Join(' ', First), string.Join(' ', Second), string.Join(' ', Third)];

    /// <summary>Heading and three paragraphs on an upright page of <paramref name="height"/> points (baselines from its top).</summary>
    private static List<PdfTextLine> Lines(double height)
    {
        var lines = new List<PdfTextLine> { new(Heading, 20, 60, height - 82) };
        var y = height - 122;
        foreach (var paragraph in new[] { First, Second, Third })
        {
            foreach (var text in paragraph)
            {
                lines.Add(new PdfTextLine(text, 12, 60, y));
                y -= 15;
            }

            y -= 18;
        }

        return lines;
    }

    /// <summary>Where a point of the default user space is shown once the page is turned clockwise by /Rotate (written out independently of the code under test).</summary>
    private static (double X, double Y) Displayed(int rotate, double x, double y, double w, double h) => rotate switch
    {
        0 => (x, y),
        90 => (y, w - x),
        180 => (w - x, h - y),
        270 => (h - y, x),
        _ => throw new ArgumentOutOfRangeException(nameof(rotate)),
    };

    private static BoundingBox Displayed(int rotate, BoundingBox box, double w, double h)
    {
        var (x1, y1) = Displayed(rotate, box.Left, box.Bottom, w, h);
        var (x2, y2) = Displayed(rotate, box.Right, box.Top, w, h);
        return new BoundingBox(Math.Min(x1, x2), Math.Min(y1, y2), Math.Max(x1, x2), Math.Max(y1, y2));
    }

    private static void AssertNear(BoundingBox expected, BoundingBox actual)
    {
        Assert.True(
            Math.Abs(expected.Left - actual.Left) <= Tolerance && Math.Abs(expected.Right - actual.Right) <= Tolerance &&
            Math.Abs(expected.Bottom - actual.Bottom) <= Tolerance && Math.Abs(expected.Top - actual.Top) <= Tolerance,
            $"expected {expected}, got {actual}");
    }

    private async Task<DocumentTree> ParseAsync(string path)
    {
        var tree = await new PdfParser().ParseAsync(new DocumentSource(path, Path.GetFileName(path), DocumentFormat.Pdf), CancellationToken.None);
        foreach (var block in tree.Blocks)
        {
            output.WriteLine($"  {block.Kind} p{block.PageStart} {block.Box}: {block.Text}");
        }

        return tree;
    }

    private static (double Width, double Height) PageSize(string path)
    {
        using var document = PdfDocument.Open(path);
        var page = document.GetPage(1);
        return (page.Width, page.Height);
    }

    private static void AssertReadAsWritten(DocumentTree tree)
    {
        Assert.Equal([BlockKind.Heading, BlockKind.Paragraph, BlockKind.Paragraph, BlockKind.Paragraph], tree.Blocks.Select(b => b.Kind));
        Assert.Equal([Heading, .. Paragraphs], tree.Blocks.Select(b => b.Text));
    }

    private static void AssertOnPage(DocumentTree tree, double width, double height) =>
        Assert.All(tree.Blocks, b => Assert.True(
            b.Box is { } box && box.Left >= 0 && box.Right <= width && box.Bottom >= 0 && box.Top <= height && box.Width > 0 && box.Height > 0,
            $"{b.Box} off the {width} x {height} page"));

    [Fact]
    public async Task Upright_reference_reads_as_written()
    {
        var tree = await ParseAsync(_files.Write("upright.pdf", RotatedPagePdf.Text(Lines(A4Height), 0)));

        AssertReadAsWritten(tree);
        AssertOnPage(tree, A4Width, A4Height);
    }

    [Theory]
    [InlineData(90)]
    [InlineData(180)]
    [InlineData(270)]
    public async Task Page_turned_by_rotate_reads_its_text_and_keeps_boxes_in_page_coordinates(int rotate)
    {
        var upright = await ParseAsync(_files.Write("upright.pdf", RotatedPagePdf.Text(Lines(A4Height), 0)));
        var path = _files.Write($"rotate{rotate}.pdf", RotatedPagePdf.Text(Lines(A4Height), rotate));

        var tree = await ParseAsync(path);

        AssertReadAsWritten(tree);
        var (width, height) = PageSize(path);
        Assert.Equal(rotate is 90 or 270 ? A4Height : A4Width, width, 0.5);
        AssertOnPage(tree, width, height);
        // Each block is where the upright page's block is shown once the page is turned.
        for (var i = 0; i < tree.Blocks.Count; i++)
        {
            AssertNear(Displayed(rotate, upright.Blocks[i].Box!.Value, A4Width, A4Height), tree.Blocks[i].Box!.Value);
        }
    }

    [Theory]
    [InlineData(90)]
    [InlineData(270)]
    public void Layout_lines_of_a_turned_page_are_whole_lines_in_order(int rotate)
    {
        var path = _files.Write($"rotate{rotate}.pdf", RotatedPagePdf.Text(Lines(A4Height), rotate));
        using var document = PdfDocument.Open(path);
        var page = document.GetPage(1);

        var lines = PageLayout.Read(page, null, out var frame);

        Assert.Equal(AllLines, lines.Select(l => l.Text));
        Assert.False(frame.IsPage);
        Assert.Equal(rotate == 90 ? -90 : 90, frame.Angle);
        // Lines are laid out upright (the frame is the A4 page as written); mapped, they lie on the page.
        Assert.All(lines, l => Assert.Equal(A4Height, l.PageHeight, 0.5));
        Assert.Equal(lines.Select(l => l.Box.Bottom).OrderDescending(), lines.Select(l => l.Box.Bottom));
        Assert.All(lines.Select(l => frame.ToPage.Map(l.Box)), b => Assert.True(
            b.Left >= 0 && b.Right <= page.Width && b.Bottom >= 0 && b.Top <= page.Height, $"{b} off the {page.Width} x {page.Height} page"));
    }

    [Theory]
    [InlineData(90)]
    [InlineData(-90)]
    public async Task Text_turned_by_its_text_matrix_on_an_unrotated_page_reads_as_written(int angle)
    {
        // A landscape page set sideways on a portrait sheet: the lines, written for an 842 x 595 page,
        // are placed by a quarter-turned text matrix.
        var frameLines = Lines(A4Width);
        (double X, double Y) ToPage(double x, double y) => angle == 90 ? (A4Width - y, x) : (y, A4Height - x);
        var turned = frameLines.Select(l =>
        {
            var (x, y) = ToPage(l.X, l.Y);
            return new PdfTurnedLine(l.Text, l.Size, x, y, angle);
        }).ToList();
        var landscape = await ParseAsync(_files.Write("landscape.pdf", RotatedPagePdf.Text(frameLines, 0, width: A4Height, height: A4Width)));
        var path = _files.Write($"turned{angle}.pdf", RotatedPagePdf.TurnedText(turned));

        var tree = await ParseAsync(path);

        AssertReadAsWritten(tree);
        AssertOnPage(tree, A4Width, A4Height);
        for (var i = 0; i < tree.Blocks.Count; i++)
        {
            var box = landscape.Blocks[i].Box!.Value;
            var (x1, y1) = ToPage(box.Left, box.Bottom);
            var (x2, y2) = ToPage(box.Right, box.Top);
            AssertNear(new BoundingBox(Math.Min(x1, x2), Math.Min(y1, y2), Math.Max(x1, x2), Math.Max(y1, y2)), tree.Blocks[i].Box!.Value);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(90)]
    [InlineData(270)]
    public async Task Ruled_table_on_a_turned_page_is_read_by_its_rules(int rotate)
    {
        IReadOnlyList<string>[] cells =
        [
            ["Record class", "Owner", "Retention"],
            ["Payroll database", "Finance", "7 years"],
            ["Support tickets", "", "2 years"],
            ["Build logs", "Platform", "30 days"],
        ];
        double[] x = [72, 180, 300, 420];
        double[] y = [700, 680, 660, 640, 620];
        var lines = new List<PdfTextLine> { new("Retention periods are reviewed by the records committee every year.", 10, 72, 730) };
        for (var r = 0; r < cells.Length; r++)
        {
            for (var c = 0; c < 3; c++)
            {
                if (cells[r][c].Length > 0)
                {
                    lines.Add(new PdfTextLine(cells[r][c], 10, x[c] + 3, y[r] - 14));
                }
            }
        }

        lines.Add(new PdfTextLine("Records past their retention period are destroyed within thirty days.", 10, 72, 590));
        var rules = y.Select(v => (x[0], v, x[^1], v)).Concat(x.Select(v => (v, y[^1], v, y[0]))).ToList();
        var path = _files.Write($"ruled{rotate}.pdf", RotatedPagePdf.TextWithRules(lines, rules, rotate));

        var tree = await ParseAsync(path);

        var table = Assert.Single(tree.Blocks, b => b.Kind == BlockKind.Table);
        Assert.Equal(cells, table.Rows!);
        Assert.Equal([BlockKind.Paragraph, BlockKind.Table, BlockKind.Paragraph], tree.Blocks.Select(b => b.Kind));
        // The table's box is its grid (the rules' extent, not the text's), shown turned with the page.
        AssertNear(Displayed(rotate, new BoundingBox(x[0], y[^1], x[^1], y[0]), A4Width, A4Height), table.Box!.Value);
    }

    [Fact]
    public void Upright_header_on_a_sideways_page_is_read_whole_after_the_page_text()
    {
        // A landscape page set sideways by the text matrix, with the portrait document's running header
        // and page number set upright.
        var turned = Lines(A4Width).Select(l => new PdfTurnedLine(l.Text, l.Size, A4Width - l.Y, l.X, 90)).ToList();
        PdfTurnedLine[] furniture = [new("Annual Report 2024 - Appendix", 9, 200, 815, 0), new("Page 17", 9, 280, 20, 0)];
        var path = _files.Write("sideways-with-header.pdf", RotatedPagePdf.TurnedText([.. furniture, .. turned]));
        var reference = _files.Write("header-only.pdf", RotatedPagePdf.TurnedText(furniture));
        using var document = PdfDocument.Open(path);
        using var referenceDocument = PdfDocument.Open(reference);

        var lines = PageLayout.Read(document.GetPage(1), null, out var frame);
        var upright = PageLayout.Read(referenceDocument.GetPage(1));

        Assert.Equal(90, frame.Angle);
        Assert.Equal([.. AllLines, .. furniture.Select(f => f.Text)], lines.Select(l => l.Text));
        // The upright lines' boxes, carried into the frame and back, are where they are on the page.
        var header = lines.Skip(AllLines.Length).ToList();
        for (var i = 0; i < upright.Count; i++)
        {
            AssertNear(upright[i].Box, frame.ToPage.Map(header[i].Box));
            Assert.Equal(frame.Height, header[i].PageHeight);
        }

        Assert.Equal(lines.Count, lines.Select(l => l.Row).Distinct().Count());
    }

    [Fact]
    public void Sideways_stamp_in_the_margin_leaves_an_upright_page_as_it_was()
    {
        // An arXiv-style identifier set reading upwards along the left margin of an upright page.
        var upright = Lines(A4Height).Select(l => new PdfTurnedLine(l.Text, l.Size, l.X, l.Y, 0)).ToList();
        var stamped = _files.Write("stamped.pdf", RotatedPagePdf.TurnedText([.. upright, new PdfTurnedLine("arXiv:2401.00001v1 cs.CL 2 Jan 2024", 20, 36, 250, 90)]));
        var plain = _files.Write("plain.pdf", RotatedPagePdf.TurnedText(upright));
        using var stampedDocument = PdfDocument.Open(stamped);
        using var plainDocument = PdfDocument.Open(plain);

        var withStamp = PageLayout.Read(stampedDocument.GetPage(1), null, out var frame);
        var without = PageLayout.Read(plainDocument.GetPage(1));

        Assert.True(frame.IsPage);
        Assert.Equal(
            without.Select(l => (l.Text, l.Box)),
            withStamp.Where(l => AllLines.Contains(l.Text)).Select(l => (l.Text, l.Box)));
    }
}
