using System.Diagnostics;
using RagService.Core.Documents;
using RagService.Ingestion.Parsing;
using RagService.Ingestion.Parsing.Image;
using RagService.Ingestion.Parsing.Ocr;
using Xunit.Abstractions;

namespace RagService.Ingestion.Tests.Ocr;

using DocumentFormat = RagService.Core.Documents.DocumentFormat;

public sealed class ImageParserTests(ITestOutputHelper output) : IDisposable
{
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    private async Task<DocumentTree> ParseAsync(string path, OcrEnginePool? pool = null)
    {
        var tree = await new ImageParser(pool ?? OcrEnginePool.Shared)
            .ParseAsync(new DocumentSource(path, Path.GetFileName(path), DocumentFormat.Image), CancellationToken.None);
        foreach (var block in tree.Blocks)
        {
            output.WriteLine($"{block.Id} {block.Kind} L{block.Level} p{block.PageStart} {block.Box} low={block.LowConfidence}: {block.Text}");
        }

        return tree;
    }

    private static string TextOf(DocumentTree tree) => OcrFixtures.Join(tree.Blocks.Select(b => b.Text));

    [Fact]
    public async Task Scanned_png_yields_the_known_sentences_with_heading_pages_and_boxes()
    {
        var png = OcrFixtures.ScanPng(_files);

        var tree = await ParseAsync(png);

        var cer = OcrFixtures.Cer(OcrFixtures.Text, TextOf(tree));
        output.WriteLine($"CER {cer:P2}");
        Assert.True(cer <= 0.02, $"CER {cer:P2}");
        foreach (var sentence in OcrFixtures.Sentences)
        {
            Assert.Contains(sentence, TextOf(tree), StringComparison.Ordinal);
        }

        var heading = Assert.Single(tree.Blocks, b => b.Kind == BlockKind.Heading);
        Assert.Equal(OcrFixtures.Heading, heading.Text);
        Assert.All(tree.Blocks, b => Assert.Equal(1, b.PageStart));
        // The heading was drawn at x = 60 pt, baseline 760 pt on the A4 page; boxes come back in points.
        Assert.InRange(heading.Box!.Value.Left, 57, 63);
        Assert.InRange(heading.Box!.Value.Bottom, 756, 764);
        Assert.DoesNotContain(tree.Blocks, b => b.LowConfidence);
    }

    [Theory]
    [InlineData(90)]
    [InlineData(180)]
    [InlineData(270)]
    public async Task Rotated_scan_is_turned_upright_before_recognition(int degrees)
    {
        var png = OcrFixtures.ScanPng(_files);
        var rotated = OcrFixtures.Rotate(png, _files.PathFor($"rotated{degrees}.png"), degrees);

        var uprightTree = await ParseAsync(png);
        var turnedTree = await ParseAsync(rotated);
        var upright = OcrFixtures.Cer(OcrFixtures.Text, TextOf(uprightTree));
        var turned = OcrFixtures.Cer(OcrFixtures.Text, TextOf(turnedTree));

        output.WriteLine($"CER upright {upright:P2}, rotated {degrees}: {turned:P2}");
        Assert.True(turned <= upright + 0.01, $"rotated {degrees}: CER {turned:P2} vs upright {upright:P2}");

        // Boxes are those of the image as stored: the upright heading's box, turned with the image.
        var box = uprightTree.Blocks.Single(b => b.Kind == BlockKind.Heading).Box!.Value;
        var actual = turnedTree.Blocks.Single(b => b.Kind == BlockKind.Heading).Box!.Value;
        const double w = 595, h = 842; // the A4 scan at 200 dpi, in points
        var expected = degrees switch
        {
            90 => new BoundingBox(box.Bottom, w - box.Right, box.Top, w - box.Left),
            180 => new BoundingBox(w - box.Right, h - box.Top, w - box.Left, h - box.Bottom),
            _ => new BoundingBox(h - box.Top, box.Left, h - box.Bottom, box.Right),
        };
        AssertNear(expected, actual);
    }

    private static void AssertNear(BoundingBox expected, BoundingBox actual, double tolerance = 3)
    {
        Assert.True(
            Math.Abs(expected.Left - actual.Left) <= tolerance && Math.Abs(expected.Right - actual.Right) <= tolerance &&
            Math.Abs(expected.Bottom - actual.Bottom) <= tolerance && Math.Abs(expected.Top - actual.Top) <= tolerance,
            $"expected about {expected}, got {actual}");
    }

