namespace RagService.Ingestion.Parsing.Ocr;

/// <summary>
/// Keeps what Tesseract read in a picture out of the text flow. Strokes, hatching and bars beside the text
/// come back as "words" Tesseract itself doubts ("|", "_hapter", "—— ,") that would otherwise become a noise
/// table or a heading. A word goes when Tesseract's confidence in it is very low, or low and it has no two
/// letters or digits in a row; a line with nothing left goes too. Words and confidences are Tesseract's own,
/// so a clean page loses nothing. A section number that opens a line of kept words ("7.1 Limits", "3. Check
/// the log") is the line's own, however unsure Tesseract was of it.
/// </summary>
/// <remarks>
/// Beside a picture two more things happen. Tesseract reads a picture's edge as a column of one- or two-character
/// "words" at the ends of the text lines next to it ("N", "\", "»"), which cut those lines into a table
/// row or a paragraph of their own: such short pieces, a wide gap away from the line's text and stacked over three
/// rows or more at one place across the page, go when Tesseract doubted them on the whole. And a real word in a
/// line of confident words is sometimes read at a confidence near zero ("payment is made." read right at 0): a
/// word of letters a word space from a confident neighbour, no taller than the line's confident words, stays.
/// </remarks>
internal static partial class PictureNoise
{
    /// <summary>Below this confidence a word is dropped whatever it looks like.</summary>
    private const double Floor = 35;

    /// <summary>Below this confidence a word without two letters or digits in a row is dropped.</summary>
    private const double Doubtful = 65;

    /// <summary>A line whose words' mean confidence (by length) is under this, with no word at <see cref="Certain"/>, is a picture's.</summary>
    private const double DoubtedLine = 50;

    private const double Certain = 90;

    /// <summary>A word at or above this confidence is one Tesseract is sure of.</summary>
    private const double Sure = 85;

    /// <summary>Words of one line further apart than this many font sizes are separate pieces (as OCR table cells are cut).</summary>
    private const double PieceGap = 1.5;

    /// <summary>A picture's edge is read as at least this many short pieces stacked at one place across the page.</summary>
    private const int MinEdgeStack = 3;

    public static OcrPage Remove(OcrPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        var edge = PictureEdge(page.Lines);
        edge.UnionWith(BesideWrappedColumn(page.Lines));
        edge.UnionWith(Specks(page.Lines));
        var cells = TableCells(page.Lines);
        var lines = new List<OcrLine>(page.Lines.Count);
        foreach (var line in page.Lines)
        {
            if (line.Words.Count == 0)
            {
                lines.Add(line);
                continue;
            }

            if (Doubted(line))
            {
                continue;
            }

            var kept = line.Words.Where((w, i) => !edge.Contains(w) &&
                (!IsNoise(w) || (i == 0 && OpensLine(line.Words)) || MisdoubtedWord(line, i) || cells.Contains(w))).ToList();
            // A line that is one stroke mark ("|", "\\", "]") is a rule or a picture's edge, whatever Tesseract thought of it.
            if (kept.Count == 1 && StrokeMark().IsMatch(kept[0].Text))
            {
                continue;
            }

            if (kept.Count == line.Words.Count)
            {
                lines.Add(line);
            }
            else if (kept.Count > 0)
            {
                lines.Add(line with
                {
                    Text = Join(kept),
                    Box = kept.Select(w => w.Box).Aggregate((a, b) => a.Union(b)),
                    LayoutBox = kept.Select(w => w.LayoutBox).Aggregate((a, b) => a.Union(b)),
                    Words = kept,
                    Confidence = kept.Sum(w => w.Confidence * Math.Max(1, w.Text.Length)) / kept.Sum(w => Math.Max(1, w.Text.Length)),
                });
            }
        }

        return page with { Lines = lines };
    }

