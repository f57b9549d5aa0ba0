using System.Text.RegularExpressions;
using RagService.Core.Documents;
using RagService.Ingestion.Parsing.Ocr;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.DocumentLayoutAnalysis;
using UglyToad.PdfPig.DocumentLayoutAnalysis.PageSegmenter;
using UglyToad.PdfPig.DocumentLayoutAnalysis.ReadingOrderDetector;
using UglyToad.PdfPig.DocumentLayoutAnalysis.WordExtractor;
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

    public Task<DocumentTree> ParseAsync(DocumentSource source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        EnsureComplete(source.FilePath);

        List<PdfLine> lines;
        var ocrLines = new List<OcrLine>();
        int pageCount;
        string? title;
        try
        {
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
            lines = new List<PdfLine>();
            for (var number = 1; number <= pageCount; number++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var page = document.GetPage(number);
                var pageLines = PageLines.Read(page).ToList();
                // Scanned pages (no text layer) and broken font encodings go to OCR, one page at a time.
                if (ocr is not null && TextLayer.NeedsOcr(page, pageLines))
                {
                    var recognized = ocr.RecognizePdfPage(source.FilePath, number, cancellationToken);
                    ocrLines.AddRange(recognized.Lines);
                    pageLines = OcrLayout.ToPdfLines(recognized).ToList();
                }

                lines.AddRange(pageLines);
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

        var tree = AssembleTree(lines, pageCount, title);
        return Task.FromResult(OcrLayout.MarkLowConfidence(tree, ocrLines, lowConfidenceThreshold));
    }

    /// <summary>
    /// The layout steps shared by text and OCR'd pages: furniture removed, headings ranked over the
    /// whole document, lines assembled into paragraphs.
    /// </summary>
    internal static DocumentTree AssembleTree(IReadOnlyList<PdfLine> lines, int pageCount, string? title)
    {
        var content = PageFurniture.Remove(lines, pageCount);
        if (content.Count == 0)
        {
            throw new DocumentRejectedException("empty document");
        }

        var headings = HeadingClassifier.Create(content);
        var builder = new DocumentTreeBuilder();
        foreach (var paragraph in ParagraphAssembler.Assemble(content, headings))
        {
            builder.Add(paragraph.Kind, paragraph.Text, paragraph.Level, paragraph.PageStart, paragraph.PageEnd, paragraph.Box);
        }

        return builder.Build(string.IsNullOrWhiteSpace(title) ? null : title, pageCount);
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

/// <summary>One text line of a page, with the typography the heading and furniture decisions need.</summary>
internal sealed record PdfLine(int Page, string Text, BoundingBox Box, double FontSize, bool Bold, int Block, double PageHeight);

/// <summary>Reduces one page to lines in reading order using PdfPig's layout analysis.</summary>
internal static class PageLines
{
    public static IEnumerable<PdfLine> Read(Page page)
    {
        // Whitespace-only "words" (LibreOffice emits them) would glue unrelated lines together.
        var words = NearestNeighbourWordExtractor.Instance.GetWords(page.Letters)
            .Where(w => !string.IsNullOrWhiteSpace(w.Text))
            .ToList();
        if (words.Count == 0)
        {
            return [];
        }

        var lines = new List<PdfLine>();
        var ordered = Segment(words);
        for (var b = 0; b < ordered.Count; b++)
        {
            foreach (var line in ordered[b])
            {
                var letters = line.Words.SelectMany(w => w.Letters).Where(l => !string.IsNullOrWhiteSpace(l.Value)).ToList();
                if (letters.Count == 0)
                {
                    continue;
                }

                var size = letters.GroupBy(l => Math.Round(l.PointSize * 2) / 2).MaxBy(g => g.Count())!.Key;
                var bold = letters.Count(IsBold) * 2 > letters.Count;
                var r = line.BoundingBox;
                lines.Add(new PdfLine(page.Number, string.Join(' ', line.Words.Select(w => w.Text)),
                    new BoundingBox(r.Left, r.Bottom, r.Right, r.Top), size, bold, b, page.Height));
            }
        }

        return lines;
    }

    /// <summary>
    /// Blocks of lines in reading order: Docstrum finds columns and blocks, the unsupervised detector
    /// orders them. Layout analysis can fail on odd pages (a lone word, degenerate geometry); the page
    /// then falls back to plain top-to-bottom lines rather than rejecting a whole document.
    /// </summary>
    private static List<IReadOnlyList<TextLine>> Segment(List<Word> words)
    {
        try
        {
            var blocks = DocstrumBoundingBoxes.Instance.GetBlocks(words);
            return UnsupervisedReadingOrderDetector.Instance.Get(blocks)
                .OrderBy(b => b.ReadingOrder)
                .Select(b => b.TextLines)
                .ToList();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IndexOutOfRangeException or NullReferenceException)
        {
            var lines = words
                .GroupBy(w => Math.Round(w.BoundingBox.Bottom))
                .OrderByDescending(g => g.Key)
                .Select(g => new TextLine(g.OrderBy(w => w.BoundingBox.Left).ToList()))
                .ToList();
            return [lines];
        }
    }

    private static bool IsBold(Letter letter) =>
        letter.FontDetails?.IsBold == true ||
        (letter.FontDetails?.Name?.Contains("Bold", StringComparison.OrdinalIgnoreCase) ?? false) ||
        (letter.FontName?.Contains("Bold", StringComparison.OrdinalIgnoreCase) ?? false);
}

/// <summary>
/// Drops running headers/footers and bare page numbers: text that repeats on every page adds
/// nothing to any chunk and would make all chunks of a document look alike to the retriever.
/// </summary>
internal static partial class PageFurniture
{
    /// <summary>Furniture lives in the outer band of the page; body text in the middle is never dropped.</summary>
    private const double MarginBand = 0.15;

    public static List<PdfLine> Remove(IReadOnlyList<PdfLine> lines, int pageCount)
    {
        var repeated = RepeatedKeys(lines, pageCount);
        return lines.Where(l => !(InMargin(l) && (PageNumber().IsMatch(l.Text) || repeated.Contains(Key(l))))).ToList();
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

    [GeneratedRegex(@"^\s*(?:(?:page|p\.|seite)\s*)?[-–—(\[]?\s*\d{1,4}\s*[-–—)\]]?(?:\s*(?:/|of|von)\s*\d{1,4})?\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex PageNumber();

    [GeneratedRegex(@"\d+")]
    private static partial Regex Digits();
}

/// <summary>
/// Decides which lines are headings. Levels come from the distinct font sizes larger than the
/// dominant body size, ranked once for the whole document so "the 16 pt headings" are the same
/// level on page 1 and page 40. Bold body-size lines count only when numbered ("2.1 Scope").
/// </summary>
internal sealed partial class HeadingClassifier
{
    private const double LargerRatio = 1.15;
    private const int MaxHeadingWords = 20;

    private readonly double _bodySize;
    private readonly List<double> _headingSizes;
    private int? _numberingOffset;

    private HeadingClassifier(double bodySize, List<double> headingSizes)
    {
        _bodySize = bodySize;
        _headingSizes = headingSizes;
    }

    public static HeadingClassifier Create(IReadOnlyList<PdfLine> lines)
    {
        // The body size is the one most characters are set in.
        var body = lines.GroupBy(l => l.FontSize).MaxBy(g => g.Sum(l => l.Text.Length))!.Key;
        var sizes = new List<double>();
        foreach (var size in lines.Where(l => l.FontSize >= body * LargerRatio && IsShort(l.Text))
                     .Select(l => l.FontSize).Distinct().OrderDescending())
        {
            // Sizes within a point of each other are one level (rounding, optical sizing).
            if (sizes.Count == 0 || sizes[^1] - size > 1.0)
            {
                sizes.Add(size);
            }
        }

        var classifier = new HeadingClassifier(body, sizes);
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

    /// <summary>The heading level (1 = top) or null for body text.</summary>
    public int? LevelOf(PdfLine line)
    {
        if (!IsShort(line.Text) || !line.Text.Any(char.IsLetter))
        {
            return null;
        }

        if (line.FontSize >= _bodySize * LargerRatio)
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

        if (line.Bold && Math.Abs(line.FontSize - _bodySize) <= 1.0 && NumberingDepth(line.Text) is { } numbered)
        {
            var level = _numberingOffset is { } offset ? numbered + offset : _headingSizes.Count + 1;
            return Math.Clamp(level, 1, 6);
        }

        return null;
    }

    private static bool IsShort(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length <= MaxHeadingWords;

    /// <summary>"3" or "3." → 1, "2.1" → 2, "Chapter 3" → 1; null when the line is not numbered.</summary>
    public static int? NumberingDepth(string text)
    {
        var match = Numbered().Match(text);
        if (!match.Success)
        {
            return null;
        }

        return match.Groups["num"].Success
            ? match.Groups["num"].Value.TrimEnd('.').Split('.').Length
            : 1;
    }

    [GeneratedRegex(@"^(?:(?<num>\d{1,2}(?:\.\d{1,2}){0,4}\.?)|(?:chapter|section|part|appendix|kapitel)\s+[\dA-Z]+[.:]?)\s+\p{L}", RegexOptions.IgnoreCase)]
    private static partial Regex Numbered();
}

/// <summary>A paragraph, heading or list item assembled from lines.</summary>
internal sealed record AssembledBlock(BlockKind Kind, string Text, int Level, int PageStart, int PageEnd, BoundingBox Box);

/// <summary>
/// Groups lines into paragraphs by vertical gaps and typography, and joins a paragraph that a
/// page break cut in two, so a sentence is never split between chunks just because it crossed a page.
/// </summary>
internal static partial class ParagraphAssembler
{
    /// <summary>A baseline step this much larger than the document's usual line pitch starts a new paragraph.</summary>
    private const double ParagraphPitchFactor = 1.3;

    public static List<AssembledBlock> Assemble(IReadOnlyList<PdfLine> lines, HeadingClassifier headings)
    {
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

            var kind = currentLevel is not null ? BlockKind.Heading : currentIsList ? BlockKind.ListItem : BlockKind.Paragraph;
            var text = JoinLines(current);
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

        PdfLine? previousLine = null;
        foreach (var line in lines)
        {
            var level = headings.LevelOf(line);
            var startsList = Bullet().IsMatch(line.Text) && level is null;
            var startsNew = previousLine is null
                || line.Page != previousLine.Page
                || level != currentLevel
                || startsList
                || (level is null && Math.Abs(line.FontSize - previousLine.FontSize) > 1.0)
                || (line.Block != previousLine.Block && Math.Abs(previousLine.Box.Left - line.Box.Left) > 2 * line.FontSize)
                || !FollowsClosely(previousLine, line, pitch);

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

    private static bool ContinuesAcrossPage(AssembledBlock previous, AssembledBlock next) =>
        previous.Kind == BlockKind.Paragraph &&
        next.PageStart == previous.PageEnd + 1 &&
        !SentenceEnd().IsMatch(previous.Text) &&
        next.Text.Length > 0 && char.IsLower(next.Text[0]);

    private static string JoinLines(List<PdfLine> lines) =>
        lines.Skip(1).Aggregate(lines[0].Text, (text, line) => JoinText(text, line.Text));

    /// <summary>Undoes end-of-line hyphenation ("infor-" + "mation") and otherwise joins with a space.</summary>
    private static string JoinText(string left, string right)
    {
        if (left.Length > 1 && left[^1] == '-' && char.IsLetter(left[^2]) && right.Length > 0 && char.IsLower(right[0]))
        {
            return left[..^1] + right;
        }

        return left + " " + right;
    }

    [GeneratedRegex(@"[.!?:;。！？；…][""'”’)\]]*\s*$")]
    private static partial Regex SentenceEnd();

    [GeneratedRegex(@"^\s*(?:[•●▪■◦‣∙·\-–*]|\(?\d{1,2}[.)]|\(?[a-z][.)])\s+")]
    private static partial Regex Bullet();
}
