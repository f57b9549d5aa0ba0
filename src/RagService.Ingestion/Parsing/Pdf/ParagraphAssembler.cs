using System.Text.RegularExpressions;
using RagService.Core.Documents;

namespace RagService.Ingestion.Parsing.Pdf;

/// <summary>
/// Groups lines into paragraphs by vertical gaps and typography, and joins a paragraph that a
/// page break cut in two, so a sentence is never split between chunks just because it crossed a page.
/// </summary>
internal static partial class ParagraphAssembler
{
    /// <summary>A baseline step this much larger than the document's usual line pitch starts a new paragraph.</summary>
    private const double ParagraphPitchFactor = 1.3;

    /// <summary>Headings wrap onto two or three lines at most.</summary>
    private const int MaxHeadingLines = 3;

    /// <summary>Length of a paragraph of running text (<see cref="IsProse"/>) in Latin-letter units: a dozen words, or thirty Chinese characters.</summary>
    private const int MinProseColumns = 60;

    private const int MaxHeadingWords = 24;

    /// <summary>Type at least this many times the body size is a display title.</summary>
    private const double DisplayTitleRatio = 1.8;

    public static List<AssembledBlock> Assemble(IReadOnlyList<PdfLine> lines, HeadingClassifier headings,
        IReadOnlyDictionary<PdfLine, PdfTable>? tables = null)
    {
        tables ??= new Dictionary<PdfLine, PdfTable>();
        var emitted = new HashSet<PdfTable>(ReferenceEqualityComparer.Instance);
        var pitch = LinePitch(lines);
        var result = new List<AssembledBlock>();
        var current = new List<PdfLine>();
        int? currentLevel = null;
        var currentIsList = false;

        void Flush()
        {
            if (current.Count == 0)
            {
                return;
            }

            var text = JoinLines(current);
            // A "heading" that runs on for more than a few lines, or to a question or a long sentence, or that opens in
            // lower case, is emphasised body text (a bold survey question, a list of names on a cover, the rest of a
            // bold sentence), not a heading.
            if (currentLevel is not null && (current.Count > MaxHeadingLines || HeadingCannotEnd().IsMatch(text) ||
                text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length > MaxHeadingWords || (HeadingClassifier.StartsMidSentence(text) && !headings.Outlined(text))))
            {
                currentLevel = null;
            }

            // The same heading twice on one page (a masthead repeating the title beside it, a form's label used in two
            // boxes) heads the page once, unless it is a subsection name used again at the same level after prose of its
            // own ("Records to Keep" under two sections).
            var earlier = currentLevel is null ? -1 : result.FindLastIndex(b => b.Kind == BlockKind.Heading && b.PageEnd == current[0].Page &&
                                                                                PdfOutline.Key(b.Text) == PdfOutline.Key(text));
            if (earlier >= 0 && (result[earlier].Level != currentLevel || !result.Skip(earlier + 1).Any(IsProse)))
            {
                currentLevel = null;
            }

            var kind = currentLevel is not null ? BlockKind.Heading : currentIsList ? BlockKind.ListItem : BlockKind.Paragraph;
            if (kind == BlockKind.ListItem)
            {
                text = Bullet().Replace(text, string.Empty);
            }

            var box = current.Select(l => l.Box).Aggregate((a, b) => a.Union(b));
            var block = new AssembledBlock(kind, text, currentLevel ?? 0, current[0].Page, current[^1].Page, box);
            if (kind == BlockKind.Paragraph && result.Count > 0 && ContinuesAcrossPage(result[^1], block))
            {
                var previous = result[^1];
                // The box stays the first page's: a rectangle spanning two pages has no meaning.
                result[^1] = previous with { Text = JoinText(previous.Text, block.Text), PageEnd = block.PageEnd };
            }
            else
            {
                result.Add(block);
            }

            current.Clear();
        }

        // Where each block's full lines end: a line that stops well short of it after a full stop ends its paragraph.
        var measure = lines.Where(l => !tables.ContainsKey(l)).GroupBy(l => (l.Page, l.Block))
            .ToDictionary(g => g.Key, g => g.Select(l => l.Box.Right).Order().ElementAt(g.Count() * 9 / 10));
        PdfLine? previousLine = null;
        foreach (var line in lines)
        {
            if (tables.TryGetValue(line, out var table))
            {
                Flush();
                if (emitted.Add(table))
                {
                    AddTable(result, table);
                }

                previousLine = null;
                currentLevel = null;
                continue;
            }

            var level = headings.LevelOf(line);
            // A line that carries on a non-heading line in the same type, at the usual line pitch, is the rest of
            // that paragraph (the second line of a bold question), never a heading of its own.
            if (level is not null && previousLine is not null && currentLevel is null && line.Page == previousLine.Page &&
                line.Bold == previousLine.Bold && line.Italic == previousLine.Italic && Math.Abs(line.FontSize - previousLine.FontSize) < 0.5 && FollowsClosely(previousLine, line, pitch))
            {
                level = null;
            }

            // A display title set over two lines in slightly different sizes ("Row and Column Access Control" at
            // 33 pt over "Support in IBM DB2 for i" at 30 pt) is one heading.
            var continuesTitle = level is not null && currentLevel is not null && previousLine is not null && line.Page == previousLine.Page &&
                current.Count < MaxHeadingLines && ContinuesDisplayTitle(previousLine, line, headings.BodySize, pitch);
            if (continuesTitle)
            {
                level = currentLevel;
            }

            var startsList = Bullet().IsMatch(line.Text) && level is null;
            var startsNew = previousLine is null
                || line.Page != previousLine.Page
                || level != currentLevel
                || startsList
                || (Math.Abs(line.FontSize - previousLine.FontSize) > 1.0 && !continuesTitle)
                || (line.Block != previousLine.Block && Math.Abs(previousLine.Box.Left - line.Box.Left) > 2 * line.FontSize && !(continuesTitle && Centred(previousLine, line)))
                || !FollowsClosely(previousLine, line, pitch)
                || (level is null && EndsParagraph(previousLine, line, measure))
                // Code set in a monospaced face is a block of its own, apart from the prose around it.
                || (level is null && HeadingClassifier.Monospaced().IsMatch(previousLine.Font) != HeadingClassifier.Monospaced().IsMatch(line.Font));

            if (startsNew)
            {
                Flush();
                currentLevel = level;
                currentIsList = startsList;
            }

            current.Add(line);
            previousLine = line;
        }

        Flush();
        return result;
    }

