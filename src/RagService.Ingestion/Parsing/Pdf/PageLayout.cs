using System.Text;
using RagService.Core.Documents;
using UglyToad.PdfPig.Content;

namespace RagService.Ingestion.Parsing.Pdf;

/// <summary>
/// Reading order for one page: words become line fragments (a row of words with no gap wider than
/// about a font size, so two columns or two table cells on one baseline stay apart), a gutter that
/// no fragment crosses splits the page into two columns, and fragments are read section by section:
/// full-width rows in place, between them the left column, then the right one.
/// </summary>
internal static class PageLayout
{
    /// <summary>A gap wider than this many font sizes ends a fragment (word spacing, even justified, stays below it).</summary>
    private const double FragmentGap = 1.0;

    /// <summary>Type this many times the page's usual text size is display type (titles), whose word spaces can be as wide as a gutter.</summary>
    private const double DisplayRatio = 1.5;

    /// <summary>Average characters per row above which a side of a gutter is prose rather than table cells.</summary>
    private const double ProseRowCharacters = 22;

    public static List<PdfLine> Read(Page page, IReadOnlyList<RuledGrid>? grids = null) => Read(page, grids, out _);

    /// <summary>
    /// The page's lines in its reading frame: the page as PdfPig gives it, or, when most of its text runs
    /// in another direction (a page turned by /Rotate, text set sideways by its text matrix), the page
    /// turned so that this text reads left to right, top to bottom. Lines, rows, columns and line boxes
    /// are built in that frame, as OCR'd pages are laid out in their upright image;
    /// <see cref="ReadingFrame.ToPage"/> carries a box of the frame to the page coordinates PdfPig reports
    /// (identity for upright pages, whose lines are exactly those of the unturned page).
    /// </summary>
    /// <param name="grids">Ruled grids of the page, in page coordinates (turned into the frame here).</param>
    public static List<PdfLine> Read(Page page, IReadOnlyList<RuledGrid>? grids, out ReadingFrame frame)
    {
        var turn = frame = ReadingFrame.Of(page);
        if (turn.IsPage)
        {
            return Layout(page.Letters, grids ?? [], page.Number, page.Height);
        }

        // Text set another way than most of the page (an upright running header over a sideways table) is
        // kept out of the frame's rows, where it would be a letter per row, and read in its own direction
        // after the page's text; its boxes are carried into the frame.
        var (along, across) = turn.Split(page.Letters);
        var lines = Layout(turn.Upright(along), turn.Upright(grids ?? []), page.Number, turn.Height);
        if (across.Count > 0)
        {
            var own = ReadingFrame.Of(across, page.Width, page.Height);
            var toFrame = own.ToPage.Then(turn.FromPage);
            var (rowBase, blockBase) = lines.Count == 0 ? (0, 0) : (lines.Max(l => l.Row) + 1, lines.Max(l => l.Block) + 1);
            lines.AddRange(Layout(own.Upright(across), [], page.Number, own.Height).Select(l => l with
            {
                Box = toFrame.Map(l.Box),
                PageHeight = turn.Height,
                Row = l.Row + rowBase,
                Block = l.Block + blockBase,
            }));
        }

        return lines;
    }

    /// <summary>Lines of letters that run left to right in the frame of height <paramref name="frameHeight"/> their coordinates are in.</summary>
    private static List<PdfLine> Layout(IReadOnlyList<Letter> letters, IReadOnlyList<RuledGrid> grids, int pageNumber, double frameHeight)
    {
        // Letters in content-stream order, split at spaces and gaps: about three times faster than the
        // nearest-neighbour extractor (which dominated parse time) and, with rows rebuilt by position
        // below, as good on the scored documents.
        var words = UglyToad.PdfPig.Util.DefaultWordExtractor.Instance.GetWords(letters)
            .Where(w => !string.IsNullOrWhiteSpace(w.Text) && w.Letters.Count > 0)
            .ToList();
        if (words.Count == 0)
        {
            return [];
        }

        var rows = Rows(words);
        var ordered = new List<(Fragment Fragment, int Block)>();
        var block = 0;
        Order(rows.Select((r, i) => (Index: i, Words: r)).ToList(), ordered, ref block, depth: 0, grids);
        return ordered.Select(o => o.Fragment.ToLine(pageNumber, frameHeight, o.Block)).ToList();
    }

