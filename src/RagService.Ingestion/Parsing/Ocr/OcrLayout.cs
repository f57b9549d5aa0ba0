using RagService.Core.Documents;
using RagService.Ingestion.Parsing.Pdf;

namespace RagService.Ingestion.Parsing.Ocr;

/// <summary>
/// Feeds OCR lines into the same line → paragraph → heading assembly as text PDFs, and marks the
/// blocks whose words Tesseract was unsure of.
/// </summary>
internal static class OcrLayout
{
    /// <summary>
    /// Recognised lines as the PDF layout's lines (OCR knows no weight, so none are bold), in the
    /// upright image's coordinates: the layout reads lines left to right and top to bottom there.
    /// </summary>
    /// <remarks>
    /// As on text pages, lines sharing a baseline get one row number, and a line whose words leave a gap
    /// wider than <see cref="FragmentGap"/> font sizes (table cells Tesseract read as one line) is cut
    /// into fragments there, so the table detector sees an OCR'd table's cells and columns.
    /// </remarks>
    public static IEnumerable<PdfLine> ToPdfLines(OcrPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        var lines = JoinSplitLines(PictureNoise.Remove(page).Lines);
        var rows = RowNumbers(lines);
        var fragments = lines.Select(l => Fragments(l).ToList()).ToList();
        var blocks = TableBlocks(lines, rows, fragments);
        foreach (var i in ReadingOrder(lines, blocks, rows))
        {
            var line = lines[i];
            foreach (var (text, box) in fragments[i])
            {
                yield return new PdfLine(line.Page, text, box, line.FontSize, Bold: false, blocks[line.Block], page.Height) { Row = rows[i], Recognized = true };
            }
        }
    }

    /// <summary>
    /// The lines in Tesseract's order, except that nothing is read before a unit lying wholly above it in the same stretch
    /// across the page. Tesseract sometimes reads a table, and lines it took into the table's blocks, before the paragraph
    /// wrapped beside a picture above them. Units: each of Tesseract's blocks; a region of blocks joined by
    /// <see cref="TableBlocks"/> over the rows its blocks share, and each run of its other rows (a paragraph a table's
    /// column block ran on into) on its own. Units side by side (two columns) keep Tesseract's order.
    /// </summary>
    private static List<int> ReadingOrder(IReadOnlyList<OcrLine> lines, IReadOnlyDictionary<int, int> blocks, int[] rows)
    {
        var units = new List<List<int>>();
        foreach (var group in Enumerable.Range(0, lines.Count).GroupBy(i => blocks[lines[i].Block]))
        {
            var members = group.ToList();
            if (members.Select(i => lines[i].Block).Distinct().Count() == 1)
            {
                units.Add(members);
                continue;
            }

            var shared = members.GroupBy(i => rows[i]).Where(r => r.Count() > 1).Select(r => r.Key).ToList();
            var (first, last) = shared.Count == 0 ? (int.MaxValue, int.MinValue) : (shared.Min(), shared.Max());
            units.Add([.. members.Where(i => rows[i] >= first && rows[i] <= last)]);
            foreach (var run in Runs(members.Where(i => rows[i] < first || rows[i] > last).OrderBy(i => rows[i]).ToList(), rows))
            {
                units.Add(run);
            }
        }

        units.RemoveAll(u => u.Count == 0);
        units.Sort((a, b) => a.Min().CompareTo(b.Min()));
        var boxes = units.Select(u => u.Select(i => lines[i].LayoutBox).Aggregate((a, b) => a.Union(b))).ToList();
        // How many unread units lie wholly above each unit, in the same stretch across the page.
        var aboveOf = new List<int>[units.Count];
        var waiting = new int[units.Count];
        for (var a = 0; a < units.Count; a++)
        {
            aboveOf[a] = [];
            for (var b = 0; b < units.Count; b++)
            {
                var (x, y) = (boxes[a], boxes[b]);
                if (a != b && x.Bottom >= y.Top - 1 && Math.Min(x.Right, y.Right) - Math.Max(x.Left, y.Left) > 0.5 * Math.Min(x.Width, y.Width))
                {
                    aboveOf[a].Add(b);
                    waiting[b]++;
                }
            }
        }

        var order = new List<int>(lines.Count);
        var done = new bool[units.Count];
        for (var n = 0; n < units.Count; n++)
        {
            // The first unit in Tesseract's order with nothing left unread above it (or, should flat boxes make two units
            // each "above" the other, the first one unread).
            var free = Enumerable.Range(0, units.Count).Where(u => !done[u]).ToList();
            var next = free.FirstOrDefault(u => waiting[u] == 0, free[0]);
            done[next] = true;
            order.AddRange(units[next]);
            foreach (var b in aboveOf[next])
            {
                waiting[b]--;
            }
        }

        return order;
    }

