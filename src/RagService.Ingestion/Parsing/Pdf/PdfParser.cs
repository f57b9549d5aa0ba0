using System.Globalization;
using System.Text.RegularExpressions;
using RagService.Core.Documents;
using RagService.Ingestion.Parsing.Ocr;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Exceptions;

namespace RagService.Ingestion.Parsing.Pdf;

// OpenXml's root namespace "DocumentFormat" would otherwise shadow the Core enum.
using DocumentFormat = RagService.Core.Documents.DocumentFormat;

/// <summary>
/// Text PDFs through PdfPig. Pages are read one at a time and reduced to lines at once, so only
/// lines (never every page's words and letters) are held for the whole document; the decisions
/// that need the whole document (body font size, running headers) are then made over those lines.
/// </summary>
public sealed class PdfParser(IPageOcr? ocr = null, double lowConfidenceThreshold = 60) : IDocumentParser
{
    public const string ScannedReason = "scanned PDF: OCR not available";

    /// <summary>A truncated upload loses the trailer; PdfPig's lenient mode would otherwise half-read it silently.</summary>
    private const int EndMarkerWindow = 2048;

    public bool CanParse(DocumentFormat format) => format == DocumentFormat.Pdf;

    public async Task<DocumentTree> ParseAsync(DocumentSource source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        EnsureComplete(source.FilePath);

        var lines = new List<PdfLine>();
        var grids = new List<RuledGrid>();
        IReadOnlyDictionary<string, int> outline;
        var ocrLines = new List<OcrLine>();
        // Pages laid out in a frame other than the page's (turned text, OCR's upright image): frame to page.
        var toPages = new Dictionary<int, PageTransform>();
        int pageCount;
        string? title;

        void Take(QueuedPage page)
        {
            lines.AddRange(page.Lines);
            if (page.Recognized is { } recognized)
            {
                ocrLines.AddRange(OcrLayout.ForConfidence(recognized));
                toPages[page.Number] = recognized.ToPage;
            }
        }

        try
        {
            // Scanned pages are recognised several at once while later pages' text layers are read;
            // pages come out of the queue in page order.
            await using var queue = new ScannedPageQueue(ocr, source.FilePath, cancellationToken);
            using var document = PdfDocument.Open(source.FilePath, new ParsingOptions
            {
                UseLenientParsing = true,
                SkipMissingFonts = true,
            });
            pageCount = document.NumberOfPages;
            if (pageCount == 0)
            {
                throw new DocumentRejectedException("PDF has no pages");
            }

            title = document.Information?.Title;
            outline = Outline.Read(document);
            for (var number = 1; number <= pageCount; number++)
            {
                queue.ThrowIfFailed();
                var page = document.GetPage(number);
                var pageGrids = RulingDetector.Find(page);
                var pageLines = PageLayout.Read(page, pageGrids, out var frame).ToList();
                // Scanned pages (no text layer) and broken font encodings go to OCR.
                if (ocr is not null && TextLayer.NeedsOcr(page, pageLines))
                {
                    await queue.AddScannedAsync(number).ConfigureAwait(false);
                }
                else
                {
                    if (!frame.IsPage)
                    {
                        // Text turned on the page is laid out in its reading frame, as OCR'd pages are in their
                        // upright image, and so are the grids its tables are read with.
                        toPages[number] = frame.ToPage;
                        pageGrids = [.. frame.Upright(pageGrids)];
                    }

                    grids.AddRange(pageGrids);
                    queue.AddText(number, pageLines);
                }

                foreach (var done in queue.TakeFinished())
                {
                    Take(done);
                }
            }

            await foreach (var done in queue.TakeAllAsync().ConfigureAwait(false))
            {
                Take(done);
            }
        }
        catch (PdfDocumentEncryptedException e)
        {
            throw new DocumentRejectedException("encrypted PDF: a password is required to open it", e);
        }
        catch (Exception e) when (e is not DocumentRejectedException and not OperationCanceledException and not OutOfMemoryException)
        {
            throw new DocumentRejectedException($"corrupt or truncated PDF: {e.Message}", e);
        }

        if (lines.Count == 0)
        {
            throw new DocumentRejectedException(ocr is null ? ScannedReason : "empty document: OCR found no text on any page");
        }

        // OCR'd pages were laid out in their upright images, turned text in its reading frame; their blocks' boxes go back to page coordinates.
        var tree = OcrLayout.MapToPages(AssembleTree(lines, pageCount, title, outline, grids), toPages);
        return OcrLayout.MarkLowConfidence(tree, ocrLines, lowConfidenceThreshold);
    }