    /// <summary>
    /// Recursive column split: a gutter divides the rows into sections (rows crossing it are full-width
    /// and stay in place); each section's left side is read before its right side, and each side may
    /// itself have columns (three-column pages, a two-column block under a full-width one).
    /// </summary>
    private static void Order(List<(int Index, List<Word> Words)> rows, List<(Fragment, int)> ordered, ref int block, int depth, IReadOnlyList<RuledGrid> grids)
    {
        var gutter = depth < 3 ? FindGutter(rows.SelectMany(r => r.Words).ToList(), rows.Select(r => r.Words).ToList()) : null;
        if (gutter is not { } g)
        {
            foreach (var (index, words) in rows)
            {
                foreach (var fragment in Split(words, index, grids))
                {
                    ordered.Add((fragment, block));
                }
            }

            block++;
            return;
        }

        var left = new List<(int, List<Word>)>();
        var right = new List<(int, List<Word>)>();
        void EndSection(ref int b)
        {
            if (left.Count > 0)
            {
                Order([.. left], ordered, ref b, depth + 1, grids);
            }

            if (right.Count > 0)
            {
                Order([.. right], ordered, ref b, depth + 1, grids);
            }

            left.Clear();
            right.Clear();
        }

        var usual = MedianSize(rows.SelectMany(r => r.Words));
        foreach (var (index, words) in rows)
        {
            if (Spans(words, g, usual))
            {
                EndSection(ref block);
                foreach (var fragment in Split(words, index, grids))
                {
                    ordered.Add((fragment, block));
                }

                block++;
                continue;
            }

            var leftWords = words.Where(w => w.BoundingBox.Right <= g.Right).ToList();
            var rightWords = words.Where(w => w.BoundingBox.Right > g.Right).ToList();
            if (leftWords.Count > 0)
            {
                left.Add((index, leftWords));
            }

            if (rightWords.Count > 0)
            {
                right.Add((index, rightWords));
            }
        }

        EndSection(ref block);
    }

    /// <summary>
    /// A row runs across the gutter when a word crosses it, or when it is display type (a title well above
    /// the text size) whose word space happens to fall on the gutter: the words either side of it are one
    /// fragment.
    /// </summary>
    private static bool Spans(List<Word> row, (double Left, double Right) gutter, double usualSize)
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