    /// <summary>Footnotes sit in the lowest quarter of a page.</summary>
    private const double FootBand = 0.25;

    private static bool SameRow(IReadOnlyList<string> a, IReadOnlyList<string> b) =>
        a.Count == b.Count && a.Zip(b).All(p => string.Equals(PdfOutline.Key(p.First), PdfOutline.Key(p.Second), StringComparison.Ordinal));

    /// <summary>
    /// A table that ends one page and one that starts the next with the same columns are one table cut
    /// by the page break; a repeated header row on the second page is dropped. Only notes at the foot of the
    /// pages it covers (footnotes) may stand between the two parts; they stay after
    /// the joined table. A header whose cells wrap onto a second line is one header row (<see cref="TableHeader"/>).
    /// </summary>
    private static void AddTable(List<AssembledBlock> result, PdfTable table)
    {
        var block = new AssembledBlock(BlockKind.Table, string.Empty, 0, table.Page, table.Page, table.Box) { Rows = TableHeader.JoinWrapped(table.Rows) };
        var at = result.FindLastIndex(b => b.Rows is not null);
        if (at >= 0 && result[at] is { Rows: { } previousRows } previous &&
            previous.PageEnd + 1 == table.Page && previousRows[0].Count == table.Rows[0].Count &&
            result.Skip(at + 1).All(b => b.PageStart >= previous.PageStart && b.PageEnd <= previous.PageEnd && b.Box.Top <= FootBand * table.Lines[0].PageHeight))
        {
            var rows = TableHeader.JoinWrapped(table.Rows, previousRows[0]);
            var continued = rows.SkipWhile((r, i) => i == 0 && SameRow(r, previousRows[0]));
            result[at] = previous with { PageEnd = table.Page, Rows = previousRows.Concat(continued).ToList() };
            return;
        }

        result.Add(block);
    }

    /// <summary>
    /// The usual baseline-to-baseline step of body lines, as a multiple of the font size. Glyph boxes
    /// leave out descenders and vary with the letters, so baselines are the reliable measure.
    /// </summary>
    private static double LinePitch(IReadOnlyList<PdfLine> lines)
    {
        var ratios = new List<double>();
        for (var i = 1; i < lines.Count; i++)
        {
            var (a, b) = (lines[i - 1], lines[i]);
            if (a.Page == b.Page && Math.Abs(a.FontSize - b.FontSize) < 0.5)
            {
                var ratio = (a.Box.Bottom - b.Box.Bottom) / b.FontSize;
                if (ratio is > 0.8 and < 3)
                {
                    ratios.Add(Math.Round(ratio * 20) / 20);
                }
            }
        }

        return ratios.Count == 0 ? 1.2 : ratios.GroupBy(r => r).MaxBy(g => g.Count())!.Key;
    }

    /// <summary>The next line sits one line pitch below; more space, or a jump upwards (a new column), starts a paragraph.</summary>
    private static bool FollowsClosely(PdfLine previous, PdfLine line, double pitch)
    {
        var step = (previous.Box.Bottom - line.Box.Bottom) / Math.Max(line.FontSize, previous.FontSize);
        return step > 0.5 && step <= pitch * ParagraphPitchFactor;
    }