    [Fact]
    public async Task Skewed_scan_is_deskewed_for_recognition_and_boxes_are_those_of_the_skewed_image()
    {
        const double degrees = 2.5;
        var png = OcrFixtures.ScanPng(_files);
        var skewed = OcrFixtures.Skew(png, _files.PathFor("skewed.png"), degrees);

        var uprightTree = await ParseAsync(png);
        var skewedTree = await ParseAsync(skewed);

        var cer = OcrFixtures.Cer(OcrFixtures.Text, TextOf(skewedTree));
        output.WriteLine($"CER skewed {degrees} degrees: {cer:P2}");
        Assert.True(cer <= 0.02, $"CER {cer:P2}");

        // The heading's upright box turned clockwise (as seen) about the page centre: its corners'
        // bounding box. Left in the deskewed image, the box would be the upright one: 15 pt further left, 7 pt shorter.
        var box = uprightTree.Blocks.Single(b => b.Kind == BlockKind.Heading).Box!.Value;
        var actual = skewedTree.Blocks.Single(b => b.Kind == BlockKind.Heading).Box!.Value;
        var (cx, cy, angle) = (595 / 2.0, 842 / 2.0, -degrees * Math.PI / 180);
        var corners = new[] { (box.Left, box.Bottom), (box.Right, box.Bottom), (box.Right, box.Top), (box.Left, box.Top) }
            .Select(p => (X: cx + ((p.Item1 - cx) * Math.Cos(angle)) - ((p.Item2 - cy) * Math.Sin(angle)),
                          Y: cy + ((p.Item1 - cx) * Math.Sin(angle)) + ((p.Item2 - cy) * Math.Cos(angle))))
            .ToArray();
        var expected = new BoundingBox(corners.Min(c => c.X), corners.Min(c => c.Y), corners.Max(c => c.X), corners.Max(c => c.Y));
        AssertNear(expected, actual);

        // The page was deskewed (not read skewed): the recogniser says so, its layout boxes are the
        // upright ones, and only the boxes it hands out are turned back.
        using var pix = TesseractNative.pixRead(skewed);
        var page = new PageRecognizer(OcrEnginePool.Shared).Recognize(pix, 1, 200, CancellationToken.None);
        output.WriteLine($"deskew angle {page.DeskewAngle:0.00}");
        // Levelling a page skewed clockwise turns it back counter-clockwise: a negative angle.
        Assert.InRange(page.DeskewAngle, -degrees - 0.5, -degrees + 0.5);
        var line = page.Lines.First(l => l.Text == OcrFixtures.Heading);
        AssertNear(box, line.LayoutBox);
        AssertNear(expected, line.Box);
    }

    [Fact]
    public async Task Multi_page_tiff_gives_one_page_per_frame_numbered_from_one()
    {
        var png = OcrFixtures.ScanPng(_files, dpi: 150);
        var tiff = OcrFixtures.MultiPageTiff(png, _files.PathFor("scan.tif"), pages: 3);

        var tree = await ParseAsync(tiff);

        Assert.Equal(3, tree.PageCount);
        Assert.Equal([1, 2, 3], tree.Blocks.Select(b => b.PageStart).Distinct().Order().ToArray());
        for (var page = 1; page <= 3; page++)
        {
            Assert.Contains(tree.Blocks, b => b.PageStart == page && b.Text.Contains(OcrFixtures.Sentences[0], StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Tiff_with_more_pages_than_the_limit_is_rejected_before_recognition()
    {
        var blank = OcrFixtures.Blank(_files.PathFor("blank.png"), 200, 200);
        var tiff = OcrFixtures.MultiPageTiff(blank, _files.PathFor("many.tif"), pages: 12);
        using var pool = new OcrEnginePool(new OcrOptions { MaxPages = 10 });

        var error = await Assert.ThrowsAsync<DocumentRejectedException>(() => ParseAsync(tiff, pool));

        Assert.Equal("TIFF has 12 pages, more than the limit of 10", error.Message);
    }

    [Fact]
    public async Task Decompression_bomb_is_rejected_from_its_header_before_decoding()
    {
        // 12,000 × 12,000 one-bit pixels: a few kilobytes of PNG declaring 144 megapixels.
        var bomb = OcrFixtures.Blank(_files.PathFor("bomb.png"), 12_000, 12_000);
        output.WriteLine($"bomb file: {new FileInfo(bomb).Length} bytes");

        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<DocumentRejectedException>(() => ParseAsync(bomb));

        Assert.Contains("over the limit of 100 megapixels", error.Message, StringComparison.Ordinal);
        Assert.Contains("12000×12000", error.Message, StringComparison.Ordinal);
        Assert.True(clock.ElapsedMilliseconds < 2000, $"took {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Image_without_text_is_rejected_as_empty()
    {
        var blank = OcrFixtures.Blank(_files.PathFor("blank.png"), 1200, 1600);

        var error = await Assert.ThrowsAsync<DocumentRejectedException>(() => ParseAsync(blank));

        Assert.StartsWith("empty document", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Corrupt_image_is_rejected_with_a_reason()
    {
        var png = OcrFixtures.ScanPng(_files);
        var bytes = File.ReadAllBytes(png);
        // Keep the header (so the format is known) and replace the pixel data with noise.
        var corrupt = bytes.Take(64).Concat(Enumerable.Range(0, 4096).Select(i => (byte)(i * 31 % 251))).ToArray();
        var path = _files.Write("corrupt.png", corrupt);

        var error = await Assert.ThrowsAsync<DocumentRejectedException>(() => ParseAsync(path));

        Assert.StartsWith("corrupt", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Registry_routes_images_to_ocr()
    {
        var png = OcrFixtures.ScanPng(_files);

        var tree = await DocumentParserRegistry.CreateDefault()
            .ParseAsync(new DocumentSource(png, "scan.png", DocumentFormat.Image), CancellationToken.None);

        Assert.Contains(OcrFixtures.Sentences[1], TextOf(tree), StringComparison.Ordinal);
    }
}
