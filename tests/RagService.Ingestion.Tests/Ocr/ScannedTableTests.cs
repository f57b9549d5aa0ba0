using RagService.Core.Documents;
using RagService.Ingestion.Parsing;
using RagService.Ingestion.Parsing.Image;
using RagService.Ingestion.Parsing.Ocr;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;
using Xunit.Abstractions;
using PageSize = UglyToad.PdfPig.Content.PageSize;

namespace RagService.Ingestion.Tests.Ocr;

using DocumentFormat = RagService.Core.Documents.DocumentFormat;

/// <summary>
/// A scanned page goes through the same layout as a text page, tables included: a table rendered to an
/// image and read back by Tesseract comes out as rows and cells, with the prose around it as paragraphs.
/// </summary>
public sealed class ScannedTableTests(ITestOutputHelper output) : IDisposable
{
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static readonly string[][] Rows =
    [
        ["System", "Owner", "Retention"],
        ["Payroll", "Finance", "Seven years"],
        ["Email", "Operations", "Two years"],
        ["Backups", "Security", "Ninety days"],
        ["Tickets", "Service desk", "Three years"],
    ];

    [Fact]
    public async Task A_scanned_table_comes_back_as_rows_and_cells_between_its_paragraphs()
    {
        var builder = new PdfDocumentBuilder();
        var regular = builder.AddStandard14Font(Standard14Font.Helvetica);
        var bold = builder.AddStandard14Font(Standard14Font.HelveticaBold);
        var page = builder.AddPage(PageSize.A4);
        page.AddText("Records retention schedule", 20, new PdfPoint(60, 770), bold);
        page.AddText("Each system keeps its records for the period below.", 13, new PdfPoint(60, 735), regular);
        var y = 700.0;
        foreach (var row in Rows)
        {
            page.AddText(row[0], 13, new PdfPoint(60, y), row == Rows[0] ? bold : regular);
            page.AddText(row[1], 13, new PdfPoint(230, y), row == Rows[0] ? bold : regular);
            page.AddText(row[2], 13, new PdfPoint(400, y), row == Rows[0] ? bold : regular);
            y -= 24;
        }

        page.AddText("Records past their period are destroyed within a month.", 13, new PdfPoint(60, y - 20), regular);
        var pdf = _files.Write("table.source.pdf", builder.Build());
        var png = OcrFixtures.Rasterise(pdf, _files.PathFor("table.png"), dpi: 300);

        var tree = await new ImageParser(OcrEnginePool.Shared)
            .ParseAsync(new DocumentSource(png, "table.png", DocumentFormat.Image), CancellationToken.None);
        output.WriteLine(DocumentTreeMarkdown.Render(tree));

        var table = Assert.Single(tree.Blocks, b => b.Kind == BlockKind.Table);
        Assert.Equal(Rows.Length, table.Rows!.Count);
        for (var r = 0; r < Rows.Length; r++)
        {
            Assert.Equal(Rows[r], table.Rows[r]);
        }

        var blocks = tree.Blocks.ToList();
        var at = blocks.IndexOf(table);
        Assert.StartsWith("Each system keeps", blocks[at - 1].Text, StringComparison.Ordinal);
        Assert.StartsWith("Records past their period", blocks[at + 1].Text, StringComparison.Ordinal);
    }
}
