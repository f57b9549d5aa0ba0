using RagService.Core.Documents;
using RagService.Evaluation.Synthetic.Documents;
using RagService.Ingestion.Parsing;
using RagService.Ingestion.Parsing.Ocr;
using RagService.Ingestion.Parsing.Pdf;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;
using Xunit.Abstractions;
using PageSize = UglyToad.PdfPig.Content.PageSize;

namespace RagService.Ingestion.Tests.Ocr;

using DocumentFormat = RagService.Core.Documents.DocumentFormat;

/// <summary>
/// Headings of a printed and scanned page: a title, numbered sections and sub-sections a few points above 10.5 pt body
/// text, a numbered list, a small-type footer; the page turned a little and soiled with specks, as a scanner leaves it.
/// The sizes OCR measures decide which lines are headings, and the numbering their levels.
/// </summary>
public sealed class ScannedHeadingTests(ITestOutputHelper output) : IDisposable
{
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    // Specks at the generated set's density (150 a million pixels); a speck that lands on a heading's letters can
    // change how it reads ("3 Purpose." read at 33 confidence), which is the recogniser's part, not the one tested here.
    [Theory]
    [InlineData(0.8, 5)]
    [InlineData(0.0, 7)]
    [InlineData(-1.1, 11)]
    public async Task A_scanned_page_keeps_its_title_and_numbered_headings_at_their_levels(double skewDegrees, int seed)
    {
        var text = _files.Write("policy.pdf", PolicyPage());
        var pgm = OcrFixtures.Rasterise(text, _files.PathFor("page.pgm"), dpi: 200);
        var scan = GrayImage.ReadPgm(await File.ReadAllBytesAsync(pgm)).Rotate(skewDegrees);
        scan.Soil(new Random(seed), specksPerMillion: 150, paper: 246);
        var png = _files.PathFor("scan.png");
        await File.WriteAllBytesAsync(png, scan.ToPng());
        var pdf = _files.Write("scan.pdf", OcrFixtures.ScannedPdf(png));

        var tree = await new PdfParser(new PdfPageOcr(new PageRecognizer(OcrEnginePool.Shared)))
            .ParseAsync(new DocumentSource(pdf, "scan.pdf", DocumentFormat.Pdf), CancellationToken.None);
        output.WriteLine(DocumentTreeMarkdown.Render(tree));

        // A speck beside a heading may be read as a mark at either end ("_ 3 Purpose", "3.2 General Rules ©"): the
        // heading and its level are what is tested here.
        char[] marks = [' ', '_', '©', '.', ',', '|', '-'];
        var headings = tree.Blocks.Where(b => b.Kind == BlockKind.Heading).Select(b => (Text: b.Text.Trim(marks), b.Level)).ToList();
        Assert.Equal([("Travel Policy", 1), ("3 Purpose", 2), ("3.1 Deadlines", 3), ("3.2 General Rules", 3)], headings);
        Assert.Contains(tree.Blocks, b => b.Kind == BlockKind.ListItem && b.Text.StartsWith("Compare the cost estimate", StringComparison.Ordinal));
    }

    private static readonly string[] Body =
    [
        "The auditor keeps the travel itinerary within five working days. The auditor approves every receipt",
        "after every change. The daily allowance for Prague under rule 9070 is 63611 EUR, paid in arrears.",
        "Each department reports the cost estimate as part of the annual review before the end of the month.",
    ];

    /// <summary>An A4 page in Helvetica: an 18 pt bold title, 15 pt and 13 pt bold numbered headings, 10.5 pt text.</summary>
    private static byte[] PolicyPage()
    {
        var builder = new PdfDocumentBuilder();
        var regular = builder.AddStandard14Font(Standard14Font.Helvetica);
        var bold = builder.AddStandard14Font(Standard14Font.HelveticaBold);
        var page = builder.AddPage(PageSize.A4);
        var y = 780.0;
        void Add(string line, double size, bool heavy, double x = 57, double after = 13.5)
        {
            page.AddText(line, size, new PdfPoint(x, y), heavy ? bold : regular);
            y -= after;
        }

        void Paragraph()
        {
            y -= 4;
            foreach (var line in Body)
            {
                Add(line, 10.5, heavy: false);
            }

            y -= 10;
        }

        Add("Travel Policy", 18, heavy: true, after: 36);
        Add("3 Purpose", 15, heavy: true, after: 20);
        Paragraph();
        Add("3.1 Deadlines", 13, heavy: true, after: 18);
        Paragraph();
        Add("1. Compare the cost estimate before the end of the month.", 10.5, heavy: false, x: 75);
        Add("2. Check the inventory list in the shared register.", 10.5, heavy: false, x: 75, after: 24);
        Add("3.2 General Rules", 13, heavy: true, after: 18);
        Paragraph();
        Paragraph();
        page.AddText("Travel Policy - Page 1", 8, new PdfPoint(57, 30), regular);
        return builder.Build();
    }
}
