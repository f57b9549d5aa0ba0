using RagService.Core.Documents;
using RagService.Ingestion.Parsing;
using RagService.Ingestion.Parsing.Pdf;
using RagService.TestSupport;
using Xunit.Abstractions;

namespace RagService.Ingestion.Tests.Pdf;

using DocumentFormat = RagService.Core.Documents.DocumentFormat;

/// <summary>
/// A table of contents (entries ending in a dot leader and a page number) becomes a two-column table of
/// entry and page with the leaders removed; prose whose lines trail off in "..." stays prose.
/// </summary>
public sealed class ContentsTableTests(ITestOutputHelper output) : IDisposable
{
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    private async Task<DocumentTree> ParseAsync(string path)
    {
        var tree = await new PdfParser().ParseAsync(new DocumentSource(path, Path.GetFileName(path), DocumentFormat.Pdf), CancellationToken.None);
        output.WriteLine(DocumentTreeMarkdown.Render(tree));
        return tree;
    }

    [Fact]
    public async Task Contents_with_dot_leaders_becomes_an_entry_and_page_table()
    {
        var tree = await ParseAsync(_files.Write("contents.pdf", ContentsPdf.Contents()));

        var table = Assert.Single(tree.Blocks, b => b.Kind == BlockKind.Table);
        Assert.NotNull(table.Rows);
        Assert.Equal(ContentsPdf.Rows.Count, table.Rows.Count);
        for (var r = 0; r < ContentsPdf.Rows.Count; r++)
        {
            Assert.Equal(ContentsPdf.Rows[r], table.Rows[r]);
        }

        // The title stays a heading before the table, the text after it a paragraph after it; no leader dots anywhere.
        Assert.Equal([BlockKind.Heading, BlockKind.Table, BlockKind.Paragraph], tree.Blocks.Select(b => b.Kind));
        Assert.Equal(ContentsPdf.Title, tree.Blocks[0].Text);
        Assert.Equal(ContentsPdf.After, tree.Blocks[2].Text);
        Assert.DoesNotContain(". .", table.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("...", table.Text, StringComparison.Ordinal);
        Assert.DoesNotContain('\u2026', table.Text);
    }

    [Fact]
    public async Task Prose_trailing_off_in_dots_stays_prose()
    {
        var tree = await ParseAsync(_files.Write("prose.pdf", ContentsPdf.Prose()));

        Assert.DoesNotContain(tree.Blocks, b => b.Kind == BlockKind.Table);
        var text = string.Join(' ', tree.Blocks.Select(b => b.Text));
        Assert.Equal(string.Join(' ', [.. ContentsPdf.ProseLines, ContentsPdf.ProseClosing]), text);
    }

    [Fact]
    public void Lines_ending_in_leaders_without_page_numbers_or_in_too_few_rows_are_no_contents()
    {
        static PdfLine Line(string text, int row) => new(1, text, new BoundingBox(72, 700 - (13 * row), 500, 708 - (13 * row)), 10, false, 0, 842) { Row = row };

        // Dots without a number, a number without a leader, a decimal, and a word made of roman letters that is no numeral.
        List<PdfLine> notContents =
        [
            Line("The list goes on and on . . .", 0),
            Line("Version 3.14 was released in 2021", 1),
            Line("and then he simply did . . . did", 2),
            Line("and the prices went up...", 3),
        ];
        Assert.Empty(ContentsTableDetector.Find(notContents));

        // Two entries are a cross-reference or two, not a table of contents.
        Assert.Empty(ContentsTableDetector.Find([Line("Notices . . . . . . vii", 0), Line("Preface . . . . . . xi", 1)]));

        var three = ContentsTableDetector.Find([Line("Notices . . . . . . vii", 0), Line("Preface . . . . . . xi", 1), Line("Index ..... 102", 2)]);
        Assert.Equal([["Notices", "vii"], ["Preface", "xi"], ["Index", "102"]], Assert.Single(three).Rows);
    }

    [Fact]
    public void Recognised_contents_lines_without_row_numbers_stay_in_reading_order()
    {
        // OCR'd lines carry no row number: one block of them is told apart into rows by level.
        static PdfLine Line(string text, double left, int index) =>
            new(1, text, new BoundingBox(left, 700 - (14 * index), 500, 709 - (14 * index)), 10, false, 0, 842);

        var table = Assert.Single(ContentsTableDetector.Find(
        [
            Line("Introduction . . . . . . . 1", 72, 0),
            Line("1.1 Scope . . . . . . . . 2", 86, 1),
            Line("Methods . . . . . . . . . 5", 72, 2),
            Line("2.1 Data . . . . . . . . . 6", 86, 3),
        ]));

        Assert.Equal([["Introduction", "1"], ["1.1 Scope", "2"], ["Methods", "5"], ["2.1 Data", "6"]], table.Rows);
    }

    [SharedDataFact("documents/docling/pdf/sources/redp5110_sampled.pdf")]
    public async Task Redbook_contents_page_is_a_table_of_entries_and_pages()
    {
        var tree = await new PdfParser().ParseAsync(
            new DocumentSource(SharedData.PathOf("documents/docling/pdf/sources/redp5110_sampled.pdf")!, "redp5110_sampled.pdf", DocumentFormat.Pdf), CancellationToken.None);

        var contents = Assert.Single(tree.Blocks, b => b.Kind == BlockKind.Table && b.PageStart == 2);
        Assert.NotNull(contents.Rows);
        Assert.Equal(["Notices", "vii"], contents.Rows[0]);
        Assert.Contains(contents.Rows, r => r.SequenceEqual(["1.3.1 Existing row and column control", "4"]));
        Assert.Contains(contents.Rows, r => r.SequenceEqual(["Comments welcome", "xiii"]));
        Assert.All(contents.Rows, r => Assert.Equal(2, r.Count));
    }
}