    /// <summary>
    /// The layout steps shared by text and OCR'd pages: furniture removed, headings ranked over the
    /// whole document, lines assembled into paragraphs.
    /// </summary>
    internal static DocumentTree AssembleTree(IReadOnlyList<PdfLine> lines, int pageCount, string? title,
        IReadOnlyDictionary<string, int>? outline = null, IReadOnlyList<RuledGrid>? grids = null)
    {
        var content = PageFurniture.Remove(lines, pageCount);
        if (content.Count == 0)
        {
            throw new DocumentRejectedException("empty document");
        }

        // Ruled tables first: their rules say where cells are; alignment is the fallback for the lines left over.
        var gridsByPage = (grids ?? []).ToLookup(g => g.Page);
        var tables = new List<PdfTable>();
        foreach (var page in content.GroupBy(l => l.Page))
        {
            var ruled = PdfTableDetector.FindRuled(page.ToList(), gridsByPage[page.Key].ToList());
            var inRuled = ruled.SelectMany(t => t.Lines).ToHashSet();
            tables.AddRange(ruled);
            tables.AddRange(PdfTableDetector.Find(page.Where(l => !inRuled.Contains(l)).ToList()));
        }

        var tableOf = new Dictionary<PdfLine, PdfTable>();
        foreach (var table in tables)
        {
            foreach (var line in table.Lines)
            {
                tableOf.TryAdd(line, table);
            }
        }

        content = SectionNumbers.JoinToText(content, tableOf);
        var headings = HeadingClassifier.Create(content.Where(l => !tableOf.ContainsKey(l)).ToList(), outline,
            content.Where(tableOf.ContainsKey).ToList());
        var builder = new DocumentTreeBuilder();
        foreach (var paragraph in ParagraphAssembler.Assemble(content, headings, tableOf))
        {
            if (paragraph.Rows is { } rows)
            {
                builder.AddTable(rows, paragraph.PageStart, paragraph.PageEnd, paragraph.Box);
            }
            else
            {
                builder.Add(paragraph.Kind, paragraph.Text, paragraph.Level, paragraph.PageStart, paragraph.PageEnd, paragraph.Box);
            }
        }

        return builder.Build(string.IsNullOrWhiteSpace(title) ? null : title, pageCount);
    }

    /// <summary>One text line per layout line (page, row, block, font size, bold, box, text): a diagnostic for <c>rag parse --format lines</c>.</summary>
    public static IEnumerable<string> DescribeLines(string path)
    {
        using var document = PdfDocument.Open(path, new ParsingOptions { UseLenientParsing = true, SkipMissingFonts = true });
        for (var number = 1; number <= document.NumberOfPages; number++)
        {
            var page = document.GetPage(number);
            var grids = RulingDetector.Find(page);
            foreach (var grid in grids)
            {
                yield return FormattableString.Invariant($"p{number} grid {grid.Columns.Count - 1}x{grid.Rows.Count - 1} x=[{string.Join(" ", grid.Columns.Select(c => c.ToString("0", CultureInfo.InvariantCulture)))}] y=[{string.Join(" ", grid.Rows.Select(c => c.ToString("0", CultureInfo.InvariantCulture)))}]");
            }

            var pageLines = PageLayout.Read(page, grids, out var frame);
            if (!frame.IsPage)
            {
                var toPage = frame.ToPage;
                // Boxes below are in the turned frame the page's text reads in.
                yield return FormattableString.Invariant($"p{number} turned text, boxes in its reading frame; frame to page [{toPage.A:0.###} {toPage.B:0.###} {toPage.C:0.###} {toPage.D:0.###} {toPage.E:0.#} {toPage.F:0.#}]");
            }

            foreach (var l in pageLines)
            {
                yield return FormattableString.Invariant($"p{l.Page} r{l.Row} b{l.Block} {l.FontSize:0.#}{(l.Bold ? "B" : string.Empty)}{(l.Italic ? "I" : string.Empty)} {l.Font} x{l.Box.Left:0}-{l.Box.Right:0} y{l.Box.Bottom:0} c{l.Color} | {l.Text}");
            }
        }
    }

