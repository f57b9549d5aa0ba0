using System.Globalization;
using System.Text;
using RagService.Evaluation.Synthetic.Documents;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;
using PageSize = UglyToad.PdfPig.Content.PageSize;

namespace RagService.Ingestion.Tests.Ocr;

/// <summary>
/// A short scanned page with a picture beside the text, laid out with PdfPig's writer (no LibreOffice): a numbered
/// heading, a paragraph across the page, then a busy or plain figure on the left or the right, <see cref="FigureWidth"/>
/// points wide, with its caption under it and a paragraph wrapped in the column beside it, and a paragraph across
/// the page below. Rasterised by pdftoppm in grey, turned a little and soiled (<see cref="GrayImage"/>) and put back
/// as an image-only PDF, as the generated set's scans are. <see cref="GroundTruth"/> is its Markdown.
/// </summary>
internal sealed record FigureBesideTextScan(int Seed, bool FigureOnLeft, double FigureWidth, bool Busy)
{
    private const double Left = 56.7, Right = 538.6, Size = 10.5, Leading = 14;

    public string Heading => $"{2 + (Seed % 6)} Site Visits";

    public string Caption => $"Figure {1 + (Seed % 4)}: Sites visited in {(FigureOnLeft ? "Lisbon" : "Porto")}";

    /// <summary>The page goes on under the text with a subsection, a table with wrapped header cells and a bulleted list.</summary>
    public bool WithTableAndList { get; init; }

    /// <summary>The page as Markdown, in the generated set's convention.</summary>
    public string GroundTruth { get; private set; } = string.Empty;

    /// <summary>The text PDF before it is printed and scanned.</summary>
    public byte[] TextPdf()
    {
        var random = new Random(Seed);
        var builder = new PdfDocumentBuilder();
        var regular = builder.AddStandard14Font(Standard14Font.Helvetica);
        var bold = builder.AddStandard14Font(Standard14Font.HelveticaBold);
        var italic = builder.AddStandard14Font(Standard14Font.HelveticaOblique);
        var bank = new TextBank("en");
        var page = builder.AddPage(PageSize.A4);
        var truth = new StringBuilder();
        page.AddText(Heading, 15, new PdfPoint(Left, 770), bold);
        truth.Append("## ").Append(Heading).Append("\n\n");
        var y = 740.0;

        var art = FigureArt.Draw(random.Next(), Busy);
        var height = FigureWidth * art.Height / art.Width;
        var figureLeft = FigureOnLeft ? Left : Right - FigureWidth;
        var (figureTop, figureBottom) = (double.NaN, double.NaN);

        // Lines beside the figure take the column next to it, lines under it the page's width (text wrapped around it).
        (double From, double To) Column() => y + Size >= figureBottom && y <= figureTop
            ? FigureOnLeft ? (Left + FigureWidth + 14, Right) : (Left, Right - FigureWidth - 14)
            : (Left, Right);

        // Sentences from the generator's text bank, wrapped word by word into the column each line falls in.
        string Paragraph(int sentences)
        {
            var words = new Queue<string>(bank.Paragraph(random, sentences).Split(' '));
            var set = new List<string>();
            while (words.Count > 0)
            {
                var (x0, x1) = Column();
                var line = words.Dequeue();
                while (words.Count > 0 && page.MeasureText(line + " " + words.Peek(), Size, new PdfPoint(0, 0), regular).Max(g => g.BoundingBox.Right) <= x1 - x0)
                {
                    line += " " + words.Dequeue();
                }

                page.AddText(line, Size, new PdfPoint(x0, y), regular);
                set.Add(line);
                y -= Leading;
            }

            y -= 8;
            return string.Join(' ', set);
        }

        truth.Append(Paragraph(3)).Append("\n\n");

        // The figure anchored at the next paragraph, its caption and text wrapped beside it, as the generator's DOCX sets it.
        figureTop = y + Size;
        figureBottom = figureTop - height;
        page.AddPng(art.ToPng(), new PdfRectangle(figureLeft, figureBottom, figureLeft + FigureWidth, figureTop));
        var (captionLeft, _) = Column();
        page.AddText(Caption, 9, new PdfPoint(captionLeft, y), italic);
        y -= Leading + 6;
        truth.Append("<!-- image -->\n\n").Append(Caption).Append("\n\n");
        truth.Append(Paragraph(4 + (int)(height / 40))).Append("\n\n");
        truth.Append(Paragraph(2)).Append("\n\n");
        if (WithTableAndList)
        {
            // The rest of the generator's short page: a subsection, a table whose header cells wrap, a bulleted list.
            var sub = Heading.Split(' ')[0] + ".1 Limits";
            page.AddText(sub, 13, new PdfPoint(Left, y), bold);
            truth.Append("### ").Append(sub).Append("\n\n");
            y -= 24;
            truth.Append(Paragraph(2)).Append("\n\n");
            double[] columns = [Left, 177, 298, 418];
            string[][] header = [["City", "Nightly cap", "Meal allowance", "Approval level"], ["", "(EUR)", "(EUR)", ""]];
            foreach (var row in header)
            {
                for (var c = 0; c < 4; c++)
                {
                    page.AddText(row[c], Size, new PdfPoint(columns[c], y), bold);
                }

                y -= Leading;
            }

            truth.Append("| City | Nightly cap (EUR) | Meal allowance (EUR) | Approval level |\n|---|---|---|---|\n");
            string[] places = ["Lisbon", "Porto", "Dublin", "Ghent", "Riga"];
            string[] levels = ["Manager", "Director", "Vice president"];
            for (var r = 0; r < 5; r++)
            {
                string[] cells = [$"{places[r]} {(char)('A' + r)}", (90 + random.Next(120)).ToString(CultureInfo.InvariantCulture), (25 + random.Next(40)).ToString(CultureInfo.InvariantCulture), levels[random.Next(3)]];
                for (var c = 0; c < 4; c++)
                {
                    page.AddText(cells[c], Size, new PdfPoint(columns[c], y), regular);
                }

                truth.Append("| ").Append(string.Join(" | ", cells)).Append(" |\n");
                y -= Leading;
            }

            truth.Append('\n');
            y -= 10;
            foreach (var item in new[] { "Keep every receipt for audit", "Book hotels through the travel desk", "Ask before any trip abroad" })
            {
                page.AddText("•", Size, new PdfPoint(Left + 18, y), regular);
                page.AddText(item, Size, new PdfPoint(Left + 36, y), regular);
                truth.Append("- ").Append(item).Append('\n');
                y -= Leading;
            }
        }

        GroundTruth = truth.ToString().TrimEnd() + "\n";
        return builder.Build();
    }

    /// <summary>Prints and scans the page at 200 dpi: grey, turned up to ±1°, paper tone and specks.</summary>
    public byte[] Scan(string workFolder)
    {
        var text = Path.Combine(workFolder, $"figure-{Seed}.pdf");
        File.WriteAllBytes(text, TextPdf());
        var pgm = OcrFixtures.Rasterise(text, Path.Combine(workFolder, $"figure-{Seed}.pgm"), dpi: 200);
        var random = new Random(Seed);
        var image = GrayImage.ReadPgm(File.ReadAllBytes(pgm)).Rotate(((random.NextDouble() * 2) - 1) * 1.0);
        image.Soil(random, specksPerMillion: 150, paper: 246);
        var builder = new PdfDocumentBuilder();
        var page = builder.AddPage(PageSize.A4);
        page.AddPng(image.ToPng(), new PdfRectangle(0, 0, page.PageSize.Width, page.PageSize.Height));
        return builder.Build();
    }
}
