using RagService.Core.Documents;
using RagService.Ingestion.Parsing;
using RagService.Ingestion.Parsing.Html;
using RagService.Ingestion.Parsing.Image;
using RagService.Ingestion.Parsing.Markdown;
using RagService.Ingestion.Parsing.Text;

namespace RagService.Ingestion.Tests;

using DocumentFormat = RagService.Core.Documents.DocumentFormat;

public sealed class MarkupParserTests : IDisposable
{
    private const string Markdown = """
        # Deployment Guide

        Intro paragraph with **bold** and `code`.

        ## Linux

        The Linux installer requires 4 GB of free disk space.

        - Download the package.
        - Verify it.
          - Use sha256sum.

        | Platform | RAM |
        |----------|-----|
        | Linux    | 2 GB |
        | Windows  | 4 GB |

        ```bash
        ./install.sh
        ```
        """;

    private const string Html = """
        <!DOCTYPE html>
        <html><head><title>Deployment Guide</title><style>p { color: red }</style></head>
        <body>
          <nav><a href="/">Home</a> | <a href="/docs">Docs</a></nav>
          <h1>Deployment Guide</h1>
          <p>Intro paragraph with <b>bold</b> and <code>code</code>.</p>
          <div>
            <h2>Linux</h2>
            <p>The Linux installer requires 4 GB of free disk space.</p>
            <ul>
              <li>Download the package.</li>
              <li>Verify it.
                <ul><li>Use sha256sum.</li></ul>
              </li>
            </ul>
            <table>
              <tr><th>Platform</th><th>RAM</th></tr>
              <tr><td>Linux</td><td>2 GB</td></tr>
              <tr><td>Windows</td><td>4 GB</td></tr>
            </table>
            <pre>./install.sh</pre>
          </div>
          <script>var tracking = "do not index";</script>
          <footer>Copyright footer text</footer>
        </body></html>
        """;

    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static List<(BlockKind, string, int)> Shape(DocumentTree tree) =>
        tree.Blocks.Select(b => (b.Kind, b.Kind == BlockKind.Code ? b.Text.Trim() : b.Text, b.Level)).ToList();

    private static readonly List<(BlockKind, string, int)> ExpectedShape =
    [
        (BlockKind.Heading, "Deployment Guide", 1),
        (BlockKind.Paragraph, "Intro paragraph with bold and code.", 0),
        (BlockKind.Heading, "Linux", 2),
        (BlockKind.Paragraph, "The Linux installer requires 4 GB of free disk space.", 0),
        (BlockKind.ListItem, "Download the package.", 0),
        (BlockKind.ListItem, "Verify it.", 0),
        (BlockKind.ListItem, "Use sha256sum.", 1),
        (BlockKind.Table, "| Platform | RAM |\n| --- | --- |\n| Linux | 2 GB |\n| Windows | 4 GB |", 0),
        (BlockKind.Code, "./install.sh", 0),
    ];

    [Fact]
    public async Task Markdown_yields_headings_lists_tables_and_code()
    {
        var path = _files.Write("guide.md", Markdown);

        var tree = await new MarkdownParser().ParseAsync(new DocumentSource(path, "guide.md", DocumentFormat.Markdown), CancellationToken.None);

        Assert.Equal(ExpectedShape, Shape(tree));
        var table = tree.Blocks.Single(b => b.Kind == BlockKind.Table);
        Assert.Equal(["Windows", "4 GB"], table.Rows![2]);
        Assert.Equal("Deployment Guide", tree.Title);
    }

    [Fact]
    public async Task Html_yields_the_same_structure_as_markdown_and_skips_chrome()
    {
        var path = _files.Write("guide.html", Html);

        var tree = await new HtmlParser().ParseAsync(new DocumentSource(path, "guide.html", DocumentFormat.Html), CancellationToken.None);

        Assert.Equal(ExpectedShape, Shape(tree));
        Assert.Equal("Deployment Guide", tree.Title);
        Assert.DoesNotContain(tree.Blocks, b => b.Text.Contains("tracking", StringComparison.Ordinal)
            || b.Text.Contains("Copyright", StringComparison.Ordinal) || b.Text.Contains("Home", StringComparison.Ordinal));
    }

    [Fact]
    public void Html_colspan_is_repeated_in_each_spanned_column()
    {
        var tree = HtmlParser.Parse("<table><tr><th>A</th><th>B</th></tr><tr><td colspan=2>both</td></tr></table>");

        Assert.Equal(["both", "both"], tree.Blocks.Single().Rows![1]);
    }

    [Fact]
    public async Task Plain_text_paragraphs_are_split_at_blank_lines()
    {
        var path = _files.Write("notes.txt", "First paragraph\nwraps here.\n\n\nSecond paragraph.\r\n\r\nThird.");

        var tree = await new PlainTextParser().ParseAsync(new DocumentSource(path, "notes.txt", DocumentFormat.PlainText), CancellationToken.None);

        Assert.Equal(["First paragraph wraps here.", "Second paragraph.", "Third."], tree.Blocks.Select(b => b.Text));
        Assert.All(tree.Blocks, b => Assert.Equal(BlockKind.Paragraph, b.Kind));
        Assert.Equal(["b0", "b1", "b2"], tree.Blocks.Select(b => b.Id));
    }

    [Theory]
    [InlineData("The installer needs disk space.", "en")]
    [InlineData("安装程序需要四个千兆字节的磁盘空间。请先检查。", "zh")]
    [InlineData("Установщику нужно место на диске.", null)]
    public void Language_is_guessed_from_the_script(string text, string? language)
    {
        Assert.Equal(language, MarkdownParser.Parse(text).Language);
    }

    [Fact]
    public async Task Whitespace_only_text_is_rejected_as_empty()
    {
        var path = _files.Write("blank.txt", "  \n\n \t ");

        var error = await Assert.ThrowsAsync<DocumentRejectedException>(() =>
            new PlainTextParser().ParseAsync(new DocumentSource(path, "blank.txt", DocumentFormat.PlainText), CancellationToken.None));
        Assert.Equal("empty document", error.Message);
    }

    [Fact]
    public async Task Truncated_image_is_rejected_as_corrupt()
    {
        var path = _files.Write("scan.png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);

        var error = await Assert.ThrowsAsync<DocumentRejectedException>(() =>
            DocumentParserRegistry.CreateDefault().ParseAsync(new DocumentSource(path, "scan.png", DocumentFormat.Image), CancellationToken.None));
        Assert.StartsWith("corrupt", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(DocumentFormat.Pdf, "PdfParser")]
    [InlineData(DocumentFormat.Docx, "DocxParser")]
    [InlineData(DocumentFormat.Html, "HtmlParser")]
    [InlineData(DocumentFormat.Markdown, "MarkdownParser")]
    [InlineData(DocumentFormat.PlainText, "PlainTextParser")]
    [InlineData(DocumentFormat.Image, "ImageParser")]
    public void Registry_picks_the_parser_for_each_format(DocumentFormat format, string parser)
    {
        Assert.Equal(parser, DocumentParserRegistry.CreateDefault().For(format).GetType().Name);
    }

    [Fact]
    public void Registry_rejects_unknown_format()
    {
        var error = Assert.Throws<DocumentRejectedException>(() => DocumentParserRegistry.CreateDefault().For(DocumentFormat.Unknown));
        Assert.Equal("unsupported format", error.Message);
    }
}