    private static void EnsureComplete(string path)
    {
        using var stream = File.OpenRead(path);
        if (stream.Length == 0)
        {
            throw new DocumentRejectedException("empty document");
        }

        var tail = new byte[(int)Math.Min(EndMarkerWindow, stream.Length)];
        stream.Seek(-tail.Length, SeekOrigin.End);
        stream.ReadExactly(tail);
        if (tail.AsSpan().IndexOf("%%EOF"u8) < 0)
        {
            throw new DocumentRejectedException("corrupt or truncated PDF: the end-of-file marker is missing");
        }
    }
}

/// <summary>
/// One text line (or line fragment: a table cell, one column's part of a row) of a page. <see cref="Box"/>
/// and <see cref="PageHeight"/> are in the frame the page was laid out in: the page as PdfPig gives it,
/// the reading frame of text turned on it (<see cref="ReadingFrame"/>), or OCR's upright image; the
/// blocks built from them are carried back to page coordinates.
/// </summary>
internal sealed record PdfLine(int Page, string Text, BoundingBox Box, double FontSize, bool Bold, int Block, double PageHeight)
{
    /// <summary>Fragments on one baseline share a row number within their page.</summary>
    public int Row { get; init; }

    /// <summary>The font family most of the line is set in ("Helvetica" for "ABCDEF+Helvetica-Bold"); empty when unknown (OCR).</summary>
    public string Font { get; init; } = string.Empty;

    /// <summary>Most of the line is set in an italic or oblique font.</summary>
    public bool Italic { get; init; }

    /// <summary>The fill colour most of the line is drawn in, "r,g,b" rounded to tenths; empty when unknown (OCR).</summary>
    public string Color { get; init; } = string.Empty;
}

/// <summary>The PDF outline (bookmarks): heading titles with their depth, authoritative when a document has one.</summary>
internal static class Outline
{
    public static IReadOnlyDictionary<string, int> Read(PdfDocument document)
    {
        var levels = new Dictionary<string, int>(StringComparer.Ordinal);
        try
        {
            if (document.TryGetBookmarks(out var bookmarks))
            {
                Visit(bookmarks.Roots, 1, levels);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A broken outline is no reason to lose the document: headings then come from typography alone.
        }

        return levels;
    }

    public static string Key(string text) => new(text.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());

    private static void Visit(IEnumerable<UglyToad.PdfPig.Outline.BookmarkNode> nodes, int level, Dictionary<string, int> levels)
    {
        foreach (var node in nodes)
        {
            var key = Key(node.Title ?? string.Empty);
            if (key.Length > 0)
            {
                levels.TryAdd(key, Math.Min(level, 6));
            }

            Visit(node.Children, level + 1, levels);
        }
    }
}

/// <summary>
/// Drops running headers/footers and bare page numbers: text that repeats on every page adds
/// nothing to any chunk and would make all chunks of a document look alike to the retriever.
/// </summary>
internal static partial class PageFurniture
{
    /// <summary>Furniture lives in the outer band of the page; body text in the middle is never dropped.</summary>
    private const double MarginBand = 0.15;