    /// <summary>Lines split where their rows stop following each other.</summary>
    private static IEnumerable<List<int>> Runs(List<int> sorted, int[] rows)
    {
        var run = new List<int>();
        foreach (var i in sorted)
        {
            if (run.Count > 0 && rows[i] > rows[run[^1]] + 1)
            {
                yield return run;
                run = [];
            }

            run.Add(i);
        }

        if (run.Count > 0)
        {
            yield return run;
        }
    }

    /// <summary>Pieces of one row closer than this many font sizes are one line (a word space, even a justified one, is narrower).</summary>
    private const double SplitLineGap = 0.6;

    /// <summary>
    /// Tesseract's page segmentation sometimes cuts lines into "columns" at a river of word spaces that
    /// happen to line up (the same phrase at the same place on every line). Pieces on one baseline that are
    /// only a word space apart are put back together, in the place of the first; a real gutter is wider.
    /// </summary>
    private static List<OcrLine> JoinSplitLines(IReadOnlyList<OcrLine> lines)
    {
        var rows = RowNumbers(lines);
        var joined = new OcrLine?[lines.Count];
        for (var i = 0; i < lines.Count; i++)
        {
            joined[i] = lines[i];
        }

        foreach (var row in Enumerable.Range(0, lines.Count).GroupBy(i => rows[i]).Where(g => g.Count() > 1))
        {
            var pieces = row.OrderBy(i => lines[i].LayoutBox.Left).ToList();
            var head = pieces[0];
            for (var k = 1; k < pieces.Count; k++)
            {
                var (left, right) = (joined[head]!, lines[pieces[k]]);
                var size = Math.Max(left.FontSize, right.FontSize);
                var gap = right.LayoutBox.Left - left.LayoutBox.Right;
                if (gap >= -0.5 * size && gap <= SplitLineGap * size)
                {
                    // The joined line takes the place of whichever piece Tesseract read first.
                    var (first, second) = head < pieces[k] ? (head, pieces[k]) : (pieces[k], head);
                    joined[first] = Join(left, right);
                    joined[second] = null;
                    head = first;
                }
                else
                {
                    head = pieces[k];
                }
            }
        }

        return joined.Where(l => l is not null).Select(l => l!).ToList();
    }

    private static OcrLine Join(OcrLine left, OcrLine right)
    {
        double weight = left.Text.Length + right.Text.Length;
        return left with
        {
            Text = left.Text + " " + right.Text,
            Box = left.Box.Union(right.Box),
            LayoutBox = left.LayoutBox.Union(right.LayoutBox),
            Words = [.. left.Words, .. right.Words],
            Block = Math.Min(left.Block, right.Block),
            Confidence = weight == 0 ? left.Confidence : (left.Confidence * left.Text.Length + right.Confidence * right.Text.Length) / weight,
        };
    }

    /// <summary>Text this wide (in Latin columns) is prose; table cells are shorter.</summary>
    private const int MaxCellColumns = 45;