        var size = Math.Max(Size(before), Size(after));
        return size >= DisplayRatio * usualSize && after.BoundingBox.Left - before.BoundingBox.Right <= FragmentGap * size;
    }

    private static double MedianSize(IEnumerable<Word> words)
    {
        var sizes = words.Select(Size).Order().ToList();
        return sizes.Count == 0 ? 0 : sizes[sizes.Count / 2];
    }

    /// <summary>Words sharing a baseline (within a third of their size), top to bottom.</summary>
    private static List<List<Word>> Rows(List<Word> words)
    {
        var rows = new List<(double Baseline, double Size, List<Word> Words)>();
        foreach (var word in words.OrderByDescending(w => w.BoundingBox.Bottom).ThenBy(w => w.BoundingBox.Left))
        {
            var size = Size(word);
            var baseline = word.Letters[0].StartBaseLine.Y;
            var index = rows.FindLastIndex(r => Math.Abs(r.Baseline - baseline) <= 0.35 * Math.Max(size, r.Size));
            if (index >= 0 && rows.Count - index <= 3)
            {
                rows[index].Words.Add(word);
            }
            else
            {
                rows.Add((baseline, size, [word]));
            }
        }

        return rows.OrderByDescending(r => r.Baseline).Select(r => r.Words.OrderBy(w => w.BoundingBox.Left).ToList()).ToList();
    }

    /// <summary>Fragments of a row in reading order: right to left when the row is right-to-left text.</summary>
    private static IEnumerable<Fragment> Split(List<Word> row, int rowIndex, IReadOnlyList<RuledGrid> grids)
    {
        var fragments = SplitLeftToRight(row, rowIndex, grids).ToList();
        if (fragments.Count > 1 && Bidi.IsRightToLeftLine(row.Select(w => w.Text)))
        {
            fragments.Reverse();
        }

        return fragments;
    }

    private static IEnumerable<Fragment> SplitLeftToRight(List<Word> row, int rowIndex, IReadOnlyList<RuledGrid> grids)
    {
        var current = new List<Word> { row[0] };
        for (var i = 1; i < row.Count; i++)
        {
            var gap = row[i].BoundingBox.Left - row[i - 1].BoundingBox.Right;
            var size = Math.Max(Size(row[i]), Size(row[i - 1]));
            // A lone bullet keeps its item text even across a wide indent (but not another mark: "*   *" are two cells).
            var bullet = current.Count == 1 && IsBullet(current[0].Text) && row[i].Text.Any(char.IsLetterOrDigit);
            // A vertical table rule between two words separates cells however close they are set.
            var middle = (row[i].BoundingBox.Bottom + row[i].BoundingBox.Top) / 2;
            var ruled = grids.Count > 0 && grids.Any(g => g.RuleBetween(row[i - 1].BoundingBox.Right - 0.5, row[i].BoundingBox.Left + 0.5, middle));
            if ((gap > FragmentGap * size && !bullet) || ruled)
            {
                yield return new Fragment(current, rowIndex);
                current = [];
            }

            current.Add(row[i]);
        }

        yield return new Fragment(current, rowIndex);
    }

    internal static bool IsBullet(string text) => text.Length == 1 && "•●▪■◦‣∙·–-*".Contains(text[0], StringComparison.Ordinal);

    /// <summary>
    /// The widest vertical band in the middle half of the text that almost no word crosses, with
    /// text-filled columns on both sides; null for single-column pages and for tables.
    /// </summary>
    private static (double Left, double Right)? FindGutter(List<Word> words, List<List<Word>> rows)
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
        var usualSize = MedianSize(words);
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

    private static double Size(Word word) => word.Letters.Max(l => l.PointSize) is var s and > 0 ? s : word.BoundingBox.Height;

    private sealed class Fragment(List<Word> words, int row)
    {
        public List<Word> Words { get; } = words;

        public int Row { get; } = row;

        public BoundingBox Box { get; } = new(
            words.Min(w => w.BoundingBox.Left), words.Min(w => w.BoundingBox.Bottom),
            words.Max(w => w.BoundingBox.Right), words.Max(w => w.BoundingBox.Top));

        /// <param name="pageHeight">The height of the frame the line's box is in.</param>
        public PdfLine ToLine(int pageNumber, double pageHeight, int block)
        {
            var letters = Words.SelectMany(w => w.Letters).Where(l => !string.IsNullOrWhiteSpace(l.Value)).ToList();
            var size = letters.GroupBy(l => Math.Round(l.PointSize * 2) / 2).MaxBy(g => g.Count())!.Key;
            var bold = letters.Count(IsBold) * 2 > letters.Count;
            var text = Bidi.IsRightToLeftLine(Words.Select(w => w.Text))
                ? Bidi.ToLogicalOrder(Words.SelectMany((w, i) => (i == 0 ? [] : new[] { " " }).Concat(w.Letters.Select(l => l.Value))).ToList())
                : string.Join(' ', Words.Select(w => w.Text));
            var font = letters.GroupBy(l => Family(l.FontName)).MaxBy(g => g.Count())!.Key;
            var italic = letters.Count(IsItalic) * 2 > letters.Count;
            var color = letters.GroupBy(ColorOf).MaxBy(g => g.Count())!.Key;
            return new PdfLine(pageNumber, text, Box, size, bold, block, pageHeight) { Row = Row, Font = font, Italic = italic, Color = color };
        }

        /// <summary>The fill colour as "r,g,b" in tenths (coarse, so a colour and its anti-aliased neighbour agree); empty when unknown.</summary>
        private static string ColorOf(Letter letter)
        {
            if (letter.Color is null)
            {
                return string.Empty;
            }

            var (r, g, b) = letter.Color.ToRGBValues();
            return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Math.Round(r, 1)},{Math.Round(g, 1)},{Math.Round(b, 1)}");
        }

        /// <summary>The family part of a font name: subset prefix and style suffix removed ("ABCDEF+Times-BoldItalic" → "Times").</summary>
        private static string Family(string? name)
        {
            if (string.IsNullOrEmpty(name))
            {
                return string.Empty;
            }

            var plus = name.IndexOf('+', StringComparison.Ordinal);
            var font = plus >= 0 ? name[(plus + 1)..] : name;
            var end = font.IndexOfAny(['-', ',']);
            return end > 0 ? font[..end] : font;
        }

        private static bool IsItalic(Letter letter) =>
            letter.FontDetails?.IsItalic == true ||
            (letter.FontName ?? string.Empty).Contains("Italic", StringComparison.OrdinalIgnoreCase) ||
            (letter.FontName ?? string.Empty).Contains("Oblique", StringComparison.OrdinalIgnoreCase);

        /// <summary>Bold by font, or "fake bold": a regular font filled and stroked (text rendering mode 2).</summary>
        private static bool IsBold(Letter letter) =>
            letter.RenderingMode is UglyToad.PdfPig.Core.TextRenderingMode.FillThenStroke or UglyToad.PdfPig.Core.TextRenderingMode.FillThenStrokeClip ||
            letter.FontDetails?.IsBold == true || BoldName(letter.FontDetails?.Name) || BoldName(letter.FontName);

        /// <summary>Bold by name: "Arial-BoldMT", "KoPubDotumBold", "Helvetica-Black", and TeX's "CMBX10"/"SFBX1000".</summary>
        private static bool BoldName(string? name)
        {
            if (string.IsNullOrEmpty(name))
            {
                return false;
            }

            var plus = name.IndexOf('+', StringComparison.Ordinal);
            var font = plus >= 0 ? name[(plus + 1)..] : name;
            return font.Contains("Bold", StringComparison.OrdinalIgnoreCase) ||
                   font.Contains("Black", StringComparison.OrdinalIgnoreCase) ||
                   font.Contains("Heavy", StringComparison.OrdinalIgnoreCase) ||
                   font.Contains("Semibold", StringComparison.OrdinalIgnoreCase) ||
                   font.Contains("Demi", StringComparison.OrdinalIgnoreCase) ||
                   font.StartsWith("CMBX", StringComparison.Ordinal) || font.StartsWith("SFBX", StringComparison.Ordinal) ||
                   font.EndsWith(",Bold", StringComparison.OrdinalIgnoreCase);
        }
    }
}

