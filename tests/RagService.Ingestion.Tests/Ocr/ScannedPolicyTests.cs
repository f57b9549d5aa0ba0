using RagService.Core.Documents;
using RagService.Evaluation.Synthetic;
using RagService.Ingestion.Parsing;
using RagService.Ingestion.Parsing.Ocr;
using RagService.Ingestion.Parsing.Pdf;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Writer;
using Xunit.Abstractions;
using PageSize = UglyToad.PdfPig.Content.PageSize;

namespace RagService.Ingestion.Tests.Ocr;

using DocumentFormat = RagService.Core.Documents.DocumentFormat;

/// <summary>
/// The synthetic policy (running header, "Page i of n" footer, numbered headings, a ruled table that
/// continues onto the next page) printed and scanned: pages 9–12 rendered at 300 dpi into an image-only
/// PDF. OCR'd pages must lose their furniture and keep the table whole, as the text PDF does.
/// </summary>
public sealed class ScannedPolicyTests(ITestOutputHelper output) : IDisposable
{
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task Scanned_policy_loses_running_header_and_footer_and_keeps_the_table_across_the_page_break()
    {
        var text = _files.Write("policy.pdf", SyntheticPolicyPdf.Build(12));
        var builder = new PdfDocumentBuilder();
        for (var number = 9; number <= 12; number++)
        {
            var png = _files.PathFor($"page{number}.png");
            OcrFixtures.Rasterise(text, png, dpi: 300, page: number);
            var page = builder.AddPage(PageSize.A4);
            page.AddPng(await File.ReadAllBytesAsync(png), new PdfRectangle(0, 0, page.PageSize.Width, page.PageSize.Height));
        }

        var scan = _files.Write("scan.pdf", builder.Build());
        var tree = await new PdfParser(new PdfPageOcr(new PageRecognizer(OcrEnginePool.Shared)))
            .ParseAsync(new DocumentSource(scan, "scan.pdf", DocumentFormat.Pdf), CancellationToken.None);
        output.WriteLine(DocumentTreeMarkdown.Render(tree));

        Assert.DoesNotContain(tree.Blocks, b => b.Text.Contains("ACME Corp", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(tree.Blocks, b => b.Text.Contains("of 12", StringComparison.Ordinal));
        var table = Assert.Single(tree.Blocks, b => b.Kind == BlockKind.Table);
        Assert.Equal(2, table.PageStart);
        Assert.Equal(3, table.PageEnd);
        Assert.Equal(SyntheticPolicyPdf.TableHeader, table.Rows![0]);
        Assert.Equal(1 + 24, table.Rows.Count);
        Assert.Equal(["AC-13", "IT operations", "Monthly", "Ticket log 13"], table.Rows[13]);
        Assert.Contains(tree.Blocks, b => b.Kind == BlockKind.Heading && b.Text == "10 Section 10 controls");
    }
}