    /// <summary>Only the outermost rows of a page can be furniture: a heading that happens to sit at the same height on every page is not.</summary>
    private const int OuterRows = 2;

    public static List<PdfLine> Remove(IReadOnlyList<PdfLine> lines, int pageCount)
    {
        var outer = lines.GroupBy(l => l.Page).SelectMany(OutermostRows).ToHashSet();
        var candidates = lines.Where(l => outer.Contains(l)).ToList();
        var repeated = RepeatedKeys(candidates, pageCount);
        var drop = new HashSet<PdfLine>();
        foreach (var page in lines.GroupBy(l => l.Page))
        {
            var numbers = page.Where(l => outer.Contains(l) && PageNumber().IsMatch(l.Text)).ToList();
            var running = page.Where(l => outer.Contains(l) && !PageNumber().IsMatch(l.Text) && (repeated.Contains(Key(l)) || BesidePageNumber(l, page, numbers))).ToList();
            drop.UnionWith(numbers);
            // A running header frames a page's body; text that repeats at the same place on every page and is
            // most of the page (the same notice or form on each page, a scanned handout photocopied four
            // times) is the content itself, so it stays.
            var body = page.Where(l => !numbers.Contains(l) && !running.Contains(l)).Sum(l => l.Text.Length);
            if (body >= running.Sum(l => l.Text.Length))
            {
                drop.UnionWith(running);
            }
        }

        return lines.Where(l => !drop.Contains(l)).ToList();
    }

    /// <summary>
    /// Text on the page's very first or last baseline beside its page number ("Optimized Table Tokenization … 9",
    /// "208 Global Study on Legal Aid") is a running header or footer even on a single page, where repetition
    /// cannot show it: a short line in the page number's type, on a row of at most four pieces.
    /// </summary>
    private static bool BesidePageNumber(PdfLine line, IEnumerable<PdfLine> page, List<PdfLine> numbers)
    {
        var row = page.Where(l => Math.Abs(l.Box.Bottom - line.Box.Bottom) <= 2).ToList();
        var number = numbers.FirstOrDefault(n => row.Contains(n) && n.Text.Count(char.IsDigit) <= 3);
        if (number is null || row.Count > 4 || line.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length > 15 ||
            line.FontSize > number.FontSize * 1.25)
        {
            return false;
        }

        var outermost = page.Where(InMargin).Select(l => l.Box.Bottom).ToList();
        return line.Box.Bottom >= outermost.Max() - 2 || line.Box.Bottom <= outermost.Min() + 2;
    }

    /// <summary>A page number alone on its line, in any of the forms <see cref="PageNumber"/> knows.</summary>
    internal static bool IsPageNumber(string text) => PageNumber().IsMatch(text);

    private static IEnumerable<PdfLine> OutermostRows(IEnumerable<PdfLine> page)
    {
        var marginal = page.Where(InMargin).ToList();
        var top = marginal.Where(l => l.Box.Bottom > l.PageHeight / 2).Select(l => Math.Round(l.Box.Bottom)).Distinct().OrderDescending().Take(OuterRows).ToHashSet();
        var bottom = marginal.Where(l => l.Box.Bottom <= l.PageHeight / 2).Select(l => Math.Round(l.Box.Bottom)).Distinct().Order().Take(OuterRows).ToHashSet();
        return marginal.Where(l => top.Contains(Math.Round(l.Box.Bottom)) || bottom.Contains(Math.Round(l.Box.Bottom)));
    }

    private static HashSet<(string, int)> RepeatedKeys(IReadOnlyList<PdfLine> lines, int pageCount)
    {
        if (pageCount < 2)
        {
            return [];
        }

        // "Most pages": at least 60%, and at least two.
        var needed = Math.Max(2, (int)Math.Ceiling(pageCount * 0.6));
        return lines.Where(InMargin)
            .GroupBy(Key)
            .Where(g => g.Select(l => l.Page).Distinct().Count() >= needed)
            .Select(g => g.Key)
            .ToHashSet();
    }

