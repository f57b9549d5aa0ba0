using System.Text.RegularExpressions;

namespace RagService.Ingestion.Parsing.Pdf;

/// <summary>
/// Decides which lines are headings. The PDF outline, when there is one, names headings and their depth.
/// Otherwise levels come from the distinct font sizes larger than the dominant body size, ranked once for
/// the whole document so "the 16 pt headings" are the same level on page 1 and page 40; a short, wholly
/// bold body-size line (in a document whose body is not bold) is a heading one level below the sized ones,
/// and numbering ("2.1", "Chapter 3", "第三章") sets the depth where sizes cannot. A report's front and back
/// covers (<see cref="Covers"/>) head nothing but their title, and their display sizes are left out of the ranking.
/// </summary>
internal sealed partial class HeadingClassifier
{
    private const double LargerRatio = 1.1;

    /// <summary>
    /// A recognised (OCR) line's size is an estimate good to about a point, so it must stand further above the body
    /// to count as larger: a 10.5 pt body measures 10 on one line and 11 on the next.
    /// </summary>
    private const double RecognizedLargerRatio = 1.2;
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

    /// <summary>
    /// For recognised (OCR) lines, how numbering depth maps to level: sizes estimated from a scan's glyphs are good
    /// to a point or so, which tells a title from a section heading but not always "3" (15 pt) from "3.1" (13 pt).
    /// </summary>
    private int? _recognizedNumberingOffset;

    private bool _bodyItalic;
    private string _bodyFont = string.Empty;
    private string _bodyColor = string.Empty;

    /// <summary>Tables hold most of the text (a form, a data sheet): the short lines standing between them are its titles.</summary>
    private bool _mostlyTables;

    /// <summary>The front and back cover pages, if the document has them (<see cref="Covers"/>).</summary>
    private Covers _covers = Covers.None;

    private HeadingClassifier(double bodySize, bool bodyBold, List<double> headingSizes, IReadOnlyDictionary<string, int> outline)
    {
        _bodySize = bodySize;
        _bodyBold = bodyBold;
        _headingSizes = headingSizes;
        _outline = outline;
    }

