using System.Diagnostics;
using System.Globalization;
using RagService.Core.Documents;
using RagService.Ingestion.Parsing.Ocr;
using RagService.Ingestion.Parsing.Pdf;
using RagService.TestSupport;
using UglyToad.PdfPig;
using Xunit.Abstractions;

namespace RagService.Ingestion.Tests.Ocr;

using DocumentFormat = RagService.Core.Documents.DocumentFormat;

/// <summary>
/// OCR boxes come back in the page coordinates the PDF text path uses (PdfPig's: points, origin
/// bottom-left of the page as displayed, /Rotate applied), however the page was turned by /Rotate and
/// by orientation detection.
/// </summary>
public sealed class RotatedPageBoxTests(ITestOutputHelper output) : IDisposable
{
    private const double A4Width = 595;
    private const double A4Height = 842;

    /// <summary>OCR boxes are ink extents and Tesseract baselines; glyph metrics differ from ink by a point or two.</summary>
    private const double Tolerance = 4;

    private static readonly PdfTextLine[] Lines =
    [
        new(OcrFixtures.Heading, 24, 60, 760),
        .. OcrFixtures.Sentences.Select((s, i) => new PdfTextLine(s, 16, 60, 715 - (22 * i))),
    ];

    private readonly TestFiles _files = new();
    private readonly PdfParser _ocrParser = new(new PdfPageOcr(new PageRecognizer(OcrEnginePool.Shared)));

    public void Dispose() => _files.Dispose();

    /// <summary>
    /// Where a point of the page's default user space (media box 0 0 w h) is shown once the page is
    /// turned clockwise by /Rotate: written out here, independently of the code under test.
    /// </summary>
    private static (double X, double Y) Displayed(int rotate, double x, double y, double w = A4Width, double h = A4Height) => rotate switch
    {
        0 => (x, y),
        90 => (y, w - x),
        180 => (w - x, h - y),
        270 => (h - y, x),
        _ => throw new ArgumentOutOfRangeException(nameof(rotate)),
    };

    private static BoundingBox Displayed(int rotate, BoundingBox box, double w = A4Width, double h = A4Height)
    {
        var (x1, y1) = Displayed(rotate, box.Left, box.Bottom, w, h);
        var (x2, y2) = Displayed(rotate, box.Right, box.Top, w, h);
        return new BoundingBox(Math.Min(x1, x2), Math.Min(y1, y2), Math.Max(x1, x2), Math.Max(y1, y2));
    }

    private async Task<DocumentTree> ParseAsync(PdfParser parser, string path)
    {
        var tree = await parser.ParseAsync(new DocumentSource(path, Path.GetFileName(path), DocumentFormat.Pdf), CancellationToken.None);
        foreach (var block in tree.Blocks)
        {
            output.WriteLine($"  {block.Id} {block.Kind} p{block.PageStart} {block.Box}: {block.Text}");
        }

        return tree;
    }

    private static void AssertNear(BoundingBox expected, BoundingBox actual, double tolerance = Tolerance)
    {
        Assert.True(
            Math.Abs(expected.Left - actual.Left) <= tolerance && Math.Abs(expected.Right - actual.Right) <= tolerance &&
            Math.Abs(expected.Bottom - actual.Bottom) <= tolerance && Math.Abs(expected.Top - actual.Top) <= tolerance,
            $"expected about {expected}, got {actual}");
    }

    /// <summary>Page 1 of a PDF as an 8-bit gray PGM, rendered by pdftoppm (the "scan").</summary>
    private string RasteriseGray(string pdfPath, int dpi)
    {
        var prefix = Path.ChangeExtension(pdfPath, null) + "-scan";
        var start = new ProcessStartInfo("pdftoppm") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-gray", "-r", dpi.ToString(CultureInfo.InvariantCulture), "-f", "1", "-l", "1", "-singlefile", pdfPath, prefix })
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        process.WaitForExit(30_000);
        Assert.Equal(0, process.ExitCode);
        return prefix + ".pgm";
    }