    private static bool InMargin(PdfLine line) =>
        line.Box.Bottom > line.PageHeight * (1 - MarginBand) || line.Box.Top < line.PageHeight * MarginBand;

    /// <summary>Digits are masked so "Page 3 of 9" headers match across pages; y is bucketed to absorb jitter.</summary>
    private static (string, int) Key(PdfLine line) =>
        (Digits().Replace(line.Text.Trim().ToLowerInvariant(), "#"), (int)Math.Round(line.Box.Bottom / 4));

    /// <summary>"3", "- 3 -", "Page 3 of 9", "Seite 3 von 9", "第 3 页 共 9 页", "共9页 第3页", and front-matter roman numerals ("iii", "xiv").</summary>
    [GeneratedRegex(@"^\s*(?:(?:(?:page|p\.|seite)\s*)?[-–—(\[]?\s*\d{1,4}\s*[-–—)\]]?(?:\s*(?:/|of|von)\s*\d{1,4})?|[ivxlc]{1,7}|(?:共\s*\d{1,4}\s*页\s*[,，]?\s*)?第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex PageNumber();

    [GeneratedRegex(@"\d+")]
    private static partial Regex Digits();
}

/// <summary>
/// Decides which lines are headings. The PDF outline, when there is one, names headings and their depth.
/// Otherwise levels come from the distinct font sizes larger than the dominant body size, ranked once for
/// the whole document so "the 16 pt headings" are the same level on page 1 and page 40; a short, wholly
/// bold body-size line (in a document whose body is not bold) is a heading one level below the sized ones,
/// and numbering ("2.1", "Chapter 3", "第三章") sets the depth where sizes cannot.
/// </summary>
internal sealed partial class HeadingClassifier
{
    private const double LargerRatio = 1.1;
    private const int MaxHeadingWords = 20;
    private const int MaxBoldHeadingWords = 14;
    private const double NumberedLargerPoints = 0.9;
    private const int MaxItalicHeadingWords = 8;
    private const int MaxFormHeadingWords = 10;

    private readonly double _bodySize;
    private readonly bool _bodyBold;
    private readonly List<double> _headingSizes;
    private readonly IReadOnlyDictionary<string, int> _outline;
    private int? _numberingOffset;

    private bool _bodyItalic;
    private string _bodyFont = string.Empty;
    private string _bodyColor = string.Empty;

    /// <summary>Tables hold most of the text (a form, a data sheet): the short lines standing between them are its titles.</summary>
    private bool _mostlyTables;

    private HeadingClassifier(double bodySize, bool bodyBold, List<double> headingSizes, IReadOnlyDictionary<string, int> outline)
    {
        _bodySize = bodySize;
        _bodyBold = bodyBold;
        _headingSizes = headingSizes;
        _outline = outline;
    }

    /// <param name="lines">The lines that may be headings (those outside tables).</param>
    /// <param name="outline">Heading levels by <see cref="Outline.Key"/>, from the PDF's bookmarks.</param>
    /// <param name="tableLines">The lines inside tables, if any.</param>
    public static HeadingClassifier Create(IReadOnlyList<PdfLine> lines, IReadOnlyDictionary<string, int>? outline = null, IReadOnlyList<PdfLine>? tableLines = null)
    {
        // The body size is the one most characters are set in, outside tables, unless tables hold most of the
        // text (a form whose labels and values are all cells): then the cells are the body too, and the few
        // lines around them head it.
        tableLines ??= [];
        var mostlyTables = lines.Sum(l => l.Text.Length) * 2 < tableLines.Sum(l => l.Text.Length);
        IReadOnlyList<PdfLine> bodySample = mostlyTables ? [.. lines, .. tableLines] : lines;
        var body = bodySample.Count == 0 ? 10 : bodySample.GroupBy(l => l.FontSize).MaxBy(g => g.Sum(l => l.Text.Length))!.Key;
        var bodyLines = bodySample.Where(l => Math.Abs(l.FontSize - body) < 0.5).ToList();
        var bodyBold = bodyLines.Sum(l => l.Bold ? l.Text.Length : 0) * 2 > bodyLines.Sum(l => l.Text.Length);
        var sizes = new List<double>();
        foreach (var size in lines.Where(l => l.FontSize >= body * LargerRatio && IsShort(l.Text, MaxHeadingWords) && l.Text.Any(char.IsLetter))
                     .Select(l => l.FontSize).Distinct().OrderDescending())
        {
            // Sizes within a point of each other are one level (rounding, optical sizing).
            if (sizes.Count == 0 || sizes[^1] - size > 1.0)
            {
                sizes.Add(size);
            }
        }

        var classifier = new HeadingClassifier(body, bodyBold, sizes, outline ?? new Dictionary<string, int>())
        {
            _bodyItalic = bodyLines.Sum(l => l.Italic ? l.Text.Length : 0) * 2 > bodyLines.Sum(l => l.Text.Length),
            _bodyFont = bodyLines.Count == 0 ? string.Empty : bodyLines.GroupBy(l => l.Font).MaxBy(g => g.Sum(l => l.Text.Length))!.Key,
            _bodyColor = bodyLines.Count == 0 ? string.Empty : bodyLines.GroupBy(l => l.Color).MaxBy(g => g.Sum(l => l.Text.Length))!.Key,
            _mostlyTables = mostlyTables,
        };
        // How numbering depth maps to level among the size-based headings ("3 Backup" is level 2 under a
        // level-1 title): bold body-size numbered headings ("3.1 Offsite") then continue that mapping.
        classifier._numberingOffset = lines
            .Where(l => l.FontSize >= body * LargerRatio && NumberingDepth(l.Text) is not null)
            .Select(l => classifier.LevelOf(l) - NumberingDepth(l.Text))
            .Where(o => o is not null)
            .GroupBy(o => o!.Value)
            .MaxBy(g => g.Count())?.Key;
        return classifier;
    }

    /// <summary>The size most body characters are set in.</summary>
    public double BodySize => _bodySize;

    /// <summary>The heading level (1 = top) or null for body text.</summary>
    public int? LevelOf(PdfLine line)
    {
        if (!IsShort(line.Text, MaxHeadingWords) || !line.Text.Any(char.IsLetter) || NeverHeading().IsMatch(line.Text))
        {
            return null;
        }

        // A bookmark names a heading, but the same words set smaller than the body in regular weight are a
        // running header or a reference to it (a paper's title above every page), not the heading itself.
        if (_outline.Count > 0 && _outline.TryGetValue(Outline.Key(line.Text), out var outlined) &&
            (line.Bold || line.FontSize >= _bodySize - 0.5))
        {
            return outlined;
        }

        // A numbered line even a point larger than the body is a heading ("(1) Scope" at 12.5 pt over 11.5 pt text).
        var larger = line.FontSize >= _bodySize * LargerRatio ||
            (line.FontSize >= _bodySize + NumberedLargerPoints && (NumberingDepth(line.Text) is not null || ParenthesisNumbered().IsMatch(line.Text)) &&
             IsShort(line.Text, MaxBoldHeadingWords));
        // A larger italic line in sentence case ("Expert help to achieve your business requirements") is a tagline or a quotation.
        if (larger && line.Italic && !line.Bold && !TitleCase(line.Text) && !IsShort(line.Text, 4))
        {
            return null;
        }

        if (larger)
        {
            var rank = _headingSizes.FindIndex(s => s - line.FontSize <= 1.0);
            var level = rank < 0 ? _headingSizes.Count : rank + 1;
            // With a single heading size, numbering is the only signal of depth ("2" vs "2.1").
            if (_headingSizes.Count == 1 && NumberingDepth(line.Text) is { } depth)
            {
                level = depth;
            }

            return Math.Clamp(level, 1, 6);
        }

        var bodySized = Math.Abs(line.FontSize - _bodySize) <= 1.0;
        // Numbered and set apart by weight, or by typeface (a 黑体 heading over 宋体 text, Helvetica over Times).
        var setApart = line.Bold || (_bodyFont.Length > 0 && line.Font.Length > 0 && line.Font != _bodyFont && !Monospaced().IsMatch(line.Font) &&
                                     !SentenceLike().IsMatch(line.Text));
        if (setApart && bodySized && NumberingDepth(line.Text) is { } numbered && IsShort(line.Text, MaxBoldHeadingWords) && !line.Text.TrimEnd().EndsWith('?'))
        {
            var level = _numberingOffset is { } offset ? numbered + offset : _headingSizes.Count + numbered;
            return Math.Clamp(level, 1, 6);
        }

        // Set apart by colour alone: Word's default Heading 3 is 12 pt, not bold, in the accent colour over 11 pt
        // black text, so a PDF exported from Word shows its third level only by colour.
        var coloured = _bodyColor.Length > 0 && line.Color.Length > 0 && line.Color != _bodyColor && !line.Italic &&
                       line.Text.Length > 0 && (char.IsUpper(line.Text[0]) || char.IsDigit(line.Text[0]) || !char.IsLetter(line.Text[0]));
        if ((line.Bold || coloured) && !_bodyBold && bodySized && IsShort(line.Text, MaxBoldHeadingWords) && !SentenceLike().IsMatch(line.Text))
        {
            return Math.Clamp(_headingSizes.Count + 1, 1, 6);
        }

        // In a document that is mostly tables, a short line outside them in the body's type or stronger
        // ("3- Admission", "Section B: Applicant") titles the table below it.
        if (_mostlyTables && (line.Bold || line.FontSize >= _bodySize - 0.5) && IsShort(line.Text, MaxFormHeadingWords) && !SentenceLike().IsMatch(line.Text))
        {
            return Math.Clamp(_headingSizes.Count + 1, 1, 6);
        }

        // A short italic line in Title Case on its own ("Elastic Stop Nut") heads the paragraphs below it,
        // one level under the bold ones; an italic sentence or caption is emphasis.
        if (line.Italic && !line.Bold && !_bodyItalic && bodySized && IsShort(line.Text, MaxItalicHeadingWords) &&
            !SentenceLike().IsMatch(line.Text) && TitleCase(line.Text))
        {
            return Math.Clamp(_headingSizes.Count + 2, 1, 6);
        }

        return null;
    }

    /// <summary>Every word of four letters or more starts with a capital (short function words may not).</summary>
    private static bool TitleCase(string text)
    {
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(w => w.Count(char.IsLetter) >= 4).ToList();
        return words.Count > 0 && words.All(w => char.IsUpper(w.First(char.IsLetter)));
    }

    private static bool IsShort(string text, int words) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length <= words;

    /// <summary>"3" or "3." → 1, "2.1" → 2, "Chapter 3" / "第三章" / "一、" → 1, "（一）" → 2; null when the line is not numbered.</summary>
    public static int? NumberingDepth(string text)
    {
        var match = Numbered().Match(text);
        if (!match.Success)
        {
            return null;
        }

        // Chinese documents number chapters "一、" and the sections under them "（一）".
        return match.Groups["num"].Success ? match.Groups["num"].Value.TrimEnd('.').Split('.').Length
            : match.Groups["cn2"].Success ? 2
            : 1;
    }

    [GeneratedRegex(@"^(?:(?<num>\d{1,2}(?:\.\d{1,2}){0,4}\.?)\s+\p{L}|(?:chapter|section|part|appendix|kapitel)\s+[\dA-Z]+[.:]?\s+\p{L}|第[一二三四五六七八九十百\d]+[章节部分篇]|(?<cn1>[一二三四五六七八九十]{1,3}、)\s*\p{L}|(?<cn2>[（(][一二三四五六七八九十]{1,3}[）)])\s*\p{L})", RegexOptions.IgnoreCase)]
    private static partial Regex Numbered();

    /// <summary>
    /// Caption labels ("Table 2-2", "Figure 3.1:", "图 2", "[표 1]"), web or mail addresses and code ("CREATE PERMISSION &lt;name&gt;",
    /// "x = f(y);") are set large or bold without being headings.
    /// </summary>
    [GeneratedRegex(@"[<>{}=;]|^\s*[\[(（【]?\s*(?:(?:table|figure|fig\.|chart|exhibit)\s+\d[\d.\-–]*(?:\s|:|\]|$)|[图表図]\s*\d|(?:표|그림)\s*\d|\S+\.(?:com|org|net|gov|edu)(?:/\S*)?\s*$|\S+@\S+\s*$|(?:https?://|www\.)\S+\s*$)", RegexOptions.IgnoreCase)]
    private static partial Regex NeverHeading();

    /// <summary>Code typefaces: a numbered line set in them is a listing, not a heading.</summary>
    [GeneratedRegex(@"courier|mono|consol|menlo|code|^cmtt|^sftt", RegexOptions.IgnoreCase)]
    internal static partial Regex Monospaced();

    [GeneratedRegex(@"^\(\d{1,2}\)\s*[^\s\d]")]
    private static partial Regex ParenthesisNumbered();

    /// <summary>Ends like a sentence (a bold sentence inside body text is emphasis, not a heading).</summary>
    [GeneratedRegex(@"[.,;!?。，；！？]\s*$")]
    private static partial Regex SentenceLike();
}

/// <summary>A paragraph, heading or list item assembled from lines.</summary>
internal sealed record AssembledBlock(BlockKind Kind, string Text, int Level, int PageStart, int PageEnd, BoundingBox Box)
{
    /// <summary>Table cells, for table blocks.</summary>
    public IReadOnlyList<IReadOnlyList<string>>? Rows { get; init; }
}

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
            // A "heading" that runs on for more than a few lines, or to a question or a long sentence, is
            // emphasised body text (a bold survey question, a list of names on a cover), not a heading.
            if (currentLevel is not null && (current.Count > MaxHeadingLines || HeadingCannotEnd().IsMatch(text) ||
                text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length > MaxHeadingWords))
            {
                currentLevel = null;
            }

            // The same heading twice on one page (a masthead repeating the title beside it) heads the page once.
            if (currentLevel is not null && result.Any(b => b.Kind == BlockKind.Heading && b.PageEnd == current[0].Page && Outline.Key(b.Text) == Outline.Key(text)))
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
                || (line.Block != previousLine.Block && Math.Abs(previousLine.Box.Left - line.Box.Left) > 2 * line.FontSize)
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

    /// <summary>
    /// A table that ends one page and one that starts the next with the same columns are one table cut
    /// by the page break; a repeated header row on the second page is dropped.
    /// </summary>
    private static void AddTable(List<AssembledBlock> result, PdfTable table)
    {
        var block = new AssembledBlock(BlockKind.Table, string.Empty, 0, table.Page, table.Page, table.Box) { Rows = table.Rows };
        if (result.Count > 0 && result[^1] is { Rows: { } previousRows } previous &&
            previous.PageEnd + 1 == table.Page && previousRows[0].Count == table.Rows[0].Count)
        {
            var continued = table.Rows.SkipWhile((r, i) => i == 0 && r.SequenceEqual(previousRows[0]));
            result[^1] = previous with { PageEnd = table.Page, Rows = previousRows.Concat(continued).ToList() };
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

    [GeneratedRegex(@"^\s*(?:[•●▪■◦‣∙·\-–*]|\(?\d{1,2}[.)]|\(?[a-z][.)])\s+")]
    private static partial Regex Bullet();
}