    /// <summary>
    /// Tesseract often reads each column of a table as a block of its own. Blocks whose short lines sit on
    /// the same rows as each other's are one region (a table's columns), so the table detector sees whole
    /// rows; blocks of prose side by side (two text columns) stay apart.
    /// </summary>
    private static Dictionary<int, int> TableBlocks(IReadOnlyList<OcrLine> lines, int[] rows, List<List<(string Text, BoundingBox Box)>> fragments)
    {
        var parent = lines.Select(l => l.Block).Distinct().ToDictionary(b => b, b => b);
        int Find(int b) => parent[b] == b ? b : parent[b] = Find(parent[b]);
        void Union(int a, int b)
        {
            (a, b) = (Find(a), Find(b));
            if (a != b)
            {
                parent[Math.Max(a, b)] = Math.Min(a, b);
            }
        }

        foreach (var row in Enumerable.Range(0, lines.Count).Where(i => TextWidth.Columns(lines[i].Text) <= MaxCellColumns).GroupBy(i => rows[i]))
        {
            foreach (var i in row.Skip(1))
            {
                Union(lines[row.First()].Block, lines[i].Block);
            }
        }

        // A table row Tesseract put in a block of its own (often the last) continues the rows of cells right above it.
        var cellRows = Enumerable.Range(0, lines.Count).Where(i => fragments[i].Count > 1).ToLookup(i => rows[i]);
        foreach (var row in cellRows)
        {
            foreach (var i in row)
            {
                foreach (var above in cellRows[rows[i] - 1])
                {
                    Union(lines[i].Block, lines[above].Block);
                }
            }
        }

        return parent.Keys.ToDictionary(b => b, Find);
    }

    /// <summary>A gap between two words of one OCR line wider than this many font sizes separates table cells.</summary>
    private const double FragmentGap = 1.5;

    private static IEnumerable<(string Text, BoundingBox Box)> Fragments(OcrLine line)
    {
        var words = line.Words.Where(w => !string.IsNullOrWhiteSpace(w.Text)).OrderBy(w => w.LayoutBox.Left).ToList();
        if (words.Count < 2)
        {
            yield return (line.Text, line.LayoutBox);
            yield break;
        }

        var start = 0;
        for (var i = 1; i <= words.Count; i++)
        {
            // A lone bullet keeps its item text even across a wide indent.
            if (i < words.Count && (words[i].LayoutBox.Left - words[i - 1].LayoutBox.Right <= FragmentGap * line.FontSize ||
                                    (i == start + 1 && PageLayout.IsBullet(words[start].Text))))
            {
                continue;
            }

            if (start == 0 && i == words.Count)
            {
                // One fragment: the line as Tesseract wrote it (its spacing and order), with the line's box.
                yield return (line.Text, line.LayoutBox);
                yield break;
            }

            var part = words.GetRange(start, i - start);
            var box = part.Select(w => w.LayoutBox).Aggregate((a, b) => a.Union(b));
            // The line's baseline is the fragment's bottom, as it is for whole lines.
            yield return (PictureNoise.Join(part), new BoundingBox(box.Left, line.LayoutBox.Bottom, box.Right, Math.Max(box.Top, line.LayoutBox.Bottom)));
            start = i;
        }
    }

    /// <summary>Row numbers top to bottom: lines whose baselines lie within a third of their size share one.</summary>
    private static int[] RowNumbers(IReadOnlyList<OcrLine> lines)
    {
        var rows = new int[lines.Count];
        var row = -1;
        double? baseline = null;
        foreach (var i in Enumerable.Range(0, lines.Count).OrderByDescending(i => lines[i].LayoutBox.Bottom))
        {
            var line = lines[i];
            if (baseline is not { } b || b - line.LayoutBox.Bottom > 0.35 * Math.Max(1, line.FontSize))
            {
                row++;
                baseline = line.LayoutBox.Bottom;
            }

            rows[i] = row;
        }

        return rows;
    }

    /// <summary>
    /// A page's lines as <see cref="MarkLowConfidence"/> needs them: without their words, which a long
    /// document need not hold to its end (each line's confidence is already its words' mean).
    /// </summary>
    public static IEnumerable<OcrLine> ForConfidence(OcrPage page) =>
        page.Lines.Select(l => l.Words.Count == 0 ? l : l with { Words = [] });

    /// <summary>
    /// Carries the boxes of blocks that start on a recognised page from that page's upright image
    /// (where the layout built them) to page coordinates. Blocks of pages not in
    /// <paramref name="toPage"/> (text pages) keep theirs.
    /// </summary>
    public static DocumentTree MapToPages(DocumentTree tree, IReadOnlyDictionary<int, PageTransform> toPage)
    {
        if (toPage.Count == 0 || toPage.Values.All(t => t.IsIdentity))
        {
            return tree;
        }

        var blocks = tree.Blocks.Select(block =>
            block.Box is { } box && toPage.TryGetValue(block.PageStart, out var transform) && !transform.IsIdentity
                ? block with { Box = transform.Map(box) }
                : block).ToArray();
        return tree with { Blocks = blocks };
    }

