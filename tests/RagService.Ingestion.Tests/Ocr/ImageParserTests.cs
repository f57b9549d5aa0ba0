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

        var upright = OcrFixtures.Cer(OcrFixtures.Text, TextOf(await ParseAsync(png)));
        var turned = OcrFixtures.Cer(OcrFixtures.Text, TextOf(await ParseAsync(rotated)));

        output.WriteLine($"CER upright {upright:P2}, rotated {degrees}: {turned:P2}");
        Assert.True(turned <= upright + 0.01, $"rotated {degrees}: CER {turned:P2} vs upright {upright:P2}");
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
        Assert.True(clock.ElapsedMilliseconds < 1000, $"took {clock.ElapsedMilliseconds} ms");
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
