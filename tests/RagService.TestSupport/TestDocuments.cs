using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using PageSize = UglyToad.PdfPig.Content.PageSize;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace RagService.TestSupport;

/// <summary>
/// Writes the fixture documents the ingestion, API and evaluation tests share. Every fixture is
/// generated here (no third-party files), and the facts it contains are exposed as constants so a
/// test can ask a question and check the answer and its citation.
/// </summary>
public static class TestDocuments
{
    // ---- DOCX ----
    public const string DocxTitle = "Contoso Deployment Guide";
    public const string DocxIntroductionHeading = "1 Introduction";
    public const string DocxInstallationHeading = "2 Installation";
    public const string DocxLinuxHeading = "2.1 Linux";
    public const string DocxWindowsHeading = "2.2 Windows";
    public const string DocxIntroductionFact = "Contoso Server synchronises inventory data between warehouses every 15 minutes.";
    public const string DocxLinuxFact = "The Linux installer requires 4 GB of free disk space.";
    public const string DocxWindowsFact = "On Windows the service runs under the account CONTOSO-SVC.";
    public const string DocxDecoyStyleParagraph = "This paragraph uses a style named heading 3 that has no outline level.";
    public const string DocxHeaderText = "CONFIDENTIAL DRAFT HEADER";
    public static readonly IReadOnlyList<string> DocxBulletItems = ["Download the package.", "Verify the checksum.", "Run the installer."];
    public const string DocxNestedBulletItem = "Use sha256sum on Linux.";
    public static readonly IReadOnlyList<IReadOnlyList<string>> DocxTableRows =
    [
        ["Platform", "Minimum RAM", "Free disk"],
        ["Linux", "2 GB", "4 GB"],
        ["Windows", "4 GB", "8 GB"],
    ];

    // ---- PDF ----
    public const string PdfTitle = "ACME Operations Handbook";
    public const string PdfRunningHeader = "ACME Corp — Internal";
    public const string PdfIntroductionHeading = "1 Introduction";
    public const string PdfScopeHeading = "2 Scope";
    public const string PdfBackupHeading = "3 Backup Policy";
    public const string PdfOffsiteHeading = "3.1 Offsite Copies";
    public const string PdfIncidentHeading = "4 Incident Response";
    public const string PdfIntroductionFact = "This handbook describes how ACME operates its production systems.";
    public const string PdfBackupFact = "Backups are retained for 35 days.";
    public const int PdfBackupPage = 2;
    public const string PdfOffsiteFact = "A weekly copy of every backup is stored in the Frankfurt vault.";
    public const string PdfIncidentFact = "Severity 1 incidents must be acknowledged within 15 minutes.";
    public const int PdfIncidentPage = 3;
    public const int PdfPageCount = 3;

    /// <summary>The paragraph that a page break cuts after "owned by" on page 1; it continues on page 2.</summary>
    public const string PdfSplitParagraphStart = "The policies apply to every production system and to all data owned by";
    public const string PdfSplitParagraphEnd = "the operations team and its contractors.";

    /// <summary>
    /// A DOCX whose heading levels come only from outline levels on custom style ids (and one
    /// inherited through basedOn), with a decoy style named "heading 3" that has none, a nested bullet
    /// list, a 3x3 table, and a page header that must not become content.
    /// </summary>
    public static void WriteDocx(string path)
    {
        using var document = WordprocessingDocument.Create(path, WordprocessingDocumentType.Document);
        document.PackageProperties.Title = DocxTitle;
        var main = document.AddMainDocumentPart();

        var styles = main.AddNewPart<StyleDefinitionsPart>();
        styles.Styles = new Styles(
            ParagraphStyle("Normal", "Normal", basedOn: null, outlineLevel: null, isDefault: true),
            ParagraphStyle("Title", "Title", "Normal", outlineLevel: null),
            // Ids unrelated to their level prove detection does not read ids or names.
            ParagraphStyle("Kapitel", "Kapitel Ueberschrift", "Normal", outlineLevel: 0),
            ParagraphStyle("MyHeadingTwo", "My Custom Heading", "Normal", outlineLevel: 1),
            ParagraphStyle("MyHeadingTwoDerived", "Derived Heading", "MyHeadingTwo", outlineLevel: null),
            ParagraphStyle("DecoyHeading3", "heading 3", "Normal", outlineLevel: null),
            ParagraphStyle("ListParagraph", "List Paragraph", "Normal", outlineLevel: null));

        var numbering = main.AddNewPart<NumberingDefinitionsPart>();
        numbering.Numbering = new Numbering(
            new AbstractNum(
                new Level(new NumberingFormat { Val = NumberFormatValues.Bullet }, new LevelText { Val = "•" }) { LevelIndex = 0 },
                new Level(new NumberingFormat { Val = NumberFormatValues.Bullet }, new LevelText { Val = "◦" }) { LevelIndex = 1 })
            { AbstractNumberId = 1 },
            new NumberingInstance(new AbstractNumId { Val = 1 }) { NumberID = 1 });

        var header = main.AddNewPart<HeaderPart>();
        header.Header = new Header(TextParagraph(DocxHeaderText));
        var headerId = main.GetIdOfPart(header);

        var body = new Body(
            StyledParagraph("Title", DocxTitle),
            StyledParagraph("Kapitel", DocxIntroductionHeading),
            TextParagraph(DocxIntroductionFact),
            StyledParagraph("DecoyHeading3", DocxDecoyStyleParagraph),
            OutlineParagraph(0, DocxInstallationHeading),
            TextParagraph("Follow these steps on every platform:"),
            BulletParagraph(0, DocxBulletItems[0]),
            BulletParagraph(0, DocxBulletItems[1]),
            BulletParagraph(1, DocxNestedBulletItem),
            BulletParagraph(0, DocxBulletItems[2]),
            StyledParagraph("MyHeadingTwo", DocxLinuxHeading),
            TextParagraph(DocxLinuxFact),
            TextTable(DocxTableRows),
            StyledParagraph("MyHeadingTwoDerived", DocxWindowsHeading),
            TextParagraph(DocxWindowsFact),
            new SectionProperties(new HeaderReference { Type = HeaderFooterValues.Default, Id = headerId }));
        main.Document = new Document(body);
        main.Document.Save();
    }

