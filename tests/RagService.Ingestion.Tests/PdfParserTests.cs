using RagService.Core.Documents;
using RagService.Ingestion.Parsing.Pdf;
using RagService.TestSupport;
using Xunit.Abstractions;

namespace RagService.Ingestion.Tests;

using DocumentFormat = RagService.Core.Documents.DocumentFormat;

public sealed class PdfParserTests(ITestOutputHelper output) : IDisposable
{
    private readonly TestFiles _files = new();
    private readonly PdfParser _parser = new();

    public void Dispose() => _files.Dispose();

    private async Task<DocumentTree> ParseFixtureAsync()
    {
        var path = _files.PathFor("handbook.pdf");
        TestDocuments.WritePdf(path);
        var tree = await _parser.ParseAsync(new DocumentSource(path, "handbook.pdf", DocumentFormat.Pdf), CancellationToken.None);
        foreach (var block in tree.Blocks)
        {
            output.WriteLine($"{block.Id} {block.Kind} L{block.Level} p{block.PageStart}-{block.PageEnd}: {block.Text}");
        }

        return tree;
    }

    [Fact]
    public async Task Headings_are_detected_from_font_size_with_consistent_levels()
    {
        var tree = await ParseFixtureAsync();

        var headings = tree.Blocks.Where(b => b.Kind == BlockKind.Heading).Select(b => (b.Text, b.Level)).ToList();
        Assert.Equal(
        [
            (TestDocuments.PdfTitle, 1),
            (TestDocuments.PdfIntroductionHeading, 2),
            (TestDocuments.PdfScopeHeading, 2),
            (TestDocuments.PdfBackupHeading, 2),
            (TestDocuments.PdfOffsiteHeading, 3),
            (TestDocuments.PdfIncidentHeading, 2),
        ], headings);
        Assert.Equal(TestDocuments.PdfTitle, tree.Title);
        Assert.Equal(TestDocuments.PdfPageCount, tree.PageCount);
    }

    [Fact]
    public async Task Running_header_and_page_numbers_are_removed()
    {
        var tree = await ParseFixtureAsync();

        Assert.DoesNotContain(tree.Blocks, b => b.Text.Contains("ACME Corp", StringComparison.Ordinal));
        Assert.DoesNotContain(tree.Blocks, b => b.Text.Trim() is "1" or "2" or "3");
    }

    [Fact]
    public async Task Text_repeated_at_the_top_of_every_page_stays_when_it_is_the_page_content()
    {
        // Three pages that each carry only the same two-line notice near the top, a page number below:
        // the notice is what the document says, not a running header, so it is kept on every page.
        var builder = new UglyToad.PdfPig.Writer.PdfDocumentBuilder();
        var font = builder.AddStandard14Font(UglyToad.PdfPig.Fonts.Standard14Fonts.Standard14Font.Helvetica);
        for (var i = 0; i < 3; i++)
        {
            var page = builder.AddPage(UglyToad.PdfPig.Content.PageSize.A4);
            page.AddText("Visitors must sign in at the front desk", 14, new UglyToad.PdfPig.Core.PdfPoint(72, 790), font);
            page.AddText("and wear their badge at all times.", 14, new UglyToad.PdfPig.Core.PdfPoint(72, 770), font);
            page.AddText((i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), 9, new UglyToad.PdfPig.Core.PdfPoint(290, 30), font);
        }

        var path = _files.PathFor("notice.pdf");
        await File.WriteAllBytesAsync(path, builder.Build());
        var tree = await _parser.ParseAsync(new DocumentSource(path, "notice.pdf", DocumentFormat.Pdf), CancellationToken.None);

        var text = string.Join("\n", tree.Blocks.Select(b => b.Text));
        Assert.Equal(3, tree.Blocks.Count(b => b.Text.Contains("Visitors must sign in", StringComparison.Ordinal)));
        Assert.Equal(3, tree.Blocks.Count(b => b.Text.Contains("wear their badge", StringComparison.Ordinal)));
        Assert.DoesNotContain(tree.Blocks, b => b.Text.Trim() is "1" or "2" or "3");
        output.WriteLine(text);
    }