    /// <summary>
    /// Sets <see cref="DocumentBlock.Confidence"/> on blocks with OCR lines (those inside the block's box
    /// on its first page) to the mean confidence of their words, weighted by word length, and
    /// <see cref="DocumentBlock.LowConfidence"/> where that mean is under the threshold. Blocks without
    /// OCR lines (text pages) are left as they are.
    /// </summary>
    public static DocumentTree MarkLowConfidence(DocumentTree tree, IReadOnlyList<OcrLine> lines, double threshold)
    {
        if (lines.Count == 0)
        {
            return tree;
        }

        var byPage = lines.ToLookup(l => l.Page);
        var changed = false;
        var blocks = tree.Blocks.Select(block =>
        {
            if (block.Box is not { } box || !byPage.Contains(block.PageStart))
            {
                return block;
            }

            double sum = 0, weight = 0;
            foreach (var line in byPage[block.PageStart].Where(l => Inside(l.Box, box)))
            {
                // A line's confidence is already its words' mean weighted by length, and its words are
                // its letters less the spaces between them: weighting by letters keeps the block's mean
                // that of its words.
                var letters = line.Text.Count(c => !char.IsWhiteSpace(c));
                sum += line.Confidence * letters;
                weight += letters;
            }

            if (weight == 0)
            {
                return block;
            }

            changed = true;
            var mean = sum / weight;
            return block with { Confidence = Math.Round(mean, 1), LowConfidence = mean < threshold };
        }).ToArray();

        return changed ? tree with { Blocks = blocks } : tree;
    }

    private static bool Inside(BoundingBox inner, BoundingBox outer, double tolerance = 0.5) =>
        inner.Left >= outer.Left - tolerance && inner.Right <= outer.Right + tolerance &&
        inner.Bottom >= outer.Bottom - tolerance && inner.Top <= outer.Top + tolerance;
}

/// <summary>Decides whether a PDF page's text layer is worth keeping or the page should be recognised.</summary>
internal static class TextLayer
{
    /// <summary>Share of unreadable characters above which a text layer counts as garbage.</summary>
    private const double GarbageShare = 0.3;

    /// <summary>A page with a scan covering this share of it and little text is a scan with a stamp or page number on top.</summary>
    private const double ScanCoverage = 0.6;

    private const int StampCharacters = 40;

    /// <summary>
    /// True for a page with no text, with a text layer that is mostly replacement, control or
    /// private-use characters (a broken font encoding), or with a page-sized image and only a few
    /// words of text (a scan stamped with a page number or "CONFIDENTIAL").
    /// </summary>
    public static bool NeedsOcr(UglyToad.PdfPig.Content.Page page, IReadOnlyCollection<PdfLine> lines)
    {
        if (NeedsOcr(lines))
        {
            return true;
        }

        if (lines.Sum(l => l.Text.Count(c => !char.IsWhiteSpace(c))) >= StampCharacters)
        {
            return false;
        }

        try
        {
            var pageArea = page.Width * page.Height;
            return pageArea > 0 && page.GetImages().Any(i => Math.Abs(i.BoundingBox.Width * i.BoundingBox.Height) >= pageArea * ScanCoverage);
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            // An unreadable image leaves the text layer as it is.
            return false;
        }
    }

    /// <summary>No text at all, or text that is mostly replacement, control or private-use characters (a broken font encoding).</summary>
    public static bool NeedsOcr(IReadOnlyCollection<PdfLine> lines)
    {
        if (lines.Count == 0)
        {
            return true;
        }

        int total = 0, bad = 0;
        foreach (var line in lines)
        {
            foreach (var c in line.Text)
            {
                if (char.IsWhiteSpace(c))
                {
                    continue;
                }

                total++;
                if (c == '\uFFFD' || char.IsControl(c) || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.PrivateUse
                        or System.Globalization.UnicodeCategory.OtherNotAssigned or System.Globalization.UnicodeCategory.Surrogate)
                {
                    bad++;
                }
            }
        }

        return total == 0 || bad > total * GarbageShare;
    }
}