    /// <summary>
    /// A three-page PDF: a title and numbered 16 pt bold headings over 11 pt body text, a bold
    /// body-size numbered sub-heading, a paragraph that a page break splits, a running header on every
    /// page and a page number at the bottom of each.
    /// </summary>
    public static void WritePdf(string path)
    {
        var builder = new PdfDocumentBuilder();
        var regular = builder.AddStandard14Font(Standard14Font.Helvetica);
        var bold = builder.AddStandard14Font(Standard14Font.HelveticaBold);

        var pages = new List<(PdfPageBuilder Page, double Y)>();
        for (var i = 0; i < PdfPageCount; i++)
        {
            var page = builder.AddPage(PageSize.A4);
            page.AddText(PdfRunningHeader, 9, new PdfPoint(Margin, 806), regular);
            page.AddText((i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), 9, new PdfPoint(290, 30), regular);
            pages.Add((page, 750));
        }

        var writer = new PdfWriter(pages[0].Page, regular, bold, 750);
        writer.Heading(PdfTitle, 20);
        writer.Heading(PdfIntroductionHeading, 16);
        writer.Paragraph(PdfIntroductionFact + " It is maintained by the platform group and reviewed every quarter.");
        writer.Paragraph("Questions about this handbook go to the operations mailbox. Changes are announced in the weekly bulletin.");
        writer.Heading(PdfScopeHeading, 16);
        writer.Paragraph(PdfSplitParagraphStart, endsParagraph: false);

        writer = new PdfWriter(pages[1].Page, regular, bold, 750);
        writer.Paragraph(PdfSplitParagraphEnd);
        writer.Heading(PdfBackupHeading, 16);
        writer.Paragraph("Every production database is backed up each night at 02:00 UTC. " + PdfBackupFact +
            " Restores are tested once a month by the on-call engineer.");
        writer.BoldLine(PdfOffsiteHeading);
        writer.Paragraph(PdfOffsiteFact + " The vault is audited twice a year.");

        writer = new PdfWriter(pages[2].Page, regular, bold, 750);
        writer.Heading(PdfIncidentHeading, 16);
        writer.Paragraph(PdfIncidentFact + " The incident commander opens a bridge call and keeps a timeline.");
        writer.Paragraph("After resolution a blameless review is written within five working days.");

        File.WriteAllBytes(path, builder.Build());
    }

    /// <summary>
    /// A DOCX with one table using both merge kinds: "Region" spans two columns (gridSpan) in the header,
    /// and "Linux" is merged down over two rows (vMerge restart/continue).
    /// </summary>
    public static void WriteDocxWithMergedCells(string path)
    {
        using var document = WordprocessingDocument.Create(path, WordprocessingDocumentType.Document);
        var main = document.AddMainDocumentPart();
        var table = new Table(
            new TableGrid(new GridColumn { Width = "2000" }, new GridColumn { Width = "2000" }, new GridColumn { Width = "2000" }),
            new TableRow(
                new TableCell(TextParagraph("Platform")),
                new TableCell(new TableCellProperties(new GridSpan { Val = 2 }), TextParagraph("Region"))),
            new TableRow(
                new TableCell(new TableCellProperties(new VerticalMerge { Val = MergedCellValues.Restart }), TextParagraph("Linux")),
                new TableCell(TextParagraph("EU")),
                new TableCell(TextParagraph("Frankfurt"))),
            new TableRow(
                new TableCell(new TableCellProperties(new VerticalMerge()), new Paragraph()),
                new TableCell(TextParagraph("US")),
                new TableCell(TextParagraph("Virginia"))));
        main.Document = new Document(new Body(TextParagraph("Regions by platform:"), table));
        main.Document.Save();
    }

    /// <summary>A valid DOCX whose body holds one empty paragraph.</summary>
    public static void WriteEmptyDocx(string path)
    {
        using var document = WordprocessingDocument.Create(path, WordprocessingDocumentType.Document);
        var main = document.AddMainDocumentPart();
        main.Document = new Document(new Body(new Paragraph()));
        main.Document.Save();
    }