    [Fact]
    public async Task Fact_on_page_two_follows_its_heading_and_carries_page_and_box()
    {
        var tree = await ParseFixtureAsync();

        var fact = Assert.Single(tree.Blocks, b => b.Text.Contains(TestDocuments.PdfBackupFact, StringComparison.Ordinal));
        Assert.Equal(TestDocuments.PdfBackupPage, fact.PageStart);
        Assert.NotNull(fact.Box);
        Assert.True(fact.Box.Value.Width > 100);
        var heading = tree.Blocks.Take(tree.Blocks.ToList().IndexOf(fact)).Last(b => b.Kind == BlockKind.Heading);
        Assert.Equal(TestDocuments.PdfBackupHeading, heading.Text);

        var incident = Assert.Single(tree.Blocks, b => b.Text.Contains(TestDocuments.PdfIncidentFact, StringComparison.Ordinal));
        Assert.Equal(TestDocuments.PdfIncidentPage, incident.PageStart);
    }

    [Fact]
    public async Task Paragraph_cut_by_a_page_break_is_joined()
    {
        var tree = await ParseFixtureAsync();

        var joined = Assert.Single(tree.Blocks, b => b.Text.Contains(TestDocuments.PdfSplitParagraphStart, StringComparison.Ordinal));
        Assert.EndsWith(TestDocuments.PdfSplitParagraphEnd, joined.Text, StringComparison.Ordinal);
        Assert.Equal(1, joined.PageStart);
        Assert.Equal(2, joined.PageEnd);
    }

    [Fact]
    public async Task Truncated_pdf_is_rejected_with_a_clear_reason()
    {
        var path = _files.PathFor("full.pdf");
        TestDocuments.WritePdf(path);
        var bytes = await File.ReadAllBytesAsync(path);
        var truncated = _files.Write("truncated.pdf", bytes[..(bytes.Length / 2)]);

        var error = await Assert.ThrowsAsync<DocumentRejectedException>(() =>
            _parser.ParseAsync(new DocumentSource(truncated, "truncated.pdf", DocumentFormat.Pdf), CancellationToken.None));
        Assert.StartsWith("corrupt or truncated PDF", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Garbage_with_a_pdf_header_is_rejected_as_corrupt()
    {
        var path = _files.Write("garbage.pdf", "%PDF-1.7\nthis is not a pdf body at all\n%%EOF\n");

        var error = await Assert.ThrowsAsync<DocumentRejectedException>(() =>
            _parser.ParseAsync(new DocumentSource(path, "garbage.pdf", DocumentFormat.Pdf), CancellationToken.None));
        Assert.Contains("PDF", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pdf_without_a_text_layer_is_rejected_as_scanned()
    {
        var path = _files.PathFor("scan.pdf");
        TestDocuments.WritePdfWithoutTextLayer(path);

        var error = await Assert.ThrowsAsync<DocumentRejectedException>(() =>
            _parser.ParseAsync(new DocumentSource(path, "scan.pdf", DocumentFormat.Pdf), CancellationToken.None));
        Assert.Equal("scanned PDF: OCR not available", error.Message);
    }

    [Fact]
    public async Task Two_columns_are_read_one_after_the_other()
    {
        var path = _files.PathFor("columns.pdf");
        TestDocuments.WriteTwoColumnPdf(path);

        var tree = await _parser.ParseAsync(new DocumentSource(path, "columns.pdf", DocumentFormat.Pdf), CancellationToken.None);

        Assert.Equal(
            [string.Join(' ', TestDocuments.PdfLeftColumn), string.Join(' ', TestDocuments.PdfRightColumn)],
            tree.Blocks.Select(b => b.Text));
    }
}
