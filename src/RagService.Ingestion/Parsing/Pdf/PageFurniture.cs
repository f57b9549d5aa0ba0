using System.Text.RegularExpressions;

namespace RagService.Ingestion.Parsing.Pdf;

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
        var numbersOf = new Dictionary<int, List<PdfLine>>();
        var runningOf = new Dictionary<int, List<PdfLine>>();
        var framed = 0;
        foreach (var page in lines.GroupBy(l => l.Page))
        {
            var numbers = page.Where(l => outer.Contains(l) && PageNumber().IsMatch(l.Text) && !InTableRow(l, [.. page])).ToList();
            var running = page.Where(l => outer.Contains(l) && !PageNumber().IsMatch(l.Text) &&
                (repeated.Contains(Key(l)) || BesidePageNumber(l, page, numbers) || SmallTypeInMargin(l, page, BodySize(page.Where(b => !InMargin(b)).ToList())))).ToList();
            numbersOf[page.Key] = numbers;
            runningOf[page.Key] = running;
            var body = page.Where(l => !numbers.Contains(l) && !running.Contains(l)).Sum(l => l.Text.Length);
            framed += body >= running.Sum(l => l.Text.Length) ? 1 : 0;
        }

        // A running header frames a page's body; text that repeats at the same place on every page and is
        // most of the page (the same notice or form on each page, a scanned handout photocopied four times)
        // is the content itself, so it stays. That is decided for the document: a nearly empty last page
        // (a figure and its caption) still loses the header every other page lost.
        var dropRunning = framed * 2 >= runningOf.Count;
        var drop = new HashSet<PdfLine>(numbersOf.Values.SelectMany(n => n));
        if (dropRunning)
        {
            drop.UnionWith(runningOf.Values.SelectMany(r => r));
        }

        return lines.Where(l => !drop.Contains(l)).ToList();
    }

    /// <summary>
    /// A bare number on a row of three or more pieces ("Dublin E | 149 | 29 | Vice president", the last row of a
    /// table at the foot of a page, or the first at the head of the next) is a cell, not a page number, when the row
    /// continues the page's text: the row right above or below it is at most <see cref="TableRowPitch"/> of its size
    /// away. A footer row spread across two pages ("208 | Global Study on Legal Aid | Annex | 209") stands apart from
    /// the body, in the margin.
    /// </summary>
    private static bool InTableRow(PdfLine line, IReadOnlyCollection<PdfLine> page)
    {
        if (page.Count(l => Math.Abs(l.Box.Bottom - line.Box.Bottom) <= 2) < 3)
        {
            return false;
        }

        var above = page.Where(l => l.Box.Bottom > line.Box.Bottom + 2).Select(l => l.Box.Bottom).DefaultIfEmpty(double.NaN).Min();
        var below = page.Where(l => l.Box.Bottom < line.Box.Bottom - 2).Select(l => l.Box.Bottom).DefaultIfEmpty(double.NaN).Max();
        return IsNear(above) || IsNear(below);

        bool IsNear(double baseline) =>
            !double.IsNaN(baseline) && Math.Abs(baseline - line.Box.Bottom) <= TableRowPitch * Math.Max(1, line.FontSize);
    }

    /// <summary>Rows of one table follow each other within this many of their type size (a footer sits further from the body).</summary>
    private const double TableRowPitch = 2.5;

    /// <summary>
    /// A running header needs no second page to be seen: the page's topmost line, in the top margin, set in
    /// clearly smaller type than the body and short ("Contoso — Internal — Travel Policy v4.2" over a lone
    /// page), or its bottommost line in small type that carries the page number ("Travel Policy · Page 1").
    /// </summary>
    private static bool SmallTypeInMargin(PdfLine line, IEnumerable<PdfLine> page, double bodySize)
    {
        if (bodySize <= 0 || line.FontSize > bodySize * SmallType || line.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length > 15)
        {
            return false;
        }

        var marginal = page.Where(InMargin).ToList();
        if (line.Box.Top < line.PageHeight * MarginBand)
        {
            return line.Box.Bottom <= marginal.Min(l => l.Box.Bottom) + 2 && PageReference().IsMatch(line.Text);
        }

        // Nothing above it on the page, not even another fragment of its row.
        return line.Box.Bottom >= marginal.Max(l => l.Box.Bottom) - 2 && page.Count(l => Math.Abs(l.Box.Bottom - line.Box.Bottom) <= 2) <= 2;
    }

    /// <summary>Type at most this share of the body's size is "small" (an 8 pt header over 10.5 pt text is 0.76).</summary>
    private const double SmallType = 0.85;

    /// <summary>The page body's type size: the size most of its characters are set in (0 for a page with no body, whose lone line is never a header).</summary>
    private static double BodySize(IReadOnlyList<PdfLine> lines) =>
        lines.Count == 0 ? 0 : lines.GroupBy(l => Math.Round(l.FontSize * 2) / 2).MaxBy(g => g.Sum(l => l.Text.Length))!.Key;

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

    /// <summary>A page number inside a footer line: "Page 3", "p. 3", "Seite 3", "第 3 页", or a number ending the line.</summary>
    [GeneratedRegex(@"(?:\b(?:page|p\.|seite)\s*\d{1,4}|第\s*\d{1,4}\s*页|\s\d{1,4}\s*$)", RegexOptions.IgnoreCase)]
    private static partial Regex PageReference();
}
