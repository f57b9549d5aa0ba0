using System.Globalization;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace RagService.Evaluation.Answers;

/// <summary>
/// Lays an <see cref="AnswerDocumentSpec"/> out as a text PDF: a 20 pt bold title, 14 pt (12 pt for
/// sub-sections) bold headings over wrapped 11 pt Helvetica, tables as full grids of rules, a page
/// number in every footer, and a new page when the text reaches the bottom margin or a section asks
/// for one. Standard-14 fonts only: Latin text (Chinese documents are rendered as DOCX).
/// </summary>
public static class AnswerPdf
{
    private const double Left = 72;
    private const double Right = 523;
    private const double Top = 770;
    private const double Bottom = 80;
    private const int WrapColumns = 85;

    public static byte[] Build(AnswerDocumentSpec document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var builder = new PdfDocumentBuilder();
        var regular = builder.AddStandard14Font(Standard14Font.Helvetica);
        var bold = builder.AddStandard14Font(Standard14Font.HelveticaBold);
        var pageNumber = 0;
        PdfPageBuilder page = null!;
        var y = 0.0;
        void NewPage()
        {
            page = builder.AddPage(PageSize.A4);
            pageNumber++;
            page.AddText(pageNumber.ToString(CultureInfo.InvariantCulture), 9, new PdfPoint(290, 30), regular);
            y = Top;
        }

        void Need(double height)
        {
            if (y - height < Bottom)
            {
                NewPage();
            }
        }

        NewPage();
        page.AddText(document.Title, 20, new PdfPoint(Left, y), bold);
        y -= 40;
        foreach (var section in document.Sections)
        {
            if (section.PageBreak)
            {
                NewPage();
            }

            var size = section.Level == 1 ? 14 : 12;
            Need(size * 3 + 28);
            page.AddText(section.Heading, size, new PdfPoint(Left, y), bold);
            y -= size * 1.8;
            foreach (var paragraph in section.Paragraphs)
            {
                foreach (var line in Wrap(paragraph))
                {
                    Need(14);
                    page.AddText(line, 11, new PdfPoint(Left, y), regular);
                    y -= 14;
                }

                y -= 10;
            }

            if (section.Table is { Count: > 0 } table)
            {
                Need(18 * table.Count + 10);
                y = Table(page, regular, bold, y, table) - 16;
            }
        }

        return builder.Build();
    }

    private static double Table(PdfPageBuilder page, PdfDocumentBuilder.AddedFont regular, PdfDocumentBuilder.AddedFont bold, double y, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        const double rowHeight = 18;
        var columns = rows[0].Count;
        var width = (Right - Left) / columns;
        var top = y + 4;
        for (var r = 0; r < rows.Count; r++)
        {
            var baseline = top - (r * rowHeight) - 13;
            for (var c = 0; c < columns && c < rows[r].Count; c++)
            {
                page.AddText(rows[r][c], 9, new PdfPoint(Left + (c * width) + 4, baseline), r == 0 ? bold : regular);
            }
        }

        var bottom = top - (rows.Count * rowHeight);
        for (var r = 0; r <= rows.Count; r++)
        {
            page.DrawLine(new PdfPoint(Left, top - (r * rowHeight)), new PdfPoint(Right, top - (r * rowHeight)));
        }

        for (var c = 0; c <= columns; c++)
        {
            page.DrawLine(new PdfPoint(Left + (c * width), top), new PdfPoint(Left + (c * width), bottom));
        }

        return bottom;
    }

    private static IEnumerable<string> Wrap(string text)
    {
        var line = string.Empty;
        foreach (var word in text.Split(' '))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > WrapColumns)
            {
                yield return line;
                line = string.Empty;
            }

            line = line.Length == 0 ? word : line + " " + word;
        }

        if (line.Length > 0)
        {
            yield return line;
        }
    }
}
