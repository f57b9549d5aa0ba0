using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;
using PageSize = UglyToad.PdfPig.Content.PageSize;

namespace RagService.TestSupport;

/// <summary>
/// A one-page PDF with a table drawn as a full grid of rules: an outer frame drawn as one rectangle,
/// inner rules as lines. One cell wraps onto two lines, one cell is empty, and the first column's text
/// ends closer to the next column's text than a word space would allow alignment to tell them apart,
/// so only the vertical rule separates those cells.
/// </summary>
public static class RuledTablePdf
{
    public const string Intro = "Retention periods are set by the records committee and reviewed every year.";
    public const string After = "Records past their retention period are destroyed within thirty days.";

    /// <summary>The cells as they must come out (the wrapped cell joined with a space, the empty cell empty).</summary>
    public static readonly IReadOnlyList<IReadOnlyList<string>> Rows =
    [
        ["Record class", "Owner", "Retention"],
        ["Payroll database", "Finance", "7 years"],
        ["Customer support tickets", "Support", "2 years"],
        ["Build logs", "", "30 days"],
    ];

    /// <summary>The wrapped cell's two printed lines.</summary>
    public static readonly IReadOnlyList<string> WrappedCell = ["Customer support", "tickets"];

    public static byte[] Build()
    {
        var builder = new PdfDocumentBuilder();
        var regular = builder.AddStandard14Font(Standard14Font.Helvetica);
        var bold = builder.AddStandard14Font(Standard14Font.HelveticaBold);
        var page = builder.AddPage(PageSize.A4);
        page.AddText(Intro, 10, new PdfPoint(72, 760), regular);

        // Column rules; "Payroll database" (about 77 pt at 10 pt) ends about 7 pt before "Finance".
        double[] x = [72, 155, 260, 360];
        // Row rules, top to bottom; the third row is two lines tall.
        double[] y = [740, 720, 700, 668, 648];
        page.DrawRectangle(new PdfPoint(x[0], y[^1]), x[^1] - x[0], y[0] - y[^1], 1);
        foreach (var rule in y[1..^1])
        {
            page.DrawLine(new PdfPoint(x[0], rule), new PdfPoint(x[^1], rule), 0.5);
        }

        foreach (var rule in x[1..^1])
        {
            page.DrawLine(new PdfPoint(rule, y[0]), new PdfPoint(rule, y[^1]), 0.5);
        }

        void Cell(string text, int row, int column, double offset = 0, bool header = false) =>
            page.AddText(text, 10, new PdfPoint(x[column] + 2, y[row] - 14 - offset), header ? bold : regular);

        for (var c = 0; c < 3; c++)
        {
            Cell(Rows[0][c], 0, c, header: true);
        }

        Cell(Rows[1][0], 1, 0);
        Cell(Rows[1][1], 1, 1);
        Cell(Rows[1][2], 1, 2);
        Cell(WrappedCell[0], 2, 0);
        Cell(WrappedCell[1], 2, 0, offset: 12);
        Cell(Rows[2][1], 2, 1);
        Cell(Rows[2][2], 2, 2);
        Cell(Rows[3][0], 3, 0);
        Cell(Rows[3][2], 3, 2);

        page.AddText(After, 10, new PdfPoint(72, 620), regular);
        return builder.Build();
    }
}
