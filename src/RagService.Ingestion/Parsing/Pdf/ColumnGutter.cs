using UglyToad.PdfPig.Content;

namespace RagService.Ingestion.Parsing.Pdf;

/// <summary>
/// Finds the gutter between two columns of a page: a vertical band in the middle of the text that (almost)
/// no row crosses, with prose on both sides. Table columns, whose cells are short, have no gutter.
/// </summary>
internal static class ColumnGutter
{
    /// <summary>Type this many times the page's usual text size is display type (titles), whose word spaces can be as wide as a gutter.</summary>
    private const double DisplayRatio = 1.5;

    /// <summary>Average characters per row above which a side of a gutter is prose rather than table cells.</summary>
    private const double ProseRowCharacters = 22;

    /// <summary>
    /// A row runs across the gutter when a word crosses it, or when it is display type (a title well above
    /// the text size) whose word space happens to fall on the gutter: the words either side of it are one
    /// fragment.
    /// </summary>
    public static bool Spans(List<Word> row, (double Left, double Right) gutter, double usualSize)
    {
        if (row.Any(w => w.BoundingBox.Left < gutter.Left && w.BoundingBox.Right > gutter.Right))
        {
            return true;
        }

        var before = row.LastOrDefault(w => w.BoundingBox.Right <= gutter.Right);
        var after = row.FirstOrDefault(w => w.BoundingBox.Left >= gutter.Left && w != before);
        if (before is null || after is null)
        {
            return false;
        }

        var size = Math.Max(PageLayout.Size(before), PageLayout.Size(after));
        var gap = after.BoundingBox.Left - before.BoundingBox.Right;
        // The columns' own lines stop at the band's edges; a row whose words reach into it from both sides, a word
        // space apart, was set across the page without regard to the columns (a title a little larger than the text,
        // centred over both).
        var intrudes = before.BoundingBox.Right > gutter.Left + 1 && after.BoundingBox.Left < gutter.Right - 1;
        return (size >= DisplayRatio * usualSize || intrudes) && gap <= PageLayout.FragmentGap * size;
    }

    /// <summary>
    /// The widest vertical band in the middle half of the text that almost no word crosses, with
    /// text-filled columns on both sides; null for single-column pages and for tables.
    /// </summary>
    public static (double Left, double Right)? Find(List<Word> words, List<List<Word>> rows)
    {
        if (rows.Count < 3)
        {
            return null;
        }

        var minX = words.Min(w => w.BoundingBox.Left);
        var maxX = words.Max(w => w.BoundingBox.Right);
        var width = maxX - minX;
        if (width <= 0)
        {
            return null;
        }

        var from = (int)Math.Floor(minX + width * 0.25);
        var to = (int)Math.Ceiling(minX + width * 0.75);
        // Crossing rows per x position (a row crosses where one of its words spans x).
        var crossing = new int[to - from + 1];
        foreach (var row in rows)
        {
            foreach (var word in row)
            {
                for (var x = Math.Max(from, (int)Math.Ceiling(word.BoundingBox.Left)); x <= Math.Min(to, (int)Math.Floor(word.BoundingBox.Right)); x++)
                {
                    crossing[x - from]++;
                }
            }
        }

        // A gutter is wider than any word space: most of an em of the text's usual size, and at least 6 pt.
        var usualSize = PageLayout.MedianSize(words);
        var minWidth = Math.Max(6, 0.8 * usualSize);

        // Almost no row may cross a gutter...
        if (WidestBand(crossing, from, Math.Max(1, rows.Count / 25), minWidth) is { } gutter)
        {
            var (leftParts, rightParts) = SidesOf(rows, gutter);
            if (Filled(leftParts, gutter.Left - minX) && Filled(rightParts, maxX - gutter.Right))
            {
                return gutter;
            }
        }

        // ...unless the rows that cross it are full-width text above, between or below two columns (a title
        // and abstract over a two-column body). Those stay in place; the rows beside the band must then be
        // two columns of prose, row after row, and outnumber the full-width ones.
        if (WidestBand(crossing, from, rows.Count * 2 / 5, minWidth) is not { } band)
        {
            return null;
        }

        // The band's edges are whole points: a word may reach a point into it without crossing it.
        var beside = rows.Where(r => !r.Any(w => w.BoundingBox.Left < band.Right - 1 && w.BoundingBox.Right > band.Left + 1) && !Spans(r, band, usualSize)).ToList();
        var (left, right) = SidesOf(beside, band);
        var middle = (band.Left + band.Right) / 2;
        var both = beside.Count(r => r.Any(w => w.BoundingBox.Right <= middle) && r.Any(w => w.BoundingBox.Left >= middle));
        return beside.Count * 2 > rows.Count && both >= Math.Max(3, beside.Count / 3) &&
               Filled(left, band.Left - minX) && Filled(right, maxX - band.Right)
            ? band
            : null;
    }

    /// <summary>The widest run of x positions crossed by at most <paramref name="allowed"/> rows, if it is at least <paramref name="minWidth"/> wide.</summary>
    private static (double Left, double Right)? WidestBand(int[] crossing, int from, int allowed, double minWidth)
    {
        (double Left, double Right)? best = null;
        var start = -1;
        for (var i = 0; i <= crossing.Length; i++)
        {
            if (i < crossing.Length && crossing[i] <= allowed)
            {
                if (start < 0)
                {
                    start = i;
                }
            }
            else if (start >= 0)
            {
                if (best is null || i - start > best.Value.Right - best.Value.Left)
                {
                    best = (from + start, from + i);
                }

                start = -1;
            }
        }

        return best is { } b && b.Right - b.Left >= minWidth ? b : null;
    }

    /// <summary>Each row's words left and right of the middle of <paramref name="band"/> (rows with none on a side leave that side out).</summary>
    private static (List<List<Word>> Left, List<List<Word>> Right) SidesOf(List<List<Word>> rows, (double Left, double Right) band)
    {
        var middle = (band.Left + band.Right) / 2;
        return (rows.Select(r => r.Where(w => w.BoundingBox.Right <= middle).ToList()).Where(p => p.Count > 0).ToList(),
                rows.Select(r => r.Where(w => w.BoundingBox.Left >= middle).ToList()).Where(p => p.Count > 0).ToList());
    }

    /// <summary>
    /// A side of a gutter is text (a column, or columns of its own) when its rows carry prose-length
    /// runs of text; table columns hold short cells and must not be read one after the other.
    /// </summary>
    private static bool Filled(List<List<Word>> parts, double columnWidth)
    {
        if (parts.Count < 3 || columnWidth <= 0)
        {
            return false;
        }

        return parts.Average(p => p.Sum(w => TextWidth.Columns(w.Text) + 1)) >= ProseRowCharacters;
    }

}