    /// <summary>
    /// Short pieces (two letters at most and no digit, a table's column of small numbers being no picture; after a gap wider than <see cref="PieceGap"/> font sizes or a
    /// line of their own; never one that opens a line with more after it) that stack over <see cref="MinEdgeStack"/> rows or more with overlapping extents across the
    /// page, at a mean confidence under <see cref="Doubtful"/>: the edge of a picture beside the text.
    /// </summary>
    private static HashSet<OcrWord> PictureEdge(IReadOnlyList<OcrLine> lines)
    {
        var pieces = new List<(double Left, double Right, double Bottom, List<OcrWord> Words)>();
        foreach (var line in lines.Where(l => l.Words.Count > 0))
        {
            var words = line.Words.OrderBy(w => w.LayoutBox.Left).ToList();
            var start = 0;
            for (var i = 1; i <= words.Count; i++)
            {
                if (i < words.Count && words[i].LayoutBox.Left - words[i - 1].LayoutBox.Right <= PieceGap * Math.Max(1, line.FontSize))
                {
                    continue;
                }

                // A piece that opens a line with more after it is a bullet or a list number, not a picture's edge.
                var piece = words.GetRange(start, i - start);
                var opensMore = start == 0 && i < words.Count;
                if (!opensMore && piece.Sum(w => w.Text.Count(char.IsLetterOrDigit)) <= 2 && !piece.Any(w => HasIdeographs(w.Text) || w.Text.Any(char.IsDigit)))
                {
                    pieces.Add((piece[0].LayoutBox.Left, piece[^1].LayoutBox.Right, line.LayoutBox.Bottom, piece));
                }

                start = i;
            }
        }

        var edge = new HashSet<OcrWord>();
        var used = new bool[pieces.Count];
        for (var i = 0; i < pieces.Count; i++)
        {
            if (used[i])
            {
                continue;
            }

            // Pieces whose extents overlap across the page, grown one from another (a picture's edge is not a straight line).
            var stack = new List<int> { i };
            used[i] = true;
            for (var k = 0; k < stack.Count; k++)
            {
                var (left, right, _, _) = pieces[stack[k]];
                for (var j = 0; j < pieces.Count; j++)
                {
                    if (!used[j] && pieces[j].Left <= right && pieces[j].Right >= left)
                    {
                        used[j] = true;
                        stack.Add(j);
                    }
                }
            }

            var words = stack.SelectMany(p => pieces[p].Words).ToList();
            var rows = stack.Select(p => Math.Round(pieces[p].Bottom)).Distinct().Count();
            if (rows >= MinEdgeStack && words.Average(w => w.Confidence) < Doubtful)
            {
                edge.UnionWith(words);
            }
        }

        return edge;
    }

    /// <summary>A doubted cell kept by its column has this many letters or digits at least: a border's speck reads as "Oe".</summary>
    private const int MinCellCharacters = 3;

    /// <summary>The widest a character of a real word stands, in font sizes ("W" is about 0.95 of an em, most letters half of one).</summary>
    private const double MaxCharacterWidth = 0.75;

    /// <summary>Rows this many font sizes above or below a table cell are its neighbours in the column.</summary>
    private const double ColumnReach = 6;

    /// <summary>
    /// Cells of a table Tesseract read at a low confidence ("DublinD" at 5, "202" at 18, where a ruled cell's border
    /// crowds the word): a word of <see cref="MinCellCharacters"/> letters or digits, two in a row, alone in a piece of a
    /// row cut into pieces, that lines up with pieces starting with a word Tesseract is sure of in two other rows within
    /// <see cref="ColumnReach"/> font sizes: its left edge within half a font size of theirs, its right edge not past
    /// theirs. A picture's noise sits beside the text, not in the columns its sure words make.
    /// </summary>
    private static HashSet<OcrWord> TableCells(IReadOnlyList<OcrLine> lines)
    {
        static bool Apart(OcrLine line, int i) =>
            line.Words[i].LayoutBox.Left - line.Words[i - 1].LayoutBox.Right > PieceGap * Math.Max(1, line.FontSize);

        // Each piece's first word and right edge.
        static IEnumerable<(OcrWord First, double Right)> Pieces(OcrLine line)
        {
            var start = 0;
            for (var i = 1; i <= line.Words.Count; i++)
            {
                if (i == line.Words.Count || Apart(line, i))
                {
                    yield return (line.Words[start], line.Words[i - 1].LayoutBox.Right);
                    start = i;
                }
            }
        }

        var rows = lines.Where(l => l.Words.Count > 0 && !HasIdeographs(l.Text))
            .Select(l => (Line: l, Starts: Pieces(l).ToList())).ToList();
        var cells = new HashSet<OcrWord>();
        foreach (var (line, pieces) in rows.Where(r => r.Starts.Count >= 2))
        {
            var size = Math.Max(1, line.FontSize);
            // A word alone in its piece: one that runs on into the next cell ("LisbonE~ - | 168") would join two columns.
            var alone = line.Words.Where((w, i) => (i == 0 || Apart(line, i)) && (i == line.Words.Count - 1 || Apart(line, i + 1)));
            // ...and no wider than its characters: a box stretched over a cell's border would bridge two columns.
            foreach (var word in alone.Where(w => IsNoise(w) && HasTwoInARow(w.Text) && w.Text.Count(char.IsLetterOrDigit) >= MinCellCharacters &&
                                                  w.LayoutBox.Width <= MaxCharacterWidth * size * w.Text.Length))
            {
                // Lined up with the column's sure cells, and ending within them: a word stretched past them would
                // reach across into the next column.
                var aligned = rows.Count(r => r.Line != line && Math.Abs(r.Line.LayoutBox.Bottom - line.LayoutBox.Bottom) <= ColumnReach * size &&
                    r.Starts.Any(p => p.First.Confidence >= Sure && HasTwoInARow(p.First.Text) && Math.Abs(p.First.LayoutBox.Left - word.LayoutBox.Left) <= size / 2 &&
                                      word.LayoutBox.Right <= p.Right + (size / 2)));
                if (aligned >= 2)
                {
                    cells.Add(word);
                }
            }
        }

        return cells;
    }

