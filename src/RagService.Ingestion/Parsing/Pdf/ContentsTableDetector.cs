using System.Text.RegularExpressions;
using RagService.Core.Documents;

namespace RagService.Ingestion.Parsing.Pdf;

/// <summary>
/// Tables of contents: entries ending in a dot leader and a page number become two-column tables of
/// entry and page. They are found before tables by alignment, by their leaders.
/// </summary>
internal static partial class ContentsTableDetector
{
    /// <summary>Contents entries (with a page number) needed to make a table of contents.</summary>
    private const int MinRows = 3;

    /// <summary>A gap between two contents rows wider than this many font sizes ends the contents (chapter groups are set apart by less).</summary>
    private const double MaxContentsGapFactor = 4;

    /// <summary>Rows without a page number that may stand between two contents entries (a wrapped entry, a part title).</summary>
    private const int MaxContentsInterruption = 2;

    /// <summary>
    /// Tables of contents: runs of at least <see cref="MinRows"/> rows that each end in a dot leader
    /// (". . . .", ".....", "…") and a page number, arabic or roman, become two-column tables of entry
    /// and page with the leader removed. A row without a page number between two entries is the first
    /// part of a wrapped entry when it is set like the entry after it, otherwise a row of its own (a
    /// part title) with no page. Prose that trails off ("...") has no page number after its dots.
    /// </summary>
    public static List<PdfTable> Find(IReadOnlyList<PdfLine> pageLines)
    {
        var tables = new List<PdfTable>();
        var entries = new List<(string Entry, string Page)>();
        var lines = new List<PdfLine>();
        var pending = new List<PdfLine>();
        PdfLine? last = null;

        void Close()
        {
            if (entries.Count(e => e.Page.Length > 0) >= MinRows)
            {
                var box = lines.Select(l => l.Box).Aggregate((a, b) => a.Union(b));
                tables.Add(new PdfTable(lines[0].Page, entries.Select(e => (IReadOnlyList<string>)[e.Entry, e.Page]).ToList(), box, [.. lines]));
            }

            entries.Clear();
            lines.Clear();
            pending.Clear();
            last = null;
        }

        foreach (var row in ContentsRows(pageLines))
        {
            if (last is not null && (row[0].Page != last.Page || row.Max(l => l.Box.Top) < last.Box.Bottom - (MaxContentsGapFactor * Math.Max(last.FontSize, row[0].FontSize))))
            {
                Close();
            }

            var rowEntries = ContentsEntries(row);
            if (rowEntries is null)
            {
                // Prose in the middle of a run ends it; a row or two between entries may belong to them.
                if (entries.Count == 0 || pending.Count >= MaxContentsInterruption)
                {
                    Close();
                    continue;
                }

                pending.Add(row[0]);
                pending.AddRange(row.Skip(1));
                last = row[^1];
                continue;
            }

            if (pending.Count > 0)
            {
                var first = row[0];
                var wrapped = pending.All(l => Math.Abs(l.FontSize - first.FontSize) < 0.5 && l.Bold == first.Bold);
                var text = string.Join(' ', pending.Select(l => l.Text));
                if (wrapped)
                {
                    rowEntries[0] = (text + " " + rowEntries[0].Entry, rowEntries[0].Page);
                }
                else
                {
                    entries.Add((text, string.Empty));
                }

                lines.AddRange(pending);
                pending.Clear();
            }

            entries.AddRange(rowEntries);
            lines.AddRange(row);
            last = row[^1];
        }

        Close();
        return tables;
    }

    /// <summary>
    /// Rows in reading order, each left to right: runs of lines that share page, row and block and sit on
    /// one level (OCR'd lines carry no row number, so their level tells their rows apart).
    /// </summary>
    private static IEnumerable<List<PdfLine>> ContentsRows(IReadOnlyList<PdfLine> pageLines)
    {
        var rows = new List<List<PdfLine>>();
        foreach (var line in pageLines)
        {
            if (rows.Count > 0 && rows[^1][0] is var first && first.Page == line.Page && first.Row == line.Row && first.Block == line.Block &&
                Math.Abs(first.Box.Bottom - line.Box.Bottom) < 0.5 * Math.Max(first.FontSize, line.FontSize))
            {
                rows[^1].Add(line);
            }
            else
            {
                rows.Add([line]);
            }
        }

        return rows.Select(r => r.OrderBy(l => l.Box.Left).ToList());
    }

    /// <summary>
    /// The contents entries of one row, left to right (a row may hold two, from two columns of contents
    /// the layout kept together); null unless the whole row is entries. The leader and the page number
    /// may be fragments of their own.
    /// </summary>
    private static List<(string Entry, string Page)>? ContentsEntries(List<PdfLine> row)
    {
        var entries = new List<(string Entry, string Page)>();
        var text = string.Empty;
        foreach (var line in row)
        {
            text = text.Length == 0 ? line.Text : text + " " + line.Text;
            if (ContentsLine().Match(text.Trim()) is { Success: true } match && IsLeader(match.Groups["leader"].Value) && IsPageNumber(match.Groups["page"].Value))
            {
                entries.Add((match.Groups["entry"].Value.Trim(), match.Groups["page"].Value));
                text = string.Empty;
            }
        }

        return entries.Count > 0 && text.Trim().Length == 0 ? entries : null;
    }

    /// <summary>Three or more leader dots (spaced or not), or an ellipsis character.</summary>
    private static bool IsLeader(string leader) =>
        leader.Contains('…', StringComparison.Ordinal) || leader.Count(c => c is '.' or '\u2024') + (2 * leader.Count(c => c == '\u2025')) >= 3;

    /// <summary>An arabic page number, or a well-formed roman one in one case ("xiv", "XIV"; not "did" or "mix").</summary>
    private static bool IsPageNumber(string page) =>
        page.All(char.IsAsciiDigit) || (page.All(char.IsAsciiLetterLower) || page.All(char.IsAsciiLetterUpper)) && RomanNumeral().IsMatch(page);

    /// <summary>An entry, a leader of dots or ellipses (spaces between them allowed), and a page number at the end.</summary>
    [GeneratedRegex(@"^(?<entry>.*?[^\s.…\u2024\u2025])\s*(?<leader>[.…\u2024\u2025](?:\s*[.…\u2024\u2025])*)\s*(?<page>\d{1,4}|[ivxlcdmIVXLCDM]{1,8})$")]
    private static partial Regex ContentsLine();

    [GeneratedRegex(@"^m{0,3}(?:cm|cd|d?c{0,3})(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})$", RegexOptions.IgnoreCase)]
    private static partial Regex RomanNumeral();
}
