using System.IO.Compression;
using RagService.Core.Documents;
using RagService.Ingestion.Parsing.Docx;
using RagService.TestSupport;

namespace RagService.Ingestion.Tests;

using DocumentFormat = RagService.Core.Documents.DocumentFormat;

public sealed class DocxParserTests : IDisposable
{
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    private async Task<DocumentTree> ParseFixtureAsync(DocxParserOptions? options = null)
    {
        var path = _files.PathFor("guide.docx");
        TestDocuments.WriteDocx(path);
        return await new DocxParser(options ?? new DocxParserOptions())
            .ParseAsync(new DocumentSource(path, "guide.docx", DocumentFormat.Docx), CancellationToken.None);
    }

    [Fact]
    public async Task Heading_levels_come_from_outline_levels_not_style_ids_or_names()
    {
        var tree = await ParseFixtureAsync();

        var headings = tree.Blocks.Where(b => b.Kind == BlockKind.Heading).Select(b => (b.Text, b.Level)).ToList();
        Assert.Equal(
        [
            (TestDocuments.DocxTitle, 1),
            (TestDocuments.DocxIntroductionHeading, 1),
            (TestDocuments.DocxInstallationHeading, 1),
            (TestDocuments.DocxLinuxHeading, 2),
            (TestDocuments.DocxWindowsHeading, 2), // outline level inherited through basedOn
        ], headings);
        var decoy = Assert.Single(tree.Blocks, b => b.Text == TestDocuments.DocxDecoyStyleParagraph);
        Assert.Equal(BlockKind.Paragraph, decoy.Kind);
    }

    [Fact]
    public async Task Title_comes_from_core_properties()
    {
        var tree = await ParseFixtureAsync();

        Assert.Equal(TestDocuments.DocxTitle, tree.Title);
    }

    [Fact]
    public async Task List_items_keep_their_nesting_level()
    {
        var tree = await ParseFixtureAsync();

        var items = tree.Blocks.Where(b => b.Kind == BlockKind.ListItem).Select(b => (b.Text, b.Level)).ToList();
        Assert.Equal(
        [
            (TestDocuments.DocxBulletItems[0], 0),
            (TestDocuments.DocxBulletItems[1], 0),
            (TestDocuments.DocxNestedBulletItem, 1),
            (TestDocuments.DocxBulletItems[2], 0),
        ], items);
    }

    [Fact]
    public async Task Table_keeps_cells_by_row_and_renders_a_pipe_table()
    {
        var tree = await ParseFixtureAsync();

        var table = Assert.Single(tree.Blocks, b => b.Kind == BlockKind.Table);
        Assert.NotNull(table.Rows);
        Assert.Equal(TestDocuments.DocxTableRows.Select(r => r.ToList()), table.Rows.Select(r => r.ToList()));
        Assert.StartsWith("| Platform | Minimum RAM | Free disk |\n| --- | --- | --- |\n| Linux | 2 GB | 4 GB |", table.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Facts_follow_their_headings_and_page_header_is_skipped()
    {
        var tree = await ParseFixtureAsync();
        var blocks = tree.Blocks.ToList();

        var fact = blocks.FindIndex(b => b.Text == TestDocuments.DocxLinuxFact);
        Assert.True(fact > 0);
        Assert.Equal(TestDocuments.DocxLinuxHeading, blocks.Take(fact).Last(b => b.Kind == BlockKind.Heading).Text);
        Assert.DoesNotContain(blocks, b => b.Text.Contains(TestDocuments.DocxHeaderText, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Merged_cells_are_repeated_in_every_cell_they_cover()
    {
        var path = _files.PathFor("merged.docx");
        TestDocuments.WriteDocxWithMergedCells(path);

        var tree = await new DocxParser().ParseAsync(new DocumentSource(path, "merged.docx", DocumentFormat.Docx), CancellationToken.None);

        var table = Assert.Single(tree.Blocks, b => b.Kind == BlockKind.Table);
        Assert.Equal(
            [["Platform", "Region", "Region"], ["Linux", "EU", "Frankfurt"], ["Linux", "US", "Virginia"]],
            table.Rows!.Select(r => r.ToArray()).ToArray());
    }

    [Fact]
    public async Task Package_inflating_beyond_the_limit_is_rejected()
    {
        var error = await Assert.ThrowsAsync<DocumentRejectedException>(() =>
            ParseFixtureAsync(new DocxParserOptions { MaxUncompressedBytes = 1024 }));

        Assert.Contains("too large", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Docx_with_no_text_is_rejected_as_empty()
    {
        var path = _files.PathFor("empty.docx");
        TestDocuments.WriteEmptyDocx(path);

        var error = await Assert.ThrowsAsync<DocumentRejectedException>(() =>
            new DocxParser().ParseAsync(new DocumentSource(path, "empty.docx", DocumentFormat.Docx), CancellationToken.None));
        Assert.Equal("empty document", error.Message);
    }

    [Fact]
    public async Task Corrupt_package_is_rejected()
    {
        var path = _files.PathFor("broken.docx");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            using var writer = new StreamWriter(zip.CreateEntry("word/document.xml").Open());
            writer.Write("<not-word/>");
        }

        await Assert.ThrowsAsync<DocumentRejectedException>(() =>
            new DocxParser().ParseAsync(new DocumentSource(path, "broken.docx", DocumentFormat.Docx), CancellationToken.None));
    }
}