    /// <summary>
    /// Paragraphs set without space between them still show where they end: the last line ends a sentence
    /// well short of the column's measure, or the next line starts with a first-line indent.
    /// </summary>
    private static bool EndsParagraph(PdfLine previous, PdfLine line, IReadOnlyDictionary<(int, int), double> measure)
    {
        // Code keeps its lines together: a statement ending in ";" short of the measure is not a paragraph's end.
        if (previous.Page != line.Page || previous.Block != line.Block || !SentenceEnd().IsMatch(previous.Text) ||
            HeadingClassifier.Monospaced().IsMatch(previous.Font) ||
            !measure.TryGetValue((previous.Page, previous.Block), out var right))
        {
            return false;
        }

        var size = Math.Max(previous.FontSize, line.FontSize);
        return previous.Box.Right < right - ShortLastLine * size ||
               (line.Box.Left > previous.Box.Left + 0.8 * size && line.Box.Left < previous.Box.Left + ShortLastLine * size);
    }

    /// <summary>Ems short of the measure at which a line ending a sentence is a paragraph's last line.</summary>
    private const double ShortLastLine = 4;

    /// <summary>Both lines display type (well above the body size), same face and weight, sizes within 15 %, one line pitch apart.</summary>
    /// <summary>A paragraph of running text: a sentence or more, not a label or a caption.</summary>
    private static bool IsProse(AssembledBlock block) =>
        block.Kind == BlockKind.Paragraph && SentenceEnd().IsMatch(block.Text) && TextWidth.Columns(block.Text) >= MinProseColumns;

    /// <summary>Two lines centred on one axis (a title set over two lines of different lengths), to within a font size.</summary>
    private static bool Centred(PdfLine previous, PdfLine line) =>
        Math.Abs((previous.Box.Left + previous.Box.Right) - (line.Box.Left + line.Box.Right)) / 2 <= Math.Min(previous.FontSize, line.FontSize);

    private static bool ContinuesDisplayTitle(PdfLine previous, PdfLine line, double bodySize, double pitch) =>
        Math.Min(previous.FontSize, line.FontSize) >= DisplayTitleRatio * bodySize &&
        Math.Min(previous.FontSize, line.FontSize) >= 0.85 * Math.Max(previous.FontSize, line.FontSize) &&
        previous.Bold == line.Bold && previous.Font == line.Font && previous.Color == line.Color &&
        !SentenceEnd().IsMatch(previous.Text) && FollowsClosely(previous, line, pitch);

    /// <summary>
    /// A paragraph that ends a page without ending its sentence, followed on the next page by text that
    /// carries on: a lower-case word, or, in Chinese and Japanese (which have no case), a character that is
    /// not the start of a numbered clause ("第二条", "二、", "（三）").
    /// </summary>
    internal static bool ContinuesAcrossPage(AssembledBlock previous, AssembledBlock next) =>
        previous.Kind == BlockKind.Paragraph &&
        next.PageStart == previous.PageEnd + 1 &&
        !SentenceEnd().IsMatch(previous.Text) &&
        previous.Text.Length > 0 && next.Text.Length > 0 &&
        (char.IsLower(next.Text[0]) ||
         (TextWidth.WritesWithoutSpaces(previous.Text[^1]) && TextWidth.WritesWithoutSpaces(next.Text[0]) && !ChineseClause().IsMatch(next.Text)));

    /// <summary>The start of a numbered Chinese clause or item: "第二条", "二、", "（三）".</summary>
    [GeneratedRegex(@"^(?:第[一二三四五六七八九十百千\d]+[条章节款项部分篇]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)])")]
    private static partial Regex ChineseClause();

    private static string JoinLines(List<PdfLine> lines) =>
        lines.Skip(1).Aggregate(lines[0].Text, (text, line) => JoinText(text, line.Text));

    /// <summary>
    /// Undoes end-of-line hyphenation ("infor-" + "mation"), joins Chinese and Japanese lines without a space
    /// (they wrap between characters, not words), and otherwise joins with a space. Korean, which spaces its
    /// words, keeps the space.
    /// </summary>
    internal static string JoinText(string left, string right)
    {
        if (left.Length > 1 && left[^1] == '-' && char.IsLetter(left[^2]) && right.Length > 0 && char.IsLower(right[0]))
        {
            return left[..^1] + right;
        }

        if (left.Length > 0 && right.Length > 0 && TextWidth.WritesWithoutSpaces(left[^1]) && TextWidth.WritesWithoutSpaces(right[0]))
        {
            return left + right;
        }

        return left + " " + right;
    }

    [GeneratedRegex(@"[.!?:;。！？；…][""'”’)\]]*\s*$")]
    private static partial Regex SentenceEnd();

    /// <summary>A heading does not end in a question mark, a comma, a semicolon or a colon (a question, a clause, a code line, a lead-in).</summary>
    [GeneratedRegex(@"[?,;:？，；：]\s*$")]
    private static partial Regex HeadingCannotEnd();

    [GeneratedRegex(@"^\s*(?:[" + ListGlyphs.Class + @"]|\(?\d{1,2}[.)]|\(?[a-z][.)])\s+")]
    private static partial Regex Bullet();
}