    [Theory]
    [InlineData(90)]
    [InlineData(180)]
    [InlineData(270)]
    public async Task Scanned_page_with_rotate_gets_boxes_where_the_text_path_puts_the_same_text(int rotate)
    {
        // The reference: the text page, upright (where the text path puts the heading) and with /Rotate.
        var upright = await ParseAsync(new PdfParser(), _files.Write("text0.pdf", RotatedPagePdf.Text(Lines, 0)));
        var uprightHeading = upright.Blocks.Single(b => b.Kind == BlockKind.Heading).Box!.Value;
        var rotatedText = _files.Write($"text{rotate}.pdf", RotatedPagePdf.Text(Lines, rotate));
        using (var document = PdfDocument.Open(rotatedText))
        {
            // The frame the text path works in is the displayed page: the heading's 'B', set at
            // (60, 760) of user space, starts its baseline where Displayed says.
            var page = document.GetPage(1);
            Assert.Equal(rotate is 90 or 270 ? A4Height : A4Width, page.Width, 0.5);
            var (x, y) = Displayed(rotate, 60, 760);
            var b = page.Letters.First(l => l.Value == "B").StartBaseLine;
            Assert.True(Math.Abs(b.X - x) < 0.5 && Math.Abs(b.Y - y) < 0.5, $"'B' starts at {b}, expected ({x}, {y})");
        }

        // The scan: the upright page rendered, drawn into an image-only page with the same /Rotate,
        // so it is shown turned and OCR has to turn it back (orientation detection).
        var pgm = RasteriseGray(_files.PathFor("text0.pdf"), dpi: 150);
        var scan = _files.Write($"scan{rotate}.pdf", RotatedPagePdf.Scan(File.ReadAllBytes(pgm), rotate));

        var tree = await ParseAsync(_ocrParser, scan);

        var text = OcrFixtures.Join(tree.Blocks.Select(b => b.Text));
        var cer = OcrFixtures.Cer(OcrFixtures.Text, text);
        output.WriteLine($"/Rotate {rotate}: CER {cer:P2}");
        Assert.True(cer <= 0.02, $"CER {cer:P2}");
        var heading = tree.Blocks.Single(b => b.Kind == BlockKind.Heading);
        Assert.Equal(OcrFixtures.Heading, heading.Text);
        AssertNear(Displayed(rotate, uprightHeading), heading.Box!.Value);
        // Every block lies on the displayed page.
        var (width, height) = rotate is 90 or 270 ? (A4Height, A4Width) : (A4Width, A4Height);
        Assert.All(tree.Blocks, b => Assert.True(b.Box!.Value.Left >= 0 && b.Box.Value.Right <= width && b.Box.Value.Bottom >= 0 && b.Box.Value.Top <= height, $"{b.Box} off the {width} x {height} page"));
    }

