using System.Globalization;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace RagService.Evaluation.Synthetic;

/// <summary>
/// Writes a policy-style text PDF of any length for throughput and memory measurements and for tests:
/// a running header and "Page i of n" footer on every page, numbered 14 pt bold section headings and
/// bold 11 pt sub-headings over 10 pt body text, and every tenth page a ruled four-column table that
/// continues onto the next page with its header row repeated.
/// </summary>
public static class SyntheticPolicyPdf
{
    public const string RunningHeader = "ACME Corp - Information Security Policy - Internal";
    public static readonly IReadOnlyList<string> TableHeader = ["Control", "Owner", "Frequency", "Evidence"];

    private const double Left = 72;
    private const double Right = 523;

    public static byte[] Build(int pages)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pages, 1);
        var builder = new PdfDocumentBuilder();
        var regular = builder.AddStandard14Font(Standard14Font.Helvetica);
        var bold = builder.AddStandard14Font(Standard14Font.HelveticaBold);
        var section = 0;
        for (var i = 1; i <= pages; i++)
        {
            var page = builder.AddPage(PageSize.A4);
            page.AddText(RunningHeader, 8, new PdfPoint(Left, 806), regular);
            page.AddText($"Page {i} of {pages}", 8, new PdfPoint(270, 30), regular);
            // Body text starts at a different height from page to page, as it does when paragraphs flow.
            var y = 760.0 - (i % 4) * 13;
            if (i % 10 == 0 || (i % 10 == 1 && i > 1))
            {
                // A table at the bottom of a page ending in 0, continued at the top of the next.
                var first = i % 10 == 0;
                if (first)
                {
                    y = Body(page, regular, y, i, 3);
                }

                y = Table(page, regular, bold, y - 10, first ? 1 : 13, 12);
                if (first)
                {
                    continue;
                }
            }

            section++;
            page.AddText($"{section} Section {section} controls", 14, new PdfPoint(Left, y), bold);
            y -= 26;
            y = Body(page, regular, y, i, 3);
            page.AddText($"{section}.1 Scope of section {section}", 11, new PdfPoint(Left, y), bold);
            y -= 20;
            Body(page, regular, y, i + 7, y > 400 ? 4 : 1);
        }

        return builder.Build();
    }

    private static double Body(PdfPageBuilder page, PdfDocumentBuilder.AddedFont font, double y, int seed, int paragraphs)
    {
        for (var p = 0; p < paragraphs && y > 120; p++)
        {
            for (var l = 0; l < 6 && y > 80; l++)
            {
                var text = string.Create(CultureInfo.InvariantCulture,
                    $"Line {l + 1} of paragraph {p + 1} on page {seed}: access to production systems is reviewed by the system owner");
                page.AddText(l == 5 ? "and recorded in the register." : text, 10, new PdfPoint(Left, y), font);
                y -= 13;
            }

            y -= 10;
        }

        return y;
    }

    private static double Table(PdfPageBuilder page, PdfDocumentBuilder.AddedFont regular, PdfDocumentBuilder.AddedFont bold, double y, int firstRow, int rows)
    {
        double[] columns = [Left, 190, 300, 400];
        var top = y + 12;
        void Row(IReadOnlyList<string> cells, PdfDocumentBuilder.AddedFont font)
        {
            for (var c = 0; c < cells.Count; c++)
            {
                page.AddText(cells[c], 9, new PdfPoint(columns[c] + 3, y), font);
            }

            page.DrawLine(new PdfPoint(Left, y - 4), new PdfPoint(Right, y - 4));
            y -= 16;
        }

        page.DrawLine(new PdfPoint(Left, top), new PdfPoint(Right, top));
        Row(TableHeader, bold);
        for (var r = firstRow; r < firstRow + rows; r++)
        {
            Row([$"AC-{r}", r % 2 == 0 ? "Security team" : "IT operations", r % 3 == 0 ? "Quarterly" : "Monthly", $"Ticket log {r}"], regular);
        }

        return y - 20;
    }
}