/// <summary>
/// Text length in Latin-character units: a Chinese, Japanese or Korean character carries about as much
/// as two Latin letters, so a 25-character Korean line is as much prose as a 50-character English one.
/// </summary>
internal static class TextWidth
{
    public static int Columns(string text)
    {
        var columns = 0;
        foreach (var c in text)
        {
            columns += IsWide(c) ? 2 : 1;
        }

        return columns;
    }

    /// <summary>
    /// Han ideographs, kana, CJK punctuation and full-width forms: Chinese and Japanese, which put no space
    /// between words and wrap lines between any two characters (Korean, which spaces its words, is not one).
    /// </summary>
    public static bool WritesWithoutSpaces(char c) =>
        c is >= '\u3000' and <= '\u30FF' or >= '\u3400' and <= '\u4DBF' or >= '\u4E00' and <= '\u9FFF' or >= '\uF900' and <= '\uFAFF' or >= '\uFF00' and <= '\uFF60';

    private static bool IsWide(char c) =>
        c is >= '\u1100' and <= '\u11FF' or >= '\u2E80' and <= '\u9FFF' or >= '\uAC00' and <= '\uD7AF' or >= '\uF900' and <= '\uFAFF' or >= '\uFF00' and <= '\uFF60';
}

/// <summary>
/// PDF text comes in visual order. A right-to-left line (Arabic, Hebrew) is reversed into logical order,
/// and the left-to-right runs inside it (Latin words, numbers) are turned back.
/// </summary>
internal static class Bidi
{
    public static string ToLogicalOrder(string line) => ToLogicalOrder(line.Select(c => c.ToString()).ToList());