    [Theory]
    [InlineData(90)]
    [InlineData(180)]
    [InlineData(270)]
    public void Scanned_page_with_rotate_gets_word_boxes_mapped_to_the_page_like_its_line_boxes(int rotate)
    {
        // The same scan drawn upright and with /Rotate: OCR turns the second back, and every box, line
        // or word, comes back in the displayed page's frame, the upright one's box turned with the page.
        var pgm = RasteriseGray(_files.Write("text0.pdf", RotatedPagePdf.Text(Lines, 0)), dpi: 150);
        var ocr = new PdfPageOcr(new PageRecognizer(OcrEnginePool.Shared));
        var upright = ocr.RecognizePdfPage(_files.Write("scan0.pdf", RotatedPagePdf.Scan(File.ReadAllBytes(pgm), 0)), 1, CancellationToken.None);
        var turned = ocr.RecognizePdfPage(_files.Write($"scan{rotate}.pdf", RotatedPagePdf.Scan(File.ReadAllBytes(pgm), rotate)), 1, CancellationToken.None);
        output.WriteLine($"/Rotate {rotate}: turned {turned.RotationApplied}° by OCR, deskewed {turned.DeskewAngle:0.00}°");
        foreach (var line in turned.Lines)
        {
            output.WriteLine($"  {line.Box}: {string.Join(" | ", line.Words.Select(w => $"{w.Text} {w.Box}"))}");
        }

        Assert.Equal(upright.Lines.Select(l => l.Text), turned.Lines.Select(l => l.Text));
        var (width, height) = rotate is 90 or 270 ? (A4Height, A4Width) : (A4Width, A4Height);
        foreach (var (before, after) in upright.Lines.Zip(turned.Lines))
        {
            AssertNear(Displayed(rotate, before.Box), after.Box);
            Assert.Equal(before.Words.Select(w => w.Text), after.Words.Select(w => w.Text));
            foreach (var (word, turnedWord) in before.Words.Zip(after.Words))
            {
                AssertNear(Displayed(rotate, word.Box), turnedWord.Box);
                var box = turnedWord.Box;
                Assert.True(box.Left >= after.Box.Left - 1e-6 && box.Right <= after.Box.Right + 1e-6 && box.Bottom >= after.Box.Bottom - 1e-6 && box.Top <= after.Box.Top + 1e-6,
                    $"'{turnedWord.Text}' {box} is not inside its line {after.Box}");
                Assert.True(box.Left >= 0 && box.Right <= width && box.Bottom >= 0 && box.Top <= height, $"'{turnedWord.Text}' {box} is off the {width} x {height} page");
            }
        }

        // Against the text path: the heading's words start where PdfPig puts their first letters.
        using var document = PdfDocument.Open(_files.Write($"text{rotate}.pdf", RotatedPagePdf.Text(Lines, rotate)));
        var letters = document.GetPage(1).Letters;
        var heading = turned.Lines.Single(l => l.Text == OcrFixtures.Heading);
        foreach (var (word, first) in heading.Words.Zip(new[] { "B", "P" }))
        {
            var start = letters.First(l => l.Value == first).StartBaseLine;
            // The corner of the word's box where its baseline starts, in the displayed frame.
            var (x, y) = rotate switch
            {
                90 => (word.Box.Left, word.Box.Top),
                180 => (word.Box.Right, word.Box.Top),
                270 => (word.Box.Right, word.Box.Bottom),
                _ => (word.Box.Left, word.Box.Bottom),
            };
            Assert.True(Math.Abs(x - start.X) <= Tolerance && Math.Abs(y - start.Y) <= Tolerance,
                $"'{word.Text}' starts its baseline at ({x:0.#}, {y:0.#}); the text path's '{first}' at {start}");
        }
    }

