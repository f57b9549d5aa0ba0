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
    internal const double FragmentGap = 1.0;

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
        // Text set another way than most of the page (an upright running header over a sideways table, an arXiv
        // stamp running up the margin of an upright page) is kept out of the frame's rows, where it would be a
        // letter per row that the table and column rules take for cells, and read in its own direction after the
        // page's text; its boxes are carried into the frame.
        var (along, across) = turn.Split(Accents.Compose(Overstrike.Remove(page.Letters)));
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
                Sideways = true,
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
        var words = WordSpaces.JoinSpacedLetters(WordSpaces.SplitLostSpaces(UglyToad.PdfPig.Util.DefaultWordExtractor.Instance.GetWords(letters)
            .Where(w => !string.IsNullOrWhiteSpace(w.Text) && w.Letters.Count > 0)
            .ToList()));
        if (words.Count == 0)
        {
            return [];
        }

        var rows = Rows(words);
        var ordered = new List<(LineFragment LineFragment, int Block)>();
        var block = 0;
        Order(rows.Select((r, i) => (Index: i, Words: r)).ToList(), ordered, ref block, depth: 0, grids);
        return ordered.Select(o => o.LineFragment.ToLine(pageNumber, frameHeight, o.Block)).ToList();
    }

    /// <summary>
    /// Recursive column split: a gutter divides the rows into sections (rows crossing it are full-width
    /// and stay in place); each section's left side is read before its right side, and each side may
    /// itself have columns (three-column pages, a two-column block under a full-width one).
    /// </summary>
    private static void Order(List<(int Index, List<Word> Words)> rows, List<(LineFragment, int)> ordered, ref int block, int depth, IReadOnlyList<RuledGrid> grids)
    {
        var gutter = depth < 3 ? ColumnGutter.Find(rows.SelectMany(r => r.Words).ToList(), rows.Select(r => r.Words).ToList()) : null;
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
            if (ColumnGutter.Spans(words, g, usual))
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

    internal static double MedianSize(IEnumerable<Word> words)
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
    private static IEnumerable<LineFragment> Split(List<Word> row, int rowIndex, IReadOnlyList<RuledGrid> grids)
    {
        var fragments = SplitLeftToRight(row, rowIndex, grids).ToList();
        if (fragments.Count > 1 && Bidi.IsRightToLeftLine(row.Select(w => w.Text)))
        {
            fragments.Reverse();
        }

        return fragments;
    }

    private static IEnumerable<LineFragment> SplitLeftToRight(List<Word> row, int rowIndex, IReadOnlyList<RuledGrid> grids)
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
                yield return new LineFragment(current, rowIndex);
                current = [];
            }

            current.Add(row[i]);
        }

        yield return new LineFragment(current, rowIndex);
    }

    internal static bool IsBullet(string text) => ListGlyphs.IsGlyph(text);

    internal static double Size(Word word) => word.Letters.Max(l => l.PointSize) is var s and > 0 ? s : word.BoundingBox.Height;

}