    /// <summary>Mostly right-to-left letters: the line is in visual order and must be turned.</summary>
    public static bool IsRightToLeftLine(IEnumerable<string> texts)
    {
        int rtl = 0, ltr = 0;
        foreach (var c in texts.SelectMany(t => t))
        {
            if (IsRightToLeft(c))
            {
                rtl++;
            }
            else if (char.IsLetter(c))
            {
                ltr++;
            }
        }

        return rtl > 0 && rtl >= ltr;
    }

    /// <summary>
    /// Reverses glyph units, not characters: one glyph can stand for two letters already in logical
    /// order (the Arabic lam-alef ligature), and those must not be swapped.
    /// </summary>
    public static string ToLogicalOrder(IReadOnlyList<string> units)
    {
        if (!IsRightToLeftLine(units))
        {
            return string.Concat(units);
        }

        var reversed = units.Reverse().ToArray();
        var sb = new StringBuilder();
        var i = 0;
        while (i < reversed.Length)
        {
            if (IsLeftToRight(reversed[i]))
            {
                var j = i;
                // A left-to-right run continues through spaces and punctuation that sit between LTR characters.
                while (j + 1 < reversed.Length && (IsLeftToRight(reversed[j + 1]) ||
                       (!IsRightToLeft(reversed[j + 1]) && NextStrongIsLeftToRight(reversed, j + 1))))
                {
                    j++;
                }

                for (var k = j; k >= i; k--)
                {
                    sb.Append(reversed[k]);
                }

                i = j + 1;
            }
            else
            {
                sb.Append(reversed[i].Length == 1 ? Mirror(reversed[i][0]).ToString() : reversed[i]);
                i++;
            }
        }

        return sb.ToString();
    }

    private static bool NextStrongIsLeftToRight(string[] text, int from)
    {
        for (var k = from; k < text.Length; k++)
        {
            if (IsRightToLeft(text[k]))
            {
                return false;
            }

            if (IsLeftToRight(text[k]))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsRightToLeft(string unit) => unit.Any(IsRightToLeft);

    private static bool IsLeftToRight(string unit) => unit.Length > 0 && unit.All(c => !IsRightToLeft(c)) && unit.Any(char.IsLetterOrDigit);

    private static bool IsRightToLeft(char c) => c is >= '\u0590' and <= '\u08FF' or >= '\uFB1D' and <= '\uFDFF' or >= '\uFE70' and <= '\uFEFF';

    private static bool IsLeftToRight(char c) => char.IsLetterOrDigit(c) && !IsRightToLeft(c);

    private static char Mirror(char c) => c switch
    {
        '(' => ')',
        ')' => '(',
        '[' => ']',
        ']' => '[',
        '{' => '}',
        '}' => '{',
        '<' => '>',
        '>' => '<',
        _ => c,
    };
}