    /// <param name="lines">The lines that may be headings (those outside tables).</param>
    /// <param name="outline">Heading levels by <see cref="PdfOutline.Key"/>, from the PDF's bookmarks.</param>
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
        var covers = Covers.Find(lines, body);
        var bodyBold = bodyLines.Sum(l => l.Bold ? l.Text.Length : 0) * 2 > bodyLines.Sum(l => l.Text.Length);
        var sizes = new List<double>();
        // A cover's type sizes are its designer's, not the document's heading levels: ranked with the rest, a 70 pt
        // imprint and a 43 pt title push every chapter heading down to level 5 or 6.
        foreach (var size in lines.Where(l => !covers.Contains(l) && !l.Sideways && l.FontSize >= body * LargerRatioOf(l) && IsShort(l.Text, MaxHeadingWords) && l.Text.Any(char.IsLetter) &&
                                      !Byline.IsNames(l.Text))
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
            _covers = covers,
        };
        // How numbering depth maps to level among the size-based headings ("3 Backup" is level 2 under a
        // level-1 title): bold body-size numbered headings ("3.1 Offsite") then continue that mapping.
        classifier._numberingOffset = lines
            .Where(l => !covers.Contains(l) && l.FontSize >= body * LargerRatioOf(l) && NumberingDepth(l.Text) is not null)
            .Select(l => classifier.LevelOf(l) - NumberingDepth(l.Text))
            .Where(o => o is not null)
            .GroupBy(o => o!.Value)
            .MaxBy(g => g.Count())?.Key;
        classifier._recognizedNumberingOffset = classifier.RecognizedNumberingOffset(lines);
        return classifier;
    }

    /// <summary>The PDF's bookmarks name this text.</summary>
    public bool Outlined(string text) => _outline.Count > 0 && _outline.ContainsKey(PdfOutline.Key(text));

    /// <summary>The size most body characters are set in.</summary>
    public double BodySize => _bodySize;

    /// <summary>The heading level (1 = top) or null for body text.</summary>
    public int? LevelOf(PdfLine line) =>
        // An author line passes every size and weight test a heading does (it is tested last: it is the rarer case).
        Candidate(line) is { } level && !Byline.IsNames(line.Text) ? level : null;

    private int? Candidate(PdfLine line)
    {
        // On a cover only the title heads anything; its other large lines (a label such as "Front cover",
        // marketing bullets, an imprint in display type, the author list) are text.
        if (_covers.Contains(line))
        {
            return _covers.IsTitle(line) ? 1 : null;
        }

        if (line.Sideways || !IsShort(line.Text, MaxHeadingWords) || !line.Text.Any(char.IsLetter) || NeverHeading().IsMatch(line.Text))
        {
            return null;
        }

        // A bookmark names a heading, but the same words set smaller than the body in regular weight are a
        // running header or a reference to it (a paper's title above every page), not the heading itself.
        if (_outline.Count > 0 && _outline.TryGetValue(PdfOutline.Key(line.Text), out var outlined) &&
            (line.Bold || line.FontSize >= _bodySize - 0.5))
        {
            return outlined;
        }

        // A numbered line even a point larger than the body is a heading ("(1) Scope" at 12.5 pt over 11.5 pt text).
        var larger = line.FontSize >= _bodySize * LargerRatioOf(line) ||
            (line.FontSize >= _bodySize + NumberedLargerPoints && (NumberingDepth(line.Text) is not null || ParenthesisNumbered().IsMatch(line.Text)) &&
             IsShort(line.Text, MaxBoldHeadingWords));
        // A larger italic line in sentence case ("Expert help to achieve your business requirements") is a tagline or a quotation.
        if (larger && line.Italic && !line.Bold && !TitleCase(line.Text) && !IsShort(line.Text, 4))
        {
            return null;
        }

        // On a scan, a numbered line that ends like a sentence is a list item a little over-measured, not a heading.
        if (larger && line.Recognized && line.FontSize < _bodySize * RecognizedLargerRatio && SentenceLike().IsMatch(line.Text))
        {
            return null;
        }

        if (larger && line.Recognized && _recognizedNumberingOffset is { } recognizedOffset && NumberingDepth(line.Text) is { } recognizedDepth)
        {
            return Math.Clamp(recognizedDepth + recognizedOffset, 1, 6);
        }

        if (larger)
        {
            var rank = _headingSizes.FindIndex(s => s - line.FontSize <= 1.0);
            var level = (rank < 0 ? _headingSizes.Count : rank + 1) + _covers.LevelsAbove;
            // With a single heading size, numbering is the only signal of depth ("2" vs "2.1").
            if (_headingSizes.Count == 1 && NumberingDepth(line.Text) is { } depth)
            {
                level = depth + _covers.LevelsAbove;
            }

            return Math.Clamp(level, 1, 6);
        }

        var bodySized = Math.Abs(line.FontSize - _bodySize) <= 1.0;
        // Numbered and set apart by weight, or by typeface (a 黑体 heading over 宋体 text, Helvetica over Times).
        var setApart = line.Bold || (_bodyFont.Length > 0 && line.Font.Length > 0 && line.Font != _bodyFont && !Monospaced().IsMatch(line.Font) &&
                                     !SentenceLike().IsMatch(line.Text));
        if (setApart && bodySized && NumberingDepth(line.Text) is { } numbered && IsShort(line.Text, MaxBoldHeadingWords) && !line.Text.TrimEnd().EndsWith('?'))
        {
            var level = _numberingOffset is { } offset ? numbered + offset : Ranked + numbered;
            return Math.Clamp(level, 1, 6);
        }

        // Set apart by colour alone: Word's default Heading 3 is 12 pt, not bold, in the accent colour over 11 pt
        // black text, so a PDF exported from Word shows its third level only by colour.
        var coloured = _bodyColor.Length > 0 && line.Color.Length > 0 && line.Color != _bodyColor && !line.Italic &&
                       line.Text.Length > 0 && (char.IsUpper(line.Text[0]) || char.IsDigit(line.Text[0]) || !char.IsLetter(line.Text[0]));
        if ((line.Bold || coloured) && !_bodyBold && bodySized && IsShort(line.Text, MaxBoldHeadingWords) && !SentenceLike().IsMatch(line.Text))
        {
            return Math.Clamp(Ranked + 1, 1, 6);
        }

        // In a document that is mostly tables, a short line outside them in the body's type or stronger
        // ("3- Admission", "Section B: Applicant") titles the table below it.
        if (_mostlyTables && (line.Bold || line.FontSize >= _bodySize - 0.5) && IsShort(line.Text, MaxFormHeadingWords) && !SentenceLike().IsMatch(line.Text))
        {
            return Math.Clamp(Ranked + 1, 1, 6);
        }

        // A short italic line in Title Case on its own ("Elastic Stop Nut") heads the paragraphs below it,
        // one level under the bold ones; an italic sentence or caption is emphasis.
        if (line.Italic && !line.Bold && !_bodyItalic && bodySized && IsShort(line.Text, MaxItalicHeadingWords) &&
            !SentenceLike().IsMatch(line.Text) && TitleCase(line.Text))
        {
            return Math.Clamp(Ranked + 2, 1, 6);
        }

        return null;
    }

    /// <summary>
    /// The level of a recognised document's numbered headings less their depth: the shallowest numbered headings ("3",
    /// or "3.1" on a page that opens inside a section) sit one level below each heading size clearly (more than a point)
    /// larger than their median size (a title above them), and deeper numbers follow by depth. Null without recognised
    /// numbered headings.
    /// </summary>
    private int? RecognizedNumberingOffset(IReadOnlyList<PdfLine> lines)
    {
        var numbered = lines
            .Where(l => l.Recognized && l.FontSize >= _bodySize + NumberedLargerPoints && IsShort(l.Text, MaxBoldHeadingWords) && !SentenceLike().IsMatch(l.Text))
            .Select(l => (Line: l, Depth: NumberingDepth(l.Text)))
            .Where(n => n.Depth is not null)
            .ToList();
        if (numbered.Count == 0)
        {
            return null;
        }

        var shallowest = numbered.Min(n => n.Depth!.Value);
        var sizes = numbered.Where(n => n.Depth == shallowest).Select(n => n.Line.FontSize).Order().ToList();
        var median = sizes[(sizes.Count - 1) / 2];
        var above = _headingSizes.Count(s => s - median > 1.0);
        return above + 1 - shallowest;
    }

    /// <summary>The levels taken by type sizes: the ranked heading sizes, under a cover's title when there is one.</summary>
    private int Ranked => _headingSizes.Count + _covers.LevelsAbove;

    private static double LargerRatioOf(PdfLine line) => line.Recognized ? RecognizedLargerRatio : LargerRatio;

    /// <summary>Every word of four letters or more starts with a capital (short function words may not).</summary>
    private static bool TitleCase(string text)
    {
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(w => w.Count(char.IsLetter) >= 4).ToList();
        return words.Count > 0 && words.All(w => char.IsUpper(w.First(char.IsLetter)));
    }

    /// <summary>
    /// Opens with a lower-case word ("each government entity use Exhibits A-1 through A-3", "investors is that royalty"):
    /// the rest of a sentence in bold or a pull quote's next line, not a heading. A letter enumerator ("a) Scope",
    /// "iv. Costs") and a name with capitals inside ("iPhone", "eBay") still may start one. Only a heading's first line
    /// is tested: a title wrapped over two lines goes on in lower case ("Securing and protecting IBM DB2" / "data").
    /// </summary>
    public static bool StartsMidSentence(string text)
    {
        var trimmed = text.TrimStart();
        var end = 0;
        while (end < trimmed.Length && char.IsLetter(trimmed[end]))
        {
            end++;
        }

        if (end < 2 || !trimmed[..end].All(char.IsLower))
        {
            return false;
        }

        return !(end <= 4 && end < trimmed.Length && trimmed[end] is '.' or ')');
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
    /// A line opening with a bullet is a list item. Caption labels ("Table 2-2", "Figure 3.1:", "图 2", "[표 1]", a paper's supporting material "S1 Fig.", "S2 Table"), web or mail addresses and code ("CREATE PERMISSION &lt;name&gt;",
    /// "x = f(y);") are set large or bold without being headings.
    /// </summary>
    [GeneratedRegex(@"[<>{}=;]|^\s*[•●▪■◦‣∙○□➢►▶✓✔]|^\s*[\[(（【]?\s*(?:(?:table|figure|fig\.|chart|exhibit)\s+\d[\d.\-–]*(?:\s|:|\]|$)|S\d{1,2}\s*(?:table|fig(?:ure)?)\b|[图表図]\s*\d|(?:표|그림)\s*\d|\S+\.(?:com|org|net|gov|edu)(?:/\S*)?\s*$|\S+@\S+\s*$|(?:https?://|www\.)\S+\s*$)", RegexOptions.IgnoreCase)]
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
