using System.IO.Compression;
using System.Xml.Linq;
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
    public async Task Heading_levels_come_from_outline_levels_not_style_ids_or_names_and_nest_under_the_title()
    {
        var tree = await ParseFixtureAsync();

        var headings = tree.Blocks.Where(b => b.Kind == BlockKind.Heading).Select(b => (b.Text, b.Level)).ToList();
        // The Title paragraph is one level above Heading 1 (outline level 0).
        Assert.Equal(
        [
            (TestDocuments.DocxTitle, 1),
            (TestDocuments.DocxIntroductionHeading, 2),
            (TestDocuments.DocxInstallationHeading, 2),
            (TestDocuments.DocxLinuxHeading, 3),
            (TestDocuments.DocxWindowsHeading, 3), // outline level inherited through basedOn
        ], headings);
        var decoy = Assert.Single(tree.Blocks, b => b.Text == TestDocuments.DocxDecoyStyleParagraph);
        Assert.Equal(BlockKind.Paragraph, decoy.Kind);
    }

    [Fact]
    public async Task Without_a_title_paragraph_heading_1_is_the_top_level()
    {
        var path = _files.PathFor("untitled.docx");
        TestDocuments.WriteDocx(path);
        EditPackage(path, (body, core) =>
        {
            Paragraphs(body).First(p => p.Value == TestDocuments.DocxTitle).Remove();
            core.Descendants().Where(e => e.Name.LocalName == "title").Remove();
        });

        var tree = await new DocxParser().ParseAsync(new DocumentSource(path, "untitled.docx", DocumentFormat.Docx), CancellationToken.None);

        var headings = tree.Blocks.Where(b => b.Kind == BlockKind.Heading).Select(b => (b.Text, b.Level)).ToList();
        Assert.Equal((TestDocuments.DocxIntroductionHeading, 1), headings[0]);
        Assert.Equal((TestDocuments.DocxLinuxHeading, 2), headings[2]);
        Assert.Equal(TestDocuments.DocxIntroductionHeading, tree.Title);
    }

    [Fact]
    public async Task Without_core_properties_the_title_paragraph_is_the_title()
    {
        var path = _files.PathFor("titled.docx");
        TestDocuments.WriteDocx(path);
        EditPackage(path, (body, core) =>
        {
            core.Descendants().Where(e => e.Name.LocalName == "title").Remove();
            // A Heading 1 before the Title paragraph must not become the title.
            body.AddFirst(new XElement(Paragraphs(body).First(p => p.Value == TestDocuments.DocxIntroductionHeading)));
        });

        var tree = await new DocxParser().ParseAsync(new DocumentSource(path, "titled.docx", DocumentFormat.Docx), CancellationToken.None);

        Assert.Equal(TestDocuments.DocxTitle, tree.Title);
    }

    private static readonly XNamespace W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

    private static IEnumerable<XElement> Paragraphs(XElement body) => body.Elements(W + "p");

    /// <summary>Rewrites the fixture's body and core properties in place (plain XML, no SDK round trip).</summary>
    private static void EditPackage(string path, Action<XElement, XElement> edit)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Update);
        var document = Load(zip, "word/document.xml");
        // System.IO.Packaging stores the core properties under package/services/metadata/core-properties/.
        var coreName = zip.Entries.Single(e => e.FullName.EndsWith(".psmdcp", StringComparison.Ordinal) || e.FullName == "docProps/core.xml").FullName;
        var core = Load(zip, coreName);
        edit(document.Root!.Element(W + "body")!, core.Root!);
        Save(zip, "word/document.xml", document);
        Save(zip, coreName, core);

        static XDocument Load(ZipArchive zip, string name)
        {
            using var stream = zip.GetEntry(name)!.Open();
            return XDocument.Load(stream);
        }

        static void Save(ZipArchive zip, string name, XDocument xml)
        {
            zip.GetEntry(name)!.Delete();
            using var stream = zip.CreateEntry(name).Open();
            xml.Save(stream);
        }
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

    [Fact]
    public async Task A_chart_becomes_a_table_of_its_cached_series_after_its_title()
    {
        var path = _files.PathFor("chart.docx");
        ChartDocx.Write(path);

        var tree = await new DocxParser().ParseAsync(new DocumentSource(path, "chart.docx", DocumentFormat.Docx), CancellationToken.None);

        var table = Assert.Single(tree.Blocks, b => b.Kind == BlockKind.Table);
        Assert.Equal(["", "Completed", "Failed"], table.Rows![0]);
        Assert.Equal(["Q1", "41", "3"], table.Rows[1]);
        Assert.Equal(["Q2", "37.5", "0.3"], table.Rows[2]);
        Assert.Equal(["Q3", "52", "1"], table.Rows[3]);
        var blocks = tree.Blocks.ToList();
        var index = blocks.IndexOf(table);
        Assert.Equal(ChartDocx.Title, blocks[index - 1].Text);
        Assert.StartsWith("Restore tests run", blocks[index - 2].Text, StringComparison.Ordinal);
        Assert.StartsWith("The failed restores", blocks[index + 1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Footnotes_follow_the_paragraph_that_cites_them_and_endnotes_close_the_document()
    {
        var path = _files.PathFor("notes.docx");
        NotesDocx.Write(path);

        var tree = await new DocxParser().ParseAsync(new DocumentSource(path, "notes.docx", DocumentFormat.Docx), CancellationToken.None);

        Assert.Equal(
            ["The highest tide reached 7.2 metres.", "Footnote 1: Measured at the Dover gauge in 2023.", "Walls are inspected twice a year.",
             "Repairs follow within a month.", "Endnote 1: Sources are listed in the annex."],
            tree.Blocks.Select(b => b.Text));
    }
}