    [Fact]
    public async Task Upright_scan_with_rotate_gets_boxes_where_the_text_path_puts_the_same_text()
    {
        // A scanner that stored a portrait page sideways and set /Rotate 90 to show it upright: the
        // image is drawn turned a quarter counter-clockwise, so the displayed page reads upright and
        // orientation detection has nothing to do; only /Rotate separates user space from the page frame.
        var upright = await ParseAsync(new PdfParser(), _files.Write("text0.pdf", RotatedPagePdf.Text(Lines, 0)));
        var uprightHeading = upright.Blocks.Single(b => b.Kind == BlockKind.Heading).Box!.Value;
        var pgm = RasteriseGray(_files.PathFor("text0.pdf"), dpi: 150);
        var (w, h, pixels) = RotatedPagePdf.ReadPgm(File.ReadAllBytes(pgm));
        var turned = new byte[pixels.Length];
        for (var row = 0; row < h; row++)
        {
            for (var column = 0; column < w; column++)
            {
                // Counter-clockwise quarter turn: (column, row) of the w × h image goes to (row, w - 1 - column) of the h × w one.
                turned[((w - 1 - column) * h) + row] = pixels[(row * w) + column];
            }
        }

        var header = System.Text.Encoding.ASCII.GetBytes($"P5\n{h} {w}\n255\n");
        var scan = _files.Write("sideways.pdf", RotatedPagePdf.Scan([.. header, .. turned], 90, width: A4Height, height: A4Width));

        var tree = await ParseAsync(_ocrParser, scan);

        var heading = tree.Blocks.Single(b => b.Kind == BlockKind.Heading);
        Assert.Equal(OcrFixtures.Heading, heading.Text);
        // Shown upright, the page is the original A4 page: the heading is where it was drawn.
        AssertNear(uprightHeading, heading.Box!.Value);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(90)]
    public async Task Scanned_page_with_a_crop_box_gets_boxes_where_the_text_path_puts_the_same_text(int rotate)
    {
        // pdftoppm renders the crop box only; PdfPig's frame decides where its origin is.
        double[] crop = [40, 80, 555, 800];
        var text = await ParseAsync(new PdfParser(), _files.Write("cropped-text.pdf", RotatedPagePdf.Text(Lines, 0, cropBox: crop)));
        var reference = text.Blocks.Single(b => b.Kind == BlockKind.Heading).Box!.Value;
        var pgm = RasteriseGray(_files.Write("text0.pdf", RotatedPagePdf.Text(Lines, 0)), dpi: 150);
        var scan = _files.Write("cropped-scan.pdf", RotatedPagePdf.Scan(File.ReadAllBytes(pgm), rotate, cropBox: crop));
        double width = crop[2] - crop[0], height = crop[3] - crop[1];
        BoundingBox expected;
        using (var document = PdfDocument.Open(_files.Write("cropped-text-rotated.pdf", RotatedPagePdf.Text(Lines, rotate, cropBox: crop))))
        {
            // Where the text path puts the heading's first letter says where the frame's origin is.
            var page = document.GetPage(1);
            var start = page.Letters.First(l => l.Value == "B").StartBaseLine;
            output.WriteLine($"/Rotate {rotate}, crop box: page {page.Width} x {page.Height}, 'B' starts at {start}");
            var upright = new BoundingBox(0, 0, reference.Width, reference.Height); // the heading, its baseline start at the origin
            var turned = Displayed(rotate, upright, width, height);
            var (x, y) = Displayed(rotate, 0, 0, width, height);
            // The heading box turned with the page, placed so that its baseline start is where the text path's 'B' starts.
            expected = new BoundingBox(turned.Left - x + start.X, turned.Bottom - y + start.Y, turned.Right - x + start.X, turned.Top - y + start.Y);
        }

        var tree = await ParseAsync(_ocrParser, scan);

        var heading = tree.Blocks.Single(b => b.Kind == BlockKind.Heading);
        Assert.Equal(OcrFixtures.Heading, heading.Text);
        AssertNear(expected, heading.Box!.Value);
    }

    [SharedDataFact("documents/docling/ocr/sources/ocr_test_rotated_270.pdf")]
    public async Task Dataset_scans_turned_by_rotate_have_the_upright_scans_boxes_turned_with_the_page()
    {
        var folder = SharedData.PathOf("documents/docling/ocr/sources")!;
        var upright = await ParseAsync(_ocrParser, Path.Combine(folder, "ocr_test.pdf"));
        var reference = upright.Blocks.Single().Box!.Value;
        foreach (var name in new[] { "ocr_test_rotated_90.pdf", "ocr_test_rotated_180.pdf", "ocr_test_rotated_270.pdf" })
        {
            var path = Path.Combine(folder, name);
            int rotate;
            double w, h;
            using (var document = PdfDocument.Open(path))
            {
                var page = document.GetPage(1);
                rotate = page.Rotation.Value;
                (w, h) = rotate is 90 or 270 ? (page.Height, page.Width) : (page.Width, page.Height);
            }

            output.WriteLine($"{name}: /Rotate {rotate}");
            var tree = await ParseAsync(_ocrParser, path);
            var block = Assert.Single(tree.Blocks);
            Assert.Equal(upright.Blocks[0].Text, block.Text);
            AssertNear(Displayed(rotate, reference, w, h), block.Box!.Value, tolerance: 3);
        }
    }
}
