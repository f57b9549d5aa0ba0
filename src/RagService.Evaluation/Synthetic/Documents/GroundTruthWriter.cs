using System.Globalization;
using System.Text;

namespace RagService.Evaluation.Synthetic.Documents;

/// <summary>
/// Writes a generated document's ground truth in the Markdown convention of the Docling references the scorer
/// already reads: the title as <c>#</c>, section levels 1 to 3 as <c>##</c> to <c>####</c>, lists with
/// <c>-</c> or <c>1.</c>, pipe tables with the header once and a merged cell's text in every cell it spans,
/// <c>&lt;!-- image --&gt;</c> before a caption, a footnote's text right after the paragraph that cites it. Running headers and footers are furniture
/// and never appear. A cover's lines other than the title (repeated as <c>#</c> on the back cover) are text.
/// </summary>
public static class GroundTruthWriter
{
    public static string Render(GeneratedDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var sb = new StringBuilder();
        if (document.Title is not null)
        {
            sb.Append("# ").Append(document.Title).Append("\n\n");
        }

        if (document.Cover is { } front)
        {
            foreach (var line in front.Taglines.Append(front.Edition).Append(front.Imprint))
            {
                sb.Append(line).Append("\n\n");
            }
        }

        foreach (var block in document.Blocks)
        {
            switch (block)
            {
                case GenHeading h:
                    sb.Append(new string('#', h.Level + 1)).Append(' ').Append(h.Text).Append("\n\n");
                    break;
                case GenParagraph p:
                    sb.Append(p.Text).Append("\n\n");
                    if (p.Footnote is not null)
                    {
                        sb.Append(p.Footnote).Append("\n\n");
                    }

                    break;
                case GenList l:
                    for (var i = 0; i < l.Items.Count; i++)
                    {
                        sb.Append(l.Numbered ? string.Create(CultureInfo.InvariantCulture, $"{i + 1}. ") : "- ").Append(l.Items[i]).Append('\n');
                    }

                    sb.Append('\n');
                    break;
                case GenTable t:
                    AppendRow(sb, t.Header.Select(Cell));
                    sb.Append('|').Append(string.Concat(t.Header.Select(_ => "---|"))).Append('\n');
                    foreach (var row in t.Rows)
                    {
                        AppendRow(sb, row.Select(Cell));
                    }

                    sb.Append('\n');
                    break;
                case GenFigure f:
                    sb.Append("<!-- image -->\n\n").Append(f.Caption).Append("\n\n");
                    break;
            }
        }

        if (document.Cover is { } back)
        {
            sb.Append("# ").Append(document.Title).Append("\n\n").Append(back.Blurb).Append("\n\n").Append(back.Imprint).Append("\n\n");
        }

        return sb.ToString().TrimEnd() + "\n";
    }

    /// <summary>A header cell written over two lines is one cell of one header row.</summary>
    public static string Cell(string text) => text.Replace('\n', ' ').Replace("|", "\\|", StringComparison.Ordinal);

    private static void AppendRow(StringBuilder sb, IEnumerable<string> cells) =>
        sb.Append("| ").Append(string.Join(" | ", cells)).Append(" |\n");
}