    /// <summary>
    /// One page set in two columns: the left column must be read completely before the right one.
    /// The column texts are <see cref="PdfLeftColumn"/> and <see cref="PdfRightColumn"/>.
    /// </summary>
    public static void WriteTwoColumnPdf(string path)
    {
        var builder = new PdfDocumentBuilder();
        var regular = builder.AddStandard14Font(Standard14Font.Helvetica);
        var page = builder.AddPage(PageSize.A4);
        WriteColumn(page, regular, 50, PdfLeftColumn);
        WriteColumn(page, regular, 320, PdfRightColumn);
        File.WriteAllBytes(path, builder.Build());
    }

    public static readonly IReadOnlyList<string> PdfLeftColumn =
        ["Left column line one about", "storage classes and their", "retention periods for logs."];

    public static readonly IReadOnlyList<string> PdfRightColumn =
        ["Right column line one about", "network zones and firewall", "rules for the data centre."];

    private static void WriteColumn(PdfPageBuilder page, PdfDocumentBuilder.AddedFont font, double x, IEnumerable<string> lines)
    {
        var y = 700.0;
        foreach (var line in lines)
        {
            page.AddText(line, 11, new PdfPoint(x, y), font);
            y -= 14;
        }
    }

    /// <summary>A one-page PDF with only drawn shapes: what a scan without a text layer looks like to a text extractor.</summary>
    public static void WritePdfWithoutTextLayer(string path)
    {
        var builder = new PdfDocumentBuilder();
        var page = builder.AddPage(PageSize.A4);
        page.DrawRectangle(new PdfPoint(72, 600), 300, 120);
        page.DrawLine(new PdfPoint(72, 560), new PdfPoint(450, 560));
        File.WriteAllBytes(path, builder.Build());
    }

    private const double Margin = 72;

    /// <summary>Lays text out top-down with fixed leading; lines wrap by character count (Helvetica 11 pt fits ~85).</summary>
    private sealed class PdfWriter(PdfPageBuilder page, PdfDocumentBuilder.AddedFont regular, PdfDocumentBuilder.AddedFont bold, double top)
    {
        private const int WrapColumns = 85;
        private double _y = top;

        public void Heading(string text, double size)
        {
            _y -= size * 0.6;
            page.AddText(text, size, new PdfPoint(Margin, _y), bold);
            _y -= size * 1.4;
        }

        public void BoldLine(string text)
        {
            page.AddText(text, 11, new PdfPoint(Margin, _y), bold);
            _y -= 18;
        }

        public void Paragraph(string text, bool endsParagraph = true)
        {
            foreach (var line in Wrap(text))
            {
                page.AddText(line, 11, new PdfPoint(Margin, _y), regular);
                _y -= 14;
            }

            if (endsParagraph)
            {
                _y -= 10;
            }
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

    private static Style ParagraphStyle(string id, string name, string? basedOn, int? outlineLevel, bool isDefault = false)
    {
        var style = new Style { Type = StyleValues.Paragraph, StyleId = id, Default = isDefault ? true : null };
        style.Append(new StyleName { Val = name });
        if (basedOn is not null)
        {
            style.Append(new BasedOn { Val = basedOn });
        }

        if (outlineLevel is not null)
        {
            style.Append(new StyleParagraphProperties(new OutlineLevel { Val = outlineLevel }));
        }

        return style;
    }

    private static Paragraph TextParagraph(string text) => new(new Run(new Text(text) { Space = SpaceProcessingModeValues.Preserve }));

    private static Paragraph StyledParagraph(string styleId, string text) =>
        new(new ParagraphProperties(new ParagraphStyleId { Val = styleId }), new Run(new Text(text)));

    /// <summary>A heading set directly on the paragraph, with no style at all.</summary>
    private static Paragraph OutlineParagraph(int level, string text) =>
        new(new ParagraphProperties(new OutlineLevel { Val = level }), new Run(new Text(text)));

    private static Paragraph BulletParagraph(int level, string text) =>
        new(
            new ParagraphProperties(
                new ParagraphStyleId { Val = "ListParagraph" },
                new NumberingProperties(new NumberingLevelReference { Val = level }, new NumberingId { Val = 1 })),
            new Run(new Text(text)));

    private static Table TextTable(IReadOnlyList<IReadOnlyList<string>> rows)
    {
        var table = new Table(new TableProperties(new TableBorders(
            new TopBorder { Val = BorderValues.Single, Size = 4 },
            new BottomBorder { Val = BorderValues.Single, Size = 4 },
            new InsideHorizontalBorder { Val = BorderValues.Single, Size = 4 },
            new InsideVerticalBorder { Val = BorderValues.Single, Size = 4 })));
        table.Append(new TableGrid(rows[0].Select(_ => new GridColumn { Width = "2400" })));
        foreach (var row in rows)
        {
            table.Append(new TableRow(row.Select(cell => new TableCell(TextParagraph(cell)))));
        }

        return table;
    }
}
