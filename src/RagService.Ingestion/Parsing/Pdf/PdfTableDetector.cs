using System.Text.RegularExpressions;
using RagService.Core.Documents;

namespace RagService.Ingestion.Parsing.Pdf;

/// <summary>
/// Finds tables by column alignment: a run of rows that each hold two or more separate fragments
/// whose horizontal extents line up into shared columns. Cells are rebuilt from the column bands;
/// a row with text only in a later column continues the cell above (a wrapped cell). Tables of
/// contents (entries ending in a dot leader and a page number) are found first, by their leaders.
/// </summary>
internal static partial class PdfTableDetector
{
    private const int MinRows = 3;
    private const double MaxRowGapFactor = 2.6;

    /// <summary>Tables of contents, then tables by alignment among the lines left over.</summary>
    public static List<PdfTable> Find(IReadOnlyList<PdfLine> pageLines)
    {
        var contents = ContentsTableDetector.Find(pageLines);
        if (contents.Count == 0)
        {
            return FindAligned(pageLines);
        }

        var inContents = contents.SelectMany(t => t.Lines).ToHashSet();
        return [.. contents, .. FindAligned(pageLines.Where(l => !inContents.Contains(l)).ToList())];
    }

    private static List<PdfTable> FindAligned(IReadOnlyList<PdfLine> pageLines)
    {
        // Rows top to bottom within each block, blocks in reading order. Text pages list them so already; OCR
        // lines come in Tesseract's order, which can read a table's last row after the paragraph below it.
        var blockOrder = new Dictionary<int, int>();
        foreach (var line in pageLines)
        {
            blockOrder.TryAdd(line.Block, blockOrder.Count);
        }

        var rows = pageLines.GroupBy(l => (l.Page, l.Row, l.Block))
            .OrderBy(g => g.Key.Page).ThenBy(g => blockOrder[g.Key.Block]).ThenBy(g => g.Key.Row)
            .Select(g => g.OrderBy(l => l.Box.Left).ToList()).ToList();
        var tables = new List<PdfTable>();
        var i = 0;
        while (i < rows.Count)
        {
            if (rows[i].Count < 2 || rows[i].All(l => l.Text.Length <= 2))
            {
                i++;
                continue;
            }

            var end = i;
            var singles = 0;
            for (var j = i + 1; j < rows.Count; j++)
            {
                var gap = rows[j - 1].Min(l => l.Box.Bottom) - rows[j].Max(l => l.Box.Top);
                var size = rows[j].Max(l => l.FontSize);
                if (gap > MaxRowGapFactor * size || rows[j][0].Block != rows[i][0].Block)
                {
                    break;
                }

                if (rows[j].Count >= 2)
                {
                    end = j;
                    singles = 0;
                }
                else if (++singles > 2)
                {
                    break;
                }
            }

            var region = rows.GetRange(i, end - i + 1);
            if (Build(region) is { } table)
            {
                tables.Add(table);
                i = end + 1;
            }
            else
            {
                i++;
            }
        }

        return tables;
    }

