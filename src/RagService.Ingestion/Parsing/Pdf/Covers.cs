namespace RagService.Ingestion.Parsing.Pdf;

/// <summary>
/// The front and back covers of a report, manual or brochure. A front cover is the first page of a document of
/// three pages or more whose text is set almost all above the body size (display type: a title, marketing lines,
/// a label such as "Front cover", an imprint, the author list) with little or no running text. Its title is its
/// largest line of two words or more (a one-word imprint in larger type is a logo, not the title). A back cover is
/// the last page when it repeats that title in larger type. On both, only the title heads anything; the other large
/// lines are text, and their sizes take no part in ranking the document's heading levels.
/// </summary>
internal sealed class Covers
{
    /// <summary>At most this share of a front cover's characters is set at body size or smaller.</summary>
    private const double MaxBodyShare = 1.0 / 3;

    /// <summary>A cover is a page of a document with at least this many pages (a one- or two-page note has none).</summary>
    private const int MinPages = 3;

    /// <summary>Display type is this much larger than the body; a point over it is still body type (rounding, optical sizes).</summary>
    private const double BodyTolerance = 1.0;

    public static readonly Covers None = new([], [], 0);

    private readonly HashSet<int> _pages;
    private readonly HashSet<PdfLine> _titleLines;

    private Covers(HashSet<int> pages, HashSet<PdfLine> titleLines, int levelsAbove)
    {
        _pages = pages;
        _titleLines = titleLines;
        LevelsAbove = levelsAbove;
    }

    /// <summary>Levels the front cover's title takes above the document's own headings (1 with a cover, else 0).</summary>
    public int LevelsAbove { get; }

    /// <summary>The line sits on a cover page.</summary>
    public bool Contains(PdfLine line) => _pages.Contains(line.Page);

    /// <summary>The line is (part of) a cover's title.</summary>
    public bool IsTitle(PdfLine line) => _titleLines.Contains(line);

    /// <param name="lines">The document's lines outside tables.</param>
    /// <param name="bodySize">The size most body characters are set in.</param>
    public static Covers Find(IReadOnlyList<PdfLine> lines, double bodySize)
    {
        var pages = lines.Select(l => l.Page).Distinct().Order().ToList();
        if (pages.Count < MinPages)
        {
            return None;
        }

        var front = lines.Where(l => l.Page == pages[0]).ToList();
        var display = front.Where(l => IsDisplay(l, bodySize)).ToList();
        var characters = front.Sum(l => l.Text.Length);
        var bodyCharacters = characters - display.Sum(l => l.Text.Length);
        var title = display.Where(l => LetterWords(l.Text) >= 2).MaxBy(l => l.FontSize);
        if (title is null || display.Count < 2 || bodyCharacters > characters * MaxBodyShare)
        {
            return None;
        }

        var titleLines = display.Where(l => LetterWords(l.Text) >= 1 && Math.Abs(l.FontSize - title.FontSize) <= BodyTolerance).ToHashSet();
        var coverPages = new HashSet<int> { pages[0] };
        var titleText = Normalize(string.Join(' ', titleLines.OrderBy(l => l.Row).ThenBy(l => l.Box.Left).Select(l => l.Text)));

        // The back cover names the publication again in display type, often smaller than on the front.
        var back = lines.Where(l => l.Page == pages[^1] && IsDisplay(l, bodySize) && LetterWords(l.Text) >= 2)
            .Where(l => Normalize(l.Text) is { Length: >= 8 } text && titleText.Contains(text, StringComparison.Ordinal))
            .ToList();
        if (back.Count > 0)
        {
            coverPages.Add(pages[^1]);
            titleLines.UnionWith(back);
        }

        return new Covers(coverPages, titleLines, 1);
    }

    private static bool IsDisplay(PdfLine line, double bodySize) => line.FontSize > bodySize + BodyTolerance && line.Text.Any(char.IsLetter);

    private static int LetterWords(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Count(w => w.Any(char.IsLetter));

    private static string Normalize(string text) =>
        string.Join(' ', text.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant();
}
