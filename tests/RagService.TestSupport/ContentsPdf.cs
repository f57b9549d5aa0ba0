using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;
using PageSize = UglyToad.PdfPig.Content.PageSize;

namespace RagService.TestSupport;

/// <summary>How a contents entry's dot leader is set.</summary>
public enum LeaderStyle
{
    /// <summary>". . . . ." up to a right-aligned page number close after it (one layout fragment).</summary>
    Spaced,

    /// <summary>"........" up to the page number.</summary>
    Packed,

    /// <summary>"……" up to the page number.</summary>
    Ellipsis,

    /// <summary>A short ". . . ." leader, then a wide gap before the page number (two layout fragments).</summary>
    Detached,
}

/// <summary>One printed contents entry: <paramref name="Lines"/> are its printed lines (more than one when it wraps; the leader follows the last).</summary>
public sealed record ContentsEntry(IReadOnlyList<string> Lines, string Page, LeaderStyle Leader, double Indent = 0, bool Bold = false);

/// <summary>
/// One-page PDFs for table-of-contents detection: a contents page whose entries end in dot leaders
/// and right-aligned page numbers (arabic and roman), and a page of ordinary prose whose lines trail off
/// in "..." (no page numbers) that must stay prose.
/// </summary>
public static class ContentsPdf
{
    public const string Title = "Contents";

    public const string After = "This guide describes the ingestion service as of its first release.";

    private const double Left = 72;
    private const double Right = 523;
    private const double Size = 10;

    public static readonly IReadOnlyList<ContentsEntry> Entries =
    [
        new(["Notices"], "vii", LeaderStyle.Spaced),
        new(["Preface"], "xi", LeaderStyle.Packed),
        new(["Chapter 1. Getting started"], "1", LeaderStyle.Spaced, Bold: true),
        new(["1.1 Security fundamentals."], "2", LeaderStyle.Spaced, Indent: 14),
        new(["1.3.1 Existing row and column control"], "4", LeaderStyle.Spaced, Indent: 28),
        new(["1.4 What the service does not do"], "6", LeaderStyle.Ellipsis, Indent: 14),
        new(["Chapter 2. Operations"], "9", LeaderStyle.Detached, Bold: true),
        new(["2.1 Running the ingestion service behind a reverse proxy that checks", "client certificates"], "11", LeaderStyle.Packed, Indent: 14),
        new(["2.2 Backups"], "XIV", LeaderStyle.Spaced, Indent: 14),
    ];

    /// <summary>The table the contents must come out as: entry (lines joined, leader and its trailing dot removed) and page.</summary>
    public static readonly IReadOnlyList<IReadOnlyList<string>> Rows =
    [
        ["Notices", "vii"],
        ["Preface", "xi"],
        ["Chapter 1. Getting started", "1"],
        ["1.1 Security fundamentals", "2"],
        ["1.3.1 Existing row and column control", "4"],
        ["1.4 What the service does not do", "6"],
        ["Chapter 2. Operations", "9"],
        ["2.1 Running the ingestion service behind a reverse proxy that checks client certificates", "11"],
        ["2.2 Backups", "XIV"],
    ];

    public static readonly IReadOnlyList<string> ProseLines =
    [
        "She read the letter twice and then once more...",
        "and still the last line made no sense to her at all...",
        "so she put it down and looked out at the rain for a while...",
        "until the telephone rang in the hall downstairs\u2026",
    ];

    public const string ProseClosing = "It was her brother, calling about the house.";

    public static byte[] Contents()
    {
        var builder = new PdfDocumentBuilder();
        var regular = builder.AddStandard14Font(Standard14Font.Helvetica);
        var bold = builder.AddStandard14Font(Standard14Font.HelveticaBold);
        var page = builder.AddPage(PageSize.A4);
        page.AddText(Title, 20, new PdfPoint(Left, 770), bold);

        var y = 730.0;
        foreach (var entry in Entries)
        {
            var font = entry.Bold ? bold : regular;
            for (var i = 0; i < entry.Lines.Count - 1; i++)
            {
                page.AddText(entry.Lines[i], Size, new PdfPoint(Left + entry.Indent, y), font);
                y -= 13;
            }

            var number = Width(page, entry.Page, font);
            var numberLeft = Right - number;
            var text = entry.Lines[^1];
            var (unit, stop) = entry.Leader switch
            {
                LeaderStyle.Spaced => (" .", numberLeft - 4),
                LeaderStyle.Packed => (".", numberLeft - 4),
                LeaderStyle.Ellipsis => ("\u2026", numberLeft - 4),
                _ => (" .", numberLeft - 120),
            };
            // The leader runs from the entry to just before the number (or well short of it, detached).
            var line = text + (entry.Leader == LeaderStyle.Packed ? " " : string.Empty);
            while (Width(page, line + unit, font) <= stop - Left - entry.Indent)
            {
                line += unit;
            }

            page.AddText(line, Size, new PdfPoint(Left + entry.Indent, y), font);
            page.AddText(entry.Page, Size, new PdfPoint(numberLeft, y), font);
            y -= entry.Bold ? 20 : 13;
        }

        page.AddText(After, Size, new PdfPoint(Left, y - 24), regular);
        return builder.Build();
    }

    public static byte[] Prose()
    {
        var builder = new PdfDocumentBuilder();
        var regular = builder.AddStandard14Font(Standard14Font.Helvetica);
        var page = builder.AddPage(PageSize.A4);
        var y = 760.0;
        foreach (var line in ProseLines.Append(ProseClosing))
        {
            page.AddText(line, Size, new PdfPoint(Left, y), regular);
            y -= 13;
        }

        return builder.Build();
    }

    private static double Width(PdfPageBuilder page, string text, PdfDocumentBuilder.AddedFont font)
    {
        var letters = page.MeasureText(text, Size, new PdfPoint(0, 0), font);
        return letters.Count == 0 ? 0 : letters.Max(l => l.EndBaseLine.X) - letters.Min(l => l.StartBaseLine.X);
    }
}