    /// <summary>
    /// Tables drawn with rules: each line goes to the cell its centre falls in; a cell's lines are read top
    /// to bottom (a wrapped cell becomes one value). A frame with too little text in its cells (a chart's
    /// gridlines, a boxed note) is not a table.
    /// </summary>
    public static List<PdfTable> FindRuled(IReadOnlyList<PdfLine> pageLines, IReadOnlyList<RuledGrid> grids)
    {
        var tables = new List<PdfTable>();
        var taken = new HashSet<PdfLine>();
        foreach (var grid in grids.OrderByDescending(g => g.Rows[0]))
        {
            var rowCount = grid.Rows.Count - 1;
            var columnCount = grid.Columns.Count - 1;
            var cells = new List<PdfLine>[rowCount, columnCount];
            var inside = new List<PdfLine>();
            foreach (var line in pageLines)
            {
                if (taken.Contains(line))
                {
                    continue;
                }

                var x = (line.Box.Left + line.Box.Right) / 2;
                var y = (line.Box.Bottom + line.Box.Top) / 2;
                if (grid.CellAt(x, y) is { } cell)
                {
                    (cells[cell.Row, cell.Column] ??= []).Add(line);
                    inside.Add(line);
                }
            }

            // A cell the row rule does not cross continues downwards: its lines belong to the cell where it starts.
            for (var c = 0; c < columnCount; c++)
            {
                var owner = 0;
                for (var r = 1; r < rowCount; r++)
                {
                    if (grid.RowRuleCrosses(r - 1, c))
                    {
                        owner = r;
                    }
                    else if (cells[r, c] is { } continued)
                    {
                        (cells[owner, c] ??= []).AddRange(continued);
                        cells[r, c] = null!;
                    }
                }
            }

            var filled = Enumerable.Range(0, rowCount).Sum(r => Enumerable.Range(0, columnCount).Count(c => cells[r, c] is not null));
            var liveRows = Enumerable.Range(0, rowCount).Where(r => Enumerable.Range(0, columnCount).Any(c => cells[r, c] is not null)).ToList();
            var liveColumns = Enumerable.Range(0, columnCount).Where(c => Enumerable.Range(0, rowCount).Any(r => cells[r, c] is not null)).ToList();
            if (liveRows.Count < 2 || liveColumns.Count < 2 || filled * 10 < rowCount * columnCount * 3)
            {
                continue;
            }

            var rightToLeft = Bidi.IsRightToLeftLine(inside.Select(l => l.Text));
            var rows = liveRows.Select(r =>
            {
                var values = liveColumns.Select(c => cells[r, c] is { } lines ? CellText(lines, rightToLeft) : string.Empty);
                return (IReadOnlyList<string>)(rightToLeft ? values.Reverse() : values).ToList();
            }).ToList();
            taken.UnionWith(inside);
            tables.Add(new PdfTable(grid.Page, rows, grid.Box, inside));
        }

        return tables;
    }

    private static string CellText(List<PdfLine> lines, bool rightToLeft)
    {
        // A header set rotated (reading upwards) whose glyphs carry no direction comes out as a column of single glyphs,
        // one per row (turned text whose direction is known is read in it by PageLayout); a thin glyph can share a row
        // with its neighbour ("B I" of "QIBM"). Read bottom to top, the letters are the word.
        if (lines.Count >= 3 && lines.All(l => l.Text.Count(c => !char.IsWhiteSpace(c)) <= 2) &&
            lines.Max(l => l.Box.Left) - lines.Min(l => l.Box.Left) < lines.Max(l => l.FontSize))
        {
            // (A word space inside turned text is not visible in the glyph boxes, so "No Authority" reads "NoAuthority".)
            var downwards = string.Concat(lines.OrderByDescending(l => l.Box.Bottom).ThenBy(l => l.Row).SelectMany(l => l.Text.Where(c => !char.IsWhiteSpace(c))));
            return new string(downwards.Reverse().ToArray());
        }

        return lines.OrderBy(l => l.Row).ThenBy(l => rightToLeft ? -l.Box.Left : l.Box.Left).Select(l => l.Text).Aggregate(ParagraphAssembler.JoinText);
    }

