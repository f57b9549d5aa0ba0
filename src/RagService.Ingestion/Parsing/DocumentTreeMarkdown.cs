using System.Globalization;
using System.Text;
using RagService.Core.Documents;

namespace RagService.Ingestion.Parsing;

/// <summary>
/// A tree as Markdown for people to inspect: <c>#</c> headings by level, list items indented by depth,
/// pipe tables, and an HTML comment wherever a new page starts.
/// </summary>
public static class DocumentTreeMarkdown
{
    public static string Render(DocumentTree tree)
    {
        ArgumentNullException.ThrowIfNull(tree);
        var sb = new StringBuilder();
        var page = 0;
        BlockKind? previous = null;
        foreach (var block in tree.Blocks)
        {
            // Consecutive list items stay one list; everything else is separated by a blank line.
            if (previous is not null && !(previous == BlockKind.ListItem && block.Kind == BlockKind.ListItem && block.PageStart <= page))
            {
                sb.AppendLine();
            }

            if (block.PageStart > page)
            {
                page = block.PageStart;
                sb.Append("<!-- page ").Append(page.ToString(CultureInfo.InvariantCulture)).AppendLine(" -->").AppendLine();
            }

            previous = block.Kind;

            switch (block.Kind)
            {
                case BlockKind.Heading:
                    sb.Append('#', Math.Clamp(block.Level, 1, 6)).Append(' ').AppendLine(OneLine(block.Text));
                    break;
                case BlockKind.ListItem:
                    sb.Append(' ', 2 * Math.Max(0, block.Level)).Append("- ").AppendLine(OneLine(block.Text));
                    break;
                case BlockKind.Table:
                    sb.AppendLine(block.Rows is { Count: > 0 } rows ? MarkdownTable.Render(rows) : block.Text);
                    break;
                case BlockKind.Code:
                    sb.AppendLine("```").AppendLine(block.Text).AppendLine("```");
                    break;
                default:
                    sb.AppendLine(block.Text);
                    break;
            }
        }

        return sb.ToString().TrimEnd() + "\n";
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
