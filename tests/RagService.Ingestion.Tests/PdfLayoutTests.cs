using System.Text;
using RagService.Core.Documents;
using RagService.Evaluation.Synthetic;
using RagService.Ingestion.Parsing;
using RagService.Ingestion.Parsing.Pdf;
using RagService.TestSupport;
using Xunit.Abstractions;

namespace RagService.Ingestion.Tests;

using DocumentFormat = RagService.Core.Documents.DocumentFormat;

public sealed class PdfLayoutTests(ITestOutputHelper output) : IDisposable
{
    private readonly TestFiles _files = new();
    private readonly PdfParser _parser = new();

    public void Dispose() => _files.Dispose();

    private async Task<DocumentTree> ParseAsync(string path)
    {
        var tree = await _parser.ParseAsync(new DocumentSource(path, Path.GetFileName(path), DocumentFormat.Pdf), CancellationToken.None);
        output.WriteLine(DocumentTreeMarkdown.Render(tree));
        return tree;
    }

    [Fact]
    public async Task Policy_loses_running_header_and_footer_and_keeps_numbered_headings_at_consistent_levels()
    {
        var tree = await ParseAsync(_files.Write("policy.pdf", SyntheticPolicyPdf.Build(12)));

        Assert.DoesNotContain(tree.Blocks, b => b.Text.Contains("ACME Corp", StringComparison.Ordinal));
        Assert.DoesNotContain(tree.Blocks, b => b.Text.Contains("of 12", StringComparison.Ordinal));
        var headings = tree.Blocks.Where(b => b.Kind == BlockKind.Heading).ToList();
        Assert.Contains(headings, h => h.Text == "1 Section 1 controls");
        Assert.All(headings.Where(h => h.Text.EndsWith("controls", StringComparison.Ordinal)), h => Assert.Equal(1, h.Level));
        Assert.All(headings.Where(h => h.Text.StartsWith("1.1 ", StringComparison.Ordinal) || h.Text.Contains(".1 Scope", StringComparison.Ordinal)),
            h => Assert.Equal(2, h.Level));
    }

    [Fact]
    public async Task Table_continued_on_the_next_page_is_one_table_with_one_header_row()
    {
        var tree = await ParseAsync(_files.Write("policy.pdf", SyntheticPolicyPdf.Build(12)));

        var table = Assert.Single(tree.Blocks, b => b.Kind == BlockKind.Table);
        Assert.Equal(10, table.PageStart);
        Assert.Equal(11, table.PageEnd);
        Assert.NotNull(table.Rows);
        Assert.Equal(SyntheticPolicyPdf.TableHeader, table.Rows[0]);
        Assert.Equal(1 + 24, table.Rows.Count);
        Assert.Equal(["AC-13", "IT operations", "Monthly", "Ticket log 13"], table.Rows[13]);
        Assert.StartsWith("| Control | Owner | Frequency | Evidence |", table.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Paragraph_lines_are_not_mistaken_for_tables_or_headings()
    {
        var tree = await ParseAsync(_files.Write("policy.pdf", SyntheticPolicyPdf.Build(3)));

        Assert.DoesNotContain(tree.Blocks, b => b.Kind == BlockKind.Table);
        var paragraph = Assert.Single(tree.Blocks, b => b.PageStart == 1 && b.Text.StartsWith("Line 1 of paragraph 1 on page 1:", StringComparison.Ordinal));
        Assert.Equal(BlockKind.Paragraph, paragraph.Kind);
        Assert.EndsWith("recorded in the register.", paragraph.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ملاعلا ابحرم", "مرحبا العالم")]
    [InlineData("Python ةغلب ةجمربلا", "البرمجة بلغة Python")]
    [InlineData("plain English line", "plain English line")]
    public void Right_to_left_lines_are_put_in_logical_order(string visual, string logical)
    {
        Assert.Equal(logical, Bidi.ToLogicalOrder(visual));
    }

    [Fact]
    public async Task Pdf_with_zero_pages_is_rejected_with_a_reason()
    {
        var path = _files.Write("empty.pdf", MinimalPdf(pageCount: 0));

        var error = await Assert.ThrowsAsync<DocumentRejectedException>(() => ParseAsync(path));
        Assert.Contains("no pages", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pdf_with_a_wrong_cross_reference_offset_is_still_read()
    {
        var bytes = SyntheticPolicyPdf.Build(2);
        var text = Encoding.Latin1.GetString(bytes);
        var at = text.LastIndexOf("startxref", StringComparison.Ordinal);
        var broken = text[..at] + "startxref\n17\n%%EOF\n";
        var tree = await ParseAsync(_files.Write("broken.pdf", Encoding.Latin1.GetBytes(broken)));

        Assert.Contains(tree.Blocks, b => b.Text == "1 Section 1 controls");
    }

    [SharedDataFact("documents/pdfpig/ICML03-081.pdf")]
    public async Task Two_column_paper_reads_each_column_top_to_bottom()
    {
        var tree = await ParseAsync(SharedData.PathOf("documents/pdfpig/ICML03-081.pdf")!);

        var text = string.Join(" ", tree.Blocks.Select(b => b.Text));
        var abstractAt = text.IndexOf("Abstract", StringComparison.OrdinalIgnoreCase);
        var introductionAt = text.IndexOf("Introduction", StringComparison.OrdinalIgnoreCase);
        Assert.True(abstractAt >= 0 && introductionAt > abstractAt, "the abstract precedes the introduction");
    }

    /// <summary>A hand-written PDF with a valid cross-reference table and the given page count (blank pages).</summary>
    private static byte[] MinimalPdf(int pageCount)
    {
        var objects = new List<string>
        {
            "<< /Type /Catalog /Pages 2 0 R >>",
            $"<< /Type /Pages /Kids [{string.Join(' ', Enumerable.Range(0, pageCount).Select(i => $"{3 + i} 0 R"))}] /Count {pageCount} >>",
        };
        objects.AddRange(Enumerable.Range(0, pageCount).Select(_ => "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"));
        var sb = new StringBuilder("%PDF-1.4\n");
        var offsets = new List<int>();
        for (var i = 0; i < objects.Count; i++)
        {
            offsets.Add(sb.Length);
            sb.Append($"{i + 1} 0 obj\n{objects[i]}\nendobj\n");
        }

        var xref = sb.Length;
        sb.Append($"xref\n0 {objects.Count + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets)
        {
            sb.Append($"{offset:D10} 00000 n \n");
        }

        sb.Append($"trailer\n<< /Size {objects.Count + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return Encoding.ASCII.GetBytes(sb.ToString());
    }
}