    private static PdfTable? Build(List<List<PdfLine>> region)
    {
        var multi = region.Count(r => r.Count >= 2);
        var width = region.SelectMany(r => r).Max(l => l.Box.Right) - region.SelectMany(r => r).Min(l => l.Box.Left);
        // Bands come from the multi-cell rows; a wide spanning cell (a group header, in a row with fewer cells
        // than the fullest rows) would merge columns. A wide cell in a full row (a long label) is a column.
        var fullest = region.Max(r => r.Count);
        var columns = Columns(region.Where(r => r.Count >= 2).SelectMany(r => r.Select(l => (Line: l, Full: r.Count == fullest)))
            .Where(c => c.Full || c.Line.Box.Width <= 0.45 * width).Select(c => c.Line));
        if (columns.Count < 2 || multi < MinRows && !(multi >= 2 && columns.Count >= 3))
        {
            return null;
        }

        // A band holding a single short fragment in a table of many rows is a stray mark (a speck a scan read as "7"),
        // not a column: the fragment joins the column on its left, so the table keeps its width across pages.
        if (region.Count >= 2 * MinRows)
        {
            var stray = Enumerable.Range(1, columns.Count - 1).Where(c =>
                region.SelectMany(r => r).Where(l => ColumnOf(columns, l) == c).ToList() is [var only] && TextWidth.Columns(only.Text) <= 3).ToList();
            foreach (var c in Enumerable.Reverse(stray))
            {
                columns.RemoveAt(c);
            }
        }

        // Prose set side by side (columns the layout did not separate) has long fragments; cells are short.
        var fragments = region.SelectMany(r => r).ToList();
        if (fragments.Count(l => TextWidth.Columns(l.Text) > 45) * 2 > fragments.Count)
        {
            return null;
        }

        // A column of bare markers ("1.", "•") is a list, not a table.
        var firstColumn = region.SelectMany(r => r).Where(l => ColumnOf(columns, l) == 0).ToList();
        if (firstColumn.Count > 0 && firstColumn.All(l => ListMarker().IsMatch(l.Text)))
        {
            return null;
        }

        var cells = new List<string[]>();
        foreach (var row in region)
        {
            var values = new string[columns.Count];
            foreach (var line in row)
            {
                var c = ColumnOf(columns, line);
                values[c] = values[c] is null ? line.Text : ParagraphAssembler.JoinText(values[c], line.Text);
            }

            if (row.Count == 1 && cells.Count > 0 && ColumnOf(columns, row[0]) > 0)
            {
                var previous = cells[^1];
                var c = ColumnOf(columns, row[0]);
                previous[c] = previous[c] is null ? row[0].Text : ParagraphAssembler.JoinText(previous[c], row[0].Text);
                continue;
            }

            cells.Add(values);
        }

        if (cells.Count < 2)
        {
            return null;
        }

        // Right-to-left tables are read from their rightmost column.
        var rightToLeft = Bidi.IsRightToLeftLine(fragments.Select(l => l.Text));
        var rows = cells.Select(r => (IReadOnlyList<string>)(rightToLeft ? r.Reverse() : r).Select(v => v ?? string.Empty).ToList()).ToList();
        var lines = region.SelectMany(r => r).ToList();
        var box = lines.Select(l => l.Box).Aggregate((a, b) => a.Union(b));
        return new PdfTable(lines[0].Page, rows, box, lines);
    }

    /// <summary>Column bands: the horizontal extents of all fragments, merged where they overlap.</summary>
    private static List<(double Left, double Right)> Columns(IEnumerable<PdfLine> lines)
    {
        var bands = new List<(double Left, double Right)>();
        foreach (var (left, right) in lines.Select(l => (l.Box.Left, l.Box.Right)).OrderBy(b => b.Left))
        {
            if (bands.Count > 0 && left <= bands[^1].Right + 1)
            {
                bands[^1] = (bands[^1].Left, Math.Max(bands[^1].Right, right));
            }
            else
            {
                bands.Add((left, right));
            }
        }

        return bands;
    }

    private static int ColumnOf(List<(double Left, double Right)> columns, PdfLine line)
    {
        var index = columns.FindLastIndex(c => c.Left <= line.Box.Left + 1);
        return index < 0 ? 0 : index;
    }

    [GeneratedRegex(@"^\s*(?:[" + ListGlyphs.Class + @"]|\(?\d{1,3}[.)]|\(?[a-zA-Z][.)]|[ivxIVX]{1,4}[.)])\s*$")]
    private static partial Regex ListMarker();
}
