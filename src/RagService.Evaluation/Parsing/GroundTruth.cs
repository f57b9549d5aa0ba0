using System.Text;
using System.Text.RegularExpressions;

namespace RagService.Evaluation.Parsing;

/// <summary>A heading as the ground truth or a parser states it.</summary>
public sealed record ScoredHeading(int Level, string Text);

/// <summary>What a reference says about a document: its text, headings, tables and paragraphs in order.</summary>
public sealed partial record GroundTruth
{
    /// <summary>Reading text with markup removed, one unit (paragraph, heading, item, table row) per line.</summary>
    public required string Text { get; init; }

    public IReadOnlyList<ScoredHeading> Headings { get; init; } = [];

    public IReadOnlyList<IReadOnlyList<IReadOnlyList<string>>> Tables { get; init; } = [];

    /// <summary>Paragraph texts in reading order, for the order agreement.</summary>
    public IReadOnlyList<string> Paragraphs { get; init; } = [];

    /// <summary>Markdown references carry structure; plain text ones (PdfPig, Tesseract) carry only text.</summary>
    public bool HasStructure { get; init; }

    /// <summary>
    /// Docling's Markdown: <c>#</c> headings, pipe tables, list markers, emphasis, <c>&lt;!-- image --&gt;</c>
    /// comments and LaTeX delimiters. Markup is removed the same way the scorer renders a parsed tree.
    /// </summary>
    public static GroundTruth FromMarkdown(string markdown)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        var text = new StringBuilder();
        var headings = new List<ScoredHeading>();
        var tables = new List<IReadOnlyList<IReadOnlyList<string>>>();
        var paragraphs = new List<string>();
        List<IReadOnlyList<string>>? table = null;
        var paragraph = new StringBuilder();

        void EndParagraph()
        {
            if (paragraph.Length > 0)
            {
                paragraphs.Add(paragraph.ToString());
                paragraph.Clear();
            }
        }

        void EndTable()
        {
            if (table is { Count: > 0 })
            {
                tables.Add(table);
            }

            table = null;
        }

        var body = Comment().Replace(markdown, string.Empty);
        foreach (var raw in body.Split('\n'))
        {
            var line = raw.TrimEnd();
            if (line.TrimStart().StartsWith('|'))
            {
                EndParagraph();
                var cells = SplitRow(line.Trim());
                if (cells.All(c => Separator().IsMatch(c)))
                {
                    continue;
                }

                table ??= [];
                table.Add(cells.Select(Inline).ToList());
                text.AppendLine(string.Join(' ', cells.Select(Inline)));
                continue;
            }

            EndTable();
            if (string.IsNullOrWhiteSpace(line) || line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                EndParagraph();
                continue;
            }

            if (HeadingLine().Match(line) is { Success: true } h)
            {
                EndParagraph();
                var headingText = Inline(h.Groups[2].Value);
                headings.Add(new ScoredHeading(h.Groups[1].Length, headingText));
                text.AppendLine(headingText);
                continue;
            }

            var item = ListMarker().Match(line);
            var content = item.Success ? ScoreText.StripListLabel(line[item.Length..]) : line.Trim();
            content = Inline(content);
            text.AppendLine(content);
            if (item.Success)
            {
                EndParagraph();
                paragraphs.Add(content);
            }
            else
            {
                paragraph.Append(paragraph.Length > 0 ? " " : string.Empty).Append(content);
            }
        }

        EndParagraph();
        EndTable();
        return new GroundTruth
        {
            Text = text.ToString(),
            Headings = headings,
            Tables = tables,
            Paragraphs = paragraphs,
            HasStructure = true,
        };
    }

    /// <summary>Plain expected text (PdfPig's expected output, Tesseract's reference transcriptions).</summary>
    public static GroundTruth FromPlainText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var paragraphs = Regex.Split(text, @"\n\s*\n").Select(p => p.Trim()).Where(p => p.Length > 0).ToList();
        return new GroundTruth { Text = text, Paragraphs = paragraphs };
    }

    /// <summary>Splits "| a | b \| c |" into cells, honouring escaped pipes.</summary>
    internal static List<string> SplitRow(string row)
    {
        var cells = new List<string>();
        var current = new StringBuilder();
        var inner = row.Trim();
        if (inner.StartsWith('|'))
        {
            inner = inner[1..];
        }

        if (inner.EndsWith('|') && !inner.EndsWith("\\|", StringComparison.Ordinal))
        {
            inner = inner[..^1];
        }

        for (var i = 0; i < inner.Length; i++)
        {
            if (inner[i] == '\\' && i + 1 < inner.Length && inner[i + 1] == '|')
            {
                current.Append('|');
                i++;
            }
            else if (inner[i] == '|')
            {
                cells.Add(current.ToString().Trim());
                current.Clear();
            }
            else
            {
                current.Append(inner[i]);
            }
        }

        cells.Add(current.ToString().Trim());
        return cells;
    }

    /// <summary>Inline markup: emphasis, escapes, math delimiters, links and inline code.</summary>
    private static string Inline(string text)
    {
        var s = Link().Replace(text, "$1");
        s = s.Replace("**", string.Empty, StringComparison.Ordinal).Replace("`", string.Empty, StringComparison.Ordinal);
        s = Emphasis().Replace(s, "$1");
        s = s.Replace("$$", " ", StringComparison.Ordinal).Replace("$", string.Empty, StringComparison.Ordinal);
        s = Escape().Replace(s, "$1");
        return s.Trim();
    }

    [GeneratedRegex(@"<!--.*?-->", RegexOptions.Singleline)]
    private static partial Regex Comment();

    [GeneratedRegex(@"^\s*:?-{1,}:?\s*$")]
    private static partial Regex Separator();

    [GeneratedRegex(@"^(#{1,6})\s+(.*)$")]
    private static partial Regex HeadingLine();

    [GeneratedRegex(@"^\s*(?:[-*+•]|\d{1,3}[.)])\s+")]
    private static partial Regex ListMarker();

    [GeneratedRegex(@"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")]
    private static partial Regex Emphasis();

    [GeneratedRegex(@"\\([\\`*_{}\[\]()#+\-.!|<>&])")]
    private static partial Regex Escape();

    [GeneratedRegex(@"!?\[([^\]]*)\]\([^)]*\)")]
    private static partial Regex Link();
}