    /// <summary>A speck's height, as a share of the page's body type: a lowercase letter without ascenders stands about half of it.</summary>
    private const double SpeckHeight = 0.35;

    /// <summary>
    /// Specks of the scan read as letters ("oe" 3 pt tall beside a 10.5 pt text line): words of one or two letters or
    /// digits whose box is under <see cref="SpeckHeight"/> of the page's body size (the median size of its lines of three
    /// words or more). Marks (".", "-", "|") are left to the other rules: a dash may be an empty table cell.
    /// </summary>
    private static IEnumerable<OcrWord> Specks(IReadOnlyList<OcrLine> lines)
    {
        var sizes = lines.Where(l => l.Words.Count >= 3).Select(l => l.FontSize).Order().ToList();
        if (sizes.Count == 0)
        {
            return [];
        }

        var body = sizes[sizes.Count / 2];
        return lines.SelectMany(l => l.Words).Where(w => w.Text.Length is >= 1 and <= 2 && w.Text.All(char.IsLetterOrDigit)
            && !HasIdeographs(w.Text) && w.LayoutBox.Height < SpeckHeight * body);
    }

    /// <summary>
    /// A word of two letters or more (trailing punctuation aside) that Tesseract doubted, standing a word space from a
    /// word it is sure of, no taller than the line's sure words, in a line whose sure words hold most of its letters.
    /// </summary>
    private static bool MisdoubtedWord(OcrLine line, int index)
    {
        var word = line.Words[index];
        if (!Lettered().IsMatch(word.Text) || HasIdeographs(word.Text))
        {
            return false;
        }

        var sure = line.Words.Where(w => w.Confidence >= Sure).ToList();
        if (sure.Count == 0 || sure.Count * 2 < line.Words.Count)
        {
            return false;
        }

        var heights = sure.Select(w => w.LayoutBox.Height).Order().ToList();
        if (word.LayoutBox.Height > 1.5 * Math.Max(1, heights[heights.Count / 2]))
        {
            return false;
        }

        var space = Math.Max(1, line.FontSize);
        bool Beside(int j) => j >= 0 && j < line.Words.Count && line.Words[j].Confidence >= Sure &&
            Math.Max(line.Words[j].LayoutBox.Left - word.LayoutBox.Right, word.LayoutBox.Left - line.Words[j].LayoutBox.Right) <= space;
        return Beside(index - 1) || Beside(index + 1);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^[|/\\\[\](){}!_~]{1,3}$")]
    private static partial System.Text.RegularExpressions.Regex StrokeMark();

    [System.Text.RegularExpressions.GeneratedRegex(@"^\p{L}{2,}[.,;:!?]?$")]
    private static partial System.Text.RegularExpressions.Regex Lettered();

    /// <summary>Beside a wrapped column, this many doubted marks are evidence enough of a picture (the column's alignment is the rest).</summary>
    private const int MinPictureMarks = 2;

    /// <summary>Text wrapped beside a picture starts (or ends) this far inside the page's text margin, past any paragraph or list indent.</summary>
    private const double WrapIndent = 60;

    /// <summary>
    /// Words Tesseract is not sure of (under <see cref="Sure"/>) in the picture beside a wrapped column: three rows or more
    /// whose sure words of letters all start at one place at least <see cref="WrapIndent"/> right of the page's text margin (a picture on
    /// the left), or all end that far left of it (a picture on the right), with <see cref="MinPictureMarks"/> such doubted
    /// words or more between them and the margin. Marks without a letter or digit there go however sure Tesseract was ("\" at 86); sure words
    /// stay (a label or an axis value printed on the picture).
    /// </summary>
    private static HashSet<OcrWord> BesideWrappedColumn(IReadOnlyList<OcrLine> lines)
    {
        // A row's edges are those of its sure words of letters: a mark read surely from the picture ("]" at 92) is not text.
        static bool SureWord(OcrWord w) => w.Confidence >= Sure && w.Text.Count(char.IsLetter) >= 2;
        var rows = lines.Where(l => l.Words.Count(w => w.Confidence >= Sure && w.Text.Count(char.IsLetter) >= 3) >= 3)
            .Select(l => (Line: l, Left: l.Words.Where(SureWord).Min(w => w.LayoutBox.Left), Right: l.Words.Where(SureWord).Max(w => w.LayoutBox.Right)))
            .OrderByDescending(r => r.Line.LayoutBox.Bottom)
            .ToList();
        var picture = new HashSet<OcrWord>();
        if (rows.Count < MinEdgeStack)
        {
            return picture;
        }

        double margin = rows.Min(r => r.Left), farRight = rows.Max(r => r.Right);
        foreach (var onLeft in new[] { true, false })
        {
            // Runs of consecutive prose rows whose edge on the picture's side stands well inside the margin.
            var run = new List<(OcrLine Line, double Left, double Right)>();
            foreach (var row in rows.Append((Line: null!, Left: margin, Right: farRight)))
            {
                var inside = row.Line is not null && (onLeft ? row.Left - margin >= WrapIndent : farRight - row.Right >= WrapIndent);
                if (inside && (run.Count == 0 || (onLeft ? Math.Abs(row.Left - run[0].Left) <= 6 : true)))
                {
                    run.Add(row);
                    continue;
                }

                if (run.Count >= MinEdgeStack)
                {
                    var top = run.Max(r => r.Line.LayoutBox.Top) + 4;
                    var bottom = run.Min(r => r.Line.LayoutBox.Bottom) - 4;
                    var edge = onLeft ? run.Min(r => r.Left) - 4 : run.Max(r => r.Right) + 4;
                    var doubted = lines.SelectMany(l => l.Words)
                        .Where(w => (w.Confidence < Sure || !w.Text.Any(char.IsLetterOrDigit)) && w.LayoutBox.Bottom >= bottom && w.LayoutBox.Bottom <= top &&
                                    (onLeft ? w.LayoutBox.Right <= edge : w.LayoutBox.Left >= edge) && !HasIdeographs(w.Text))
                        .ToList();
                    if (doubted.Count >= MinPictureMarks)
                    {
                        picture.UnionWith(doubted);
                    }
                }

                run.Clear();
                if (inside)
                {
                    run.Add(row);
                }
            }
        }

        return picture;
    }

    /// <summary>
    /// CJK text is read a character or phrase a "word", at lower confidences than Latin, and two characters make a
    /// whole table cell ("总监"): the rules for pictures' edges, doubted lines and misdoubted words are Latin-script only.
    /// </summary>
    private static bool HasIdeographs(string text) => text.Any(c => c >= '\u2E80');

    private static bool Doubted(OcrLine line)
    {
        var letters = line.Words.Sum(w => Math.Max(1, w.Text.Length));
        var mean = line.Words.Sum(w => w.Confidence * Math.Max(1, w.Text.Length)) / letters;
        return mean < DoubtedLine && line.Words.All(w => w.Confidence < Certain) && !HasIdeographs(line.Text);
    }

    /// <summary>The line's first word is a section number above the floor, and the word after it is kept.</summary>
    private static bool OpensLine(IReadOnlyList<OcrWord> words) =>
        words.Count > 1 && words[0].Confidence >= Floor && SectionNumber().IsMatch(words[0].Text) && !IsNoise(words[1]);

    [System.Text.RegularExpressions.GeneratedRegex(@"^\d{1,2}(?:\.\d{1,2}){0,4}\.?$")]
    private static partial System.Text.RegularExpressions.Regex SectionNumber();

    private static bool IsNoise(OcrWord word) =>
        word.Confidence < Floor || (word.Confidence < Doubtful && !HasTwoInARow(word.Text));

    private static bool HasTwoInARow(string text)
    {
        for (var i = 1; i < text.Length; i++)
        {
            if (char.IsLetterOrDigit(text[i]) && char.IsLetterOrDigit(text[i - 1]))
            {
                return true;
            }
        }

        // A single CJK character is a whole word.
        return text.Length == 1 && text[0] >= '\u3400';
    }

    /// <summary>Words joined with spaces, except between CJK characters, which are set without them.</summary>
    public static string Join(IReadOnlyList<OcrWord> words)
    {
        var sb = new System.Text.StringBuilder(words[0].Text);
        for (var i = 1; i < words.Count; i++)
        {
            var (previous, next) = (words[i - 1].Text, words[i].Text);
            if (!(previous.Length > 0 && next.Length > 0 && previous[^1] >= '\u3000' && next[0] >= '\u3000'))
            {
                sb.Append(' ');
            }

            sb.Append(next);
        }

        return sb.ToString();
    }
}
