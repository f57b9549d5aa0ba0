using RagService.Core.Documents;
using RagService.Ingestion.Parsing.Ocr;
using RagService.Ingestion.Parsing.Pdf;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;
using Xunit.Abstractions;

namespace RagService.Ingestion.Tests.Ocr;

using DocumentFormat = RagService.Core.Documents.DocumentFormat;

public sealed class ScannedPdfTests(ITestOutputHelper output) : IDisposable
{
    private readonly TestFiles _files = new();
    private readonly PdfParser _parser = new(new PdfPageOcr(new PageRecognizer(OcrEnginePool.Shared)));

    public void Dispose() => _files.Dispose();

    private async Task<DocumentTree> ParseAsync(string path)
    {
        var tree = await _parser.ParseAsync(new DocumentSource(path, Path.GetFileName(path), DocumentFormat.Pdf), CancellationToken.None);
        foreach (var block in tree.Blocks)
        {
            output.WriteLine($"{block.Id} {block.Kind} L{block.Level} p{block.PageStart}-{block.PageEnd} {block.Box} low={block.LowConfidence}: {block.Text}");
        }

        return tree;
    }

    [Fact]
    public async Task Image_only_pdf_is_recognised_page_by_page()
    {
        // Two different headings: one repeated at the same place on every page would be a running header.
        var first = OcrFixtures.ScanPng(_files, "first.png", dpi: 150);
        var second = OcrFixtures.ScanPng(_files, "second.png", dpi: 150, heading: "Restore Procedure");
        var pdf = _files.Write("scanned.pdf", OcrFixtures.ScannedPdf(first, second));

        var tree = await ParseAsync(pdf);

        Assert.Equal(2, tree.PageCount);
        Assert.Equal(OcrFixtures.Heading, tree.Title);
        Assert.Equal(["Backup Policy", "Restore Procedure"], tree.Blocks.Where(b => b.Kind == BlockKind.Heading).Select(b => b.Text));
        for (var page = 1; page <= 2; page++)
        {
            var text = OcrFixtures.Join(tree.Blocks.Where(b => b.PageStart == page).Select(b => b.Text));
            var cer = OcrFixtures.Cer(OcrFixtures.Text.Replace(OcrFixtures.Heading, page == 1 ? OcrFixtures.Heading : "Restore Procedure", StringComparison.Ordinal), text);
            output.WriteLine($"page {page} CER {cer:P2}");
            Assert.True(cer <= 0.02, $"page {page}: CER {cer:P2}");
        }

        // The page was drawn edge to edge, so OCR boxes land where the text was on the original A4 page.
        var heading = tree.Blocks.First(b => b.Kind == BlockKind.Heading);
        Assert.InRange(heading.Box!.Value.Left, 55, 65);
        Assert.InRange(heading.Box!.Value.Bottom, 754, 766);
    }

    [Fact]
    public async Task Text_pages_keep_their_text_layer_and_scanned_pages_are_merged_in_order()
    {
        var pdf = OcrFixtures.MixedPdf(_files);

        var tree = await ParseAsync(pdf);

        Assert.Equal(OcrFixtures.MixedPdfFirstPage, tree.Blocks[0].Text);
        Assert.Equal(1, tree.Blocks[0].PageStart);
        Assert.All(tree.Blocks.Skip(1), b => Assert.Equal(2, b.PageStart));
        Assert.Contains(tree.Blocks, b => b.Text.Contains(OcrFixtures.Sentences[2], StringComparison.Ordinal));
    }

    [Fact]
    public async Task Scan_stamped_with_a_few_words_of_text_is_still_recognised()
    {
        var png = OcrFixtures.ScanPng(_files, dpi: 150);
        var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        var page = builder.AddPage(PageSize.A4);
        page.AddPng(File.ReadAllBytes(png), new PdfRectangle(0, 0, page.PageSize.Width, page.PageSize.Height));
        page.AddText("CONFIDENTIAL", 10, new PdfPoint(460, 30), font);
        var pdf = _files.Write("stamped.pdf", builder.Build());

        var tree = await ParseAsync(pdf);

        Assert.Contains(tree.Blocks, b => b.Text.Contains(OcrFixtures.Sentences[0], StringComparison.Ordinal));
    }

    [Fact]
    public async Task Blank_scanned_pdf_is_rejected_as_empty()
    {
        var blank = OcrFixtures.Blank(_files.PathFor("blank.png"), 620, 877, depth: 8);
        var pdf = _files.Write("blank.pdf", OcrFixtures.ScannedPdf(blank));

        var error = await Assert.ThrowsAsync<DocumentRejectedException>(() => ParseAsync(pdf));

        Assert.StartsWith("empty document", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_layer_of_replacement_and_private_use_characters_goes_to_ocr()
    {
        static RagService.Ingestion.Parsing.Pdf.PdfLine Line(string text) => new(1, text, new BoundingBox(0, 0, 10, 10), 12, false, 0, 842);

        Assert.True(TextLayer.NeedsOcr([]));
        Assert.True(TextLayer.NeedsOcr([Line("\uFFFD\uFFFD\uFFFD \uE001\uE002 ab")]));
        Assert.False(TextLayer.NeedsOcr([Line("Backups are kept for 35 days."), Line("第三章 备份")]));
    }
}

public sealed class OcrConfidenceTests
{
    [Fact]
    public void Blocks_whose_ocr_lines_are_mostly_unsure_are_marked_low_confidence()
    {
        var sure = new OcrLine(1, "Backups are kept for thirty five days.", new BoundingBox(60, 700, 400, 712), 12, 0, 0, 93);
        var unsure = new OcrLine(1, "~ Bop Aze| ay} 4aA0", new BoundingBox(60, 500, 300, 512), 12, 1, 1, 31);
        var tree = new DocumentTree(null,
        [
            new DocumentBlock { Id = "b0", Kind = BlockKind.Paragraph, Text = sure.Text, Box = sure.Box },
            new DocumentBlock { Id = "b1", Kind = BlockKind.Paragraph, Text = unsure.Text, Box = unsure.Box },
            new DocumentBlock { Id = "b2", Kind = BlockKind.Paragraph, Text = "page two", Box = unsure.Box, PageStart = 2, PageEnd = 2 },
        ], 2);

        var marked = OcrLayout.MarkLowConfidence(tree, [sure, unsure], threshold: 60);

        Assert.Equal([false, true, false], marked.Blocks.Select(b => b.LowConfidence));
        Assert.Equal([93.0, 31.0, null], marked.Blocks.Select(b => b.Confidence));
    }
}
