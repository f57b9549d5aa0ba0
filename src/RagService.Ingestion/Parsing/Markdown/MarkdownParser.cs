using System.Text;
using Markdig;
using Markdig.Extensions.Tables;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using RagService.Core.Documents;
using RagService.Ingestion.Parsing.Text;
using MdTable = Markdig.Extensions.Tables.Table;

namespace RagService.Ingestion.Parsing.Markdown;

// OpenXml's root namespace "DocumentFormat" would otherwise shadow the Core enum.
using DocumentFormat = RagService.Core.Documents.DocumentFormat;

/// <summary>Markdown through Markdig's syntax tree, so structure comes from the parser, not from regexes.</summary>
public sealed class MarkdownParser : IDocumentParser
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UsePipeTables()
        .UseGridTables()
        .UseYamlFrontMatter()
        .Build();

    public bool CanParse(DocumentFormat format) => format == DocumentFormat.Markdown;

    public async Task<DocumentTree> ParseAsync(DocumentSource source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var text = await TextFile.ReadAllTextAsync(source.FilePath, cancellationToken).ConfigureAwait(false);
        return Parse(text, cancellationToken);
    }

    public static DocumentTree Parse(string markdown, CancellationToken cancellationToken = default)
    {
        var document = Markdig.Markdown.Parse(markdown, Pipeline);
        var builder = new DocumentTreeBuilder();
        foreach (var block in document)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Visit(block, builder, listDepth: -1);
        }

        return builder.Build(title: null);
    }

    private static void Visit(Block block, DocumentTreeBuilder builder, int listDepth)
    {
        switch (block)
        {
            case HeadingBlock heading:
                builder.Add(BlockKind.Heading, InlineText(heading.Inline), heading.Level);
                break;
            case MdTable table:
                builder.AddTable(TableRows(table));
                break;
            case ListBlock list:
                foreach (var item in list.OfType<ListItemBlock>())
                {
                    VisitListItem(item, builder, listDepth + 1);
                }

                break;
            case Markdig.Extensions.Yaml.YamlFrontMatterBlock:
                // Front matter is metadata, not content.
                break;
            case CodeBlock:
                builder.Add(BlockKind.Code, ((LeafBlock)block).Lines.ToString());
                break;
            case ParagraphBlock paragraph:
                builder.Add(listDepth >= 0 ? BlockKind.ListItem : BlockKind.Paragraph, InlineText(paragraph.Inline), Math.Max(0, listDepth));
                break;
            case ThematicBreakBlock:
            case LinkReferenceDefinitionGroup:
                break;
            case HtmlBlock html:
                builder.Add(BlockKind.Paragraph, StripTags(html.Lines.ToString()));
                break;
            case ContainerBlock container:
                // Quotes and other containers: their children are ordinary blocks.
                foreach (var child in container)
                {
                    Visit(child, builder, listDepth);
                }

                break;
        }
    }

    /// <summary>
    /// A list item's first paragraph is the item; further paragraphs stay items at the same depth
    /// and nested lists go one deeper, so nesting survives without inventing text.
    /// </summary>
    private static void VisitListItem(ListItemBlock item, DocumentTreeBuilder builder, int depth)
    {
        foreach (var child in item)
        {
            if (child is ParagraphBlock paragraph)
            {
                builder.Add(BlockKind.ListItem, InlineText(paragraph.Inline), depth);
            }
            else
            {
                Visit(child, builder, depth);
            }
        }
    }

    private static List<IReadOnlyList<string>> TableRows(MdTable table)
    {
        var rows = new List<IReadOnlyList<string>>();
        foreach (var row in table.OfType<TableRow>())
        {
            var cells = new List<string>();
            foreach (var cell in row.OfType<TableCell>())
            {
                var text = string.Join(" ", cell.OfType<LeafBlock>().Select(l => l is ParagraphBlock p ? InlineText(p.Inline) : l.Lines.ToString()));
                // Grid tables can span columns: repeat the value so every column keeps its meaning.
                for (var span = 0; span < Math.Max(1, cell.ColumnSpan); span++)
                {
                    cells.Add(text.Trim());
                }
            }

            rows.Add(cells);
        }

        return rows;
    }

    private static string InlineText(ContainerInline? inline)
    {
        if (inline is null)
        {
            return string.Empty;
        }

        var sb = new StringBuilder();
        AppendInline(inline, sb);
        return sb.ToString();
    }

    private static void AppendInline(Inline inline, StringBuilder sb)
    {
        switch (inline)
        {
            case LiteralInline literal:
                sb.Append(literal.Content.ToString());
                break;
            case CodeInline code:
                sb.Append(code.Content);
                break;
            case LineBreakInline:
                sb.Append(' ');
                break;
            case HtmlInline:
                break;
            case AutolinkInline autolink:
                sb.Append(autolink.Url);
                break;
            case ContainerInline container:
                foreach (var child in container)
                {
                    AppendInline(child, sb);
                }

                break;
        }
    }

    private static string StripTags(string html) =>
        System.Text.RegularExpressions.Regex.Replace(html, "<[^>]*>", " ").Trim();
}
