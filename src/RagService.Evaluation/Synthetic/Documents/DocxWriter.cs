using System.Globalization;
using System.Security;
using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;

namespace RagService.Evaluation.Synthetic.Documents;

/// <summary>
/// Writes a generated document as DOCX the way a word processor would: real heading styles with outline levels,
/// list numbering definitions (one per list, so numbering restarts), tables whose first row is marked to repeat on
/// every page, header and footer parts with a page field, footnotes, pictures inline or floating beside the
/// text, and continuous section breaks for two-column passages. LibreOffice renders these files to the PDFs.
/// </summary>
public static class DocxWriter
{
    private const string W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
    private const int PageWidth = 11906, PageHeight = 16838, Margin = 1134;
    private const int TextWidth = PageWidth - (2 * Margin);

    public static void Write(GeneratedDocument document, string path)
    {
        ArgumentNullException.ThrowIfNull(document);
        using var package = WordprocessingDocument.Create(path, WordprocessingDocumentType.Document);
        var main = package.AddMainDocumentPart();
        var body = new Body();
        main.Document = new Document(body);
        AddStyles(main, document);
        var headerId = AddHeader(main, document);
        var footerId = AddFooter(main, document);
        var numbering = main.AddNewPart<NumberingDefinitionsPart>();
        numbering.Numbering = new Numbering();
        var footnotes = new List<string>();
        var state = new WriterState(main, numbering.Numbering, headerId, footerId);

        if (document.Cover is { } front && document.Title is not null)
        {
            // The front cover: the title larger than any heading, marketing lines in large bold type, an edition line
            // in body type and a one-word imprint larger than the title, then a page break.
            body.Append(Display(document.Title, 80, "Title"));
            foreach (var tagline in front.Taglines)
            {
                body.Append(Display(tagline, 32));
            }

            body.Append(Para(null, front.Edition));
            body.Append(Display(front.Imprint, 96));
            body.Append(new Paragraph(new Run(new Break { Type = BreakValues.Page })));
        }
        else if (document.Title is not null)
        {
            body.Append(Para("Title", document.Title));
        }

        foreach (var block in document.Blocks)
        {
            switch (block)
            {
                case GenHeading h:
                    body.Append(Para(string.Create(CultureInfo.InvariantCulture, $"Heading{h.Level}"), h.Text));
                    break;
                case GenParagraph p:
                    var paragraph = Para(null, p.Text);
                    if (p.Footnote is not null)
                    {
                        footnotes.Add(p.Footnote);
                        paragraph.Append(new Run(new RunProperties(new RunStyle { Val = "FootnoteReference" }), new FootnoteReference { Id = footnotes.Count }));
                    }

                    body.Append(paragraph);
                    break;
                case GenList l:
                    AppendList(body, l, state);
                    break;
                case GenTable t:
                    body.Append(TableOf(t));
                    body.Append(Para(null, string.Empty));
                    break;
                case GenFigure f:
                    AppendFigure(body, f, document, state);
                    break;
                case GenColumns c:
                    // The section that ends here keeps the column count it had; the next one has c.Columns.
                    body.Append(new Paragraph(new ParagraphProperties(SectionOf(state, state.Columns))));
                    state.Columns = c.Columns;
                    state.Started = true;
                    break;
            }
        }

        if (document.Cover is { } back && document.Title is not null)
        {
            // The back cover: the title again in smaller display type, a blurb in body type, the imprint.
            body.Append(new Paragraph(new Run(new Break { Type = BreakValues.Page })));
            body.Append(Display(document.Title, 56, "Title"));
            body.Append(Para(null, back.Blurb));
            body.Append(Display(back.Imprint, 48));
        }

        body.Append(SectionOf(state, state.Columns));
        if (footnotes.Count > 0)
        {
            AddFootnotes(main, footnotes);
        }

        main.Document.Save();
    }

    private sealed class WriterState(MainDocumentPart main, Numbering numbering, string headerId, string footerId)
    {
        public MainDocumentPart Main { get; } = main;

        public Numbering Numbering { get; } = numbering;

        public string HeaderId { get; } = headerId;

        public string FooterId { get; } = footerId;

        public int Columns { get; set; } = 1;

        /// <summary>False for the first section (it starts a page); later ones continue on the same page.</summary>
        public bool Started { get; set; }

        public int Lists { get; set; }

        public uint Pictures { get; set; }
    }

    private static SectionProperties SectionOf(WriterState state, int columns)
    {
        var section = new SectionProperties(
            new HeaderReference { Type = HeaderFooterValues.Default, Id = state.HeaderId },
            new FooterReference { Type = HeaderFooterValues.Default, Id = state.FooterId },
            new SectionType { Val = state.Started ? SectionMarkValues.Continuous : SectionMarkValues.NextPage },
            new PageSize { Width = PageWidth, Height = PageHeight },
            new PageMargin { Top = Margin, Bottom = Margin, Left = Margin, Right = Margin, Header = 420, Footer = 420, Gutter = 0 },
            new Columns { ColumnCount = (short)columns, Space = "567" });
        return section;
    }

    /// <summary>
    /// A paragraph in bold display type of <paramref name="halfPoints"/>, set by direct formatting (a cover's type); the
    /// cover's title keeps the Title style under it, as covers made in Word do.
    /// </summary>
    private static Paragraph Display(string text, int halfPoints, string? style = null)
    {
        var paragraph = new Paragraph();
        if (style is not null)
        {
            paragraph.Append(new ParagraphProperties(new ParagraphStyleId { Val = style }));
        }

        paragraph.Append(new Run(
            new RunProperties(new Bold(), new FontSize { Val = halfPoints.ToString(CultureInfo.InvariantCulture) }),
            new Text(text) { Space = SpaceProcessingModeValues.Preserve }));
        return paragraph;
    }

    private static Paragraph Para(string? style, string text)
    {
        var paragraph = new Paragraph();
        if (style is not null)
        {
            paragraph.Append(new ParagraphProperties(new ParagraphStyleId { Val = style }));
        }

        if (text.Length > 0)
        {
            paragraph.Append(new Run(new Text(text) { Space = SpaceProcessingModeValues.Preserve }));
        }

        return paragraph;
    }

    private static void AppendList(Body body, GenList list, WriterState state)
    {
        if (list.TypedGlyph)
        {
            // No numbering: the glyph and a tab are typed at the start of each item, in the list paragraph style.
            foreach (var item in list.Items)
            {
                body.Append(new Paragraph(
                    new ParagraphProperties(new ParagraphStyleId { Val = "ListParagraph" }),
                    new Run(new Text(list.Glyph)), new Run(new TabChar()), new Run(new Text(item) { Space = SpaceProcessingModeValues.Preserve })));
            }

            return;
        }

        var id = ++state.Lists;
        var level = new Level(
            new StartNumberingValue { Val = 1 },
            new NumberingFormat { Val = list.Numbered ? NumberFormatValues.Decimal : NumberFormatValues.Bullet },
            new LevelText { Val = list.Numbered ? "%1." : list.Glyph },
            new LevelJustification { Val = LevelJustificationValues.Left },
            new PreviousParagraphProperties(new Indentation { Left = "720", Hanging = "360" }))
        { LevelIndex = 0 };
        state.Numbering.InsertAt(new AbstractNum(level) { AbstractNumberId = id }, id - 1);
        state.Numbering.Append(new NumberingInstance(new AbstractNumId { Val = id }) { NumberID = id });
        foreach (var item in list.Items)
        {
            body.Append(new Paragraph(
                new ParagraphProperties(
                    new ParagraphStyleId { Val = "ListParagraph" },
                    new NumberingProperties(new NumberingLevelReference { Val = 0 }, new NumberingId { Val = id })),
                new Run(new Text(item) { Space = SpaceProcessingModeValues.Preserve })));
        }
    }

    private static Table TableOf(GenTable table)
    {
        var columns = table.Header.Count;
        var line = table.Bordered ? BorderValues.Single : BorderValues.Nil;
        var properties = new TableProperties(
            new TableWidth { Width = "5000", Type = TableWidthUnitValues.Pct },
            new TableBorders(
                new TopBorder { Val = line, Size = 4 },
                new LeftBorder { Val = line, Size = 4 },
                new BottomBorder { Val = line, Size = 4 },
                new RightBorder { Val = line, Size = 4 },
                new InsideHorizontalBorder { Val = line, Size = 4 },
                new InsideVerticalBorder { Val = line, Size = 4 }),
            new TableLayout { Type = TableLayoutValues.Fixed });
        var result = new Table(properties, new TableGrid(Enumerable.Range(0, columns).Select(_ => new GridColumn { Width = (TextWidth / columns).ToString(CultureInfo.InvariantCulture) })));

        var header = new TableRow(new TableRowProperties(new CantSplit(), new TableHeader { Val = table.RepeatHeader ? OnOffOnlyValues.On : OnOffOnlyValues.Off }));
        foreach (var cell in table.Header)
        {
            var run = new Run(new RunProperties(new Bold()));
            var lines = cell.Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                if (i > 0)
                {
                    run.Append(new Break());
                }

                run.Append(new Text(lines[i]) { Space = SpaceProcessingModeValues.Preserve });
            }

            header.Append(new TableCell(new Paragraph(run)));
        }

        result.Append(header);
        for (var r = 0; r < table.Rows.Count; r++)
        {
            var row = new TableRow(new TableRowProperties(new CantSplit()));
            for (var c = 0; c < columns; c++)
            {
                var merge = table.Merges.FirstOrDefault(m => m.Row == r && m.Column == c);
                var cell = new TableCell(Para(null, table.Rows[r][c]));
                if (merge is not null)
                {
                    cell.PrependChild(new TableCellProperties(new GridSpan { Val = merge.Span }));
                    c += merge.Span - 1;
                }

                row.Append(cell);
            }

            result.Append(row);
        }

        return result;
    }

    private static void AppendFigure(Body body, GenFigure figure, GeneratedDocument document, WriterState state)
    {
        var beside = document.FigureBesideText;
        var art = FigureArt.Draw(figure.Seed, figure.Busy);
        var image = state.Main.AddImagePart(ImagePartType.Png);
        using (var stream = new MemoryStream(art.ToPng()))
        {
            image.FeedData(stream);
        }

        var id = ++state.Pictures;
        var relationship = state.Main.GetIdOfPart(image);
        long cx = beside ? document.FigureWidthEmu : art.Width * 9525L, cy = cx * art.Height / art.Width;
        var graphic = string.Create(CultureInfo.InvariantCulture, $"""
            <a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:nvPicPr><pic:cNvPr id="{id}" name="figure{id}.png"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:embed="{relationship}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic>
            """);
        const string wp = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing";
        var drawing = beside
            ? string.Create(CultureInfo.InvariantCulture, $"""<w:drawing xmlns:w="{W}"><wp:anchor xmlns:wp="{wp}" distT="0" distB="0" distL="114300" distR="114300" simplePos="0" relativeHeight="1" behindDoc="0" locked="0" layoutInCell="1" allowOverlap="0"><wp:simplePos x="0" y="0"/><wp:positionH relativeFrom="column"><wp:align>{(document.FigureOnRight ? "right" : "left")}</wp:align></wp:positionH><wp:positionV relativeFrom="paragraph"><wp:posOffset>0</wp:posOffset></wp:positionV><wp:extent cx="{cx}" cy="{cy}"/><wp:wrapSquare wrapText="bothSides"/><wp:docPr id="{id}" name="Figure {id}"/>{graphic}</wp:anchor></w:drawing>""")
            : string.Create(CultureInfo.InvariantCulture, $"""<w:drawing xmlns:w="{W}"><wp:inline xmlns:wp="{wp}"><wp:extent cx="{cx}" cy="{cy}"/><wp:docPr id="{id}" name="Figure {id}"/>{graphic}</wp:inline></w:drawing>""");
        body.Append(new Paragraph(new Run(new Drawing(drawing))));
        body.Append(Para("Caption", figure.Caption));
    }

    private static string AddHeader(MainDocumentPart main, GeneratedDocument document)
    {
        var part = main.AddNewPart<HeaderPart>();
        part.Header = new Header(Para("Header", document.RunningHeader));
        part.Header.Save();
        return main.GetIdOfPart(part);
    }

    private static string AddFooter(MainDocumentPart main, GeneratedDocument document)
    {
        var part = main.AddNewPart<FooterPart>();
        var chinese = document.Language == "zh";
        part.Footer = new Footer(new Paragraph(
            new ParagraphProperties(new ParagraphStyleId { Val = "Footer" }),
            new Run(new Text(document.RunningFooter + (chinese ? "　第 " : " · Page ")) { Space = SpaceProcessingModeValues.Preserve }),
            new SimpleField(new Run(new Text("1"))) { Instruction = " PAGE " },
            new Run(new Text(chinese ? " 页" : string.Empty) { Space = SpaceProcessingModeValues.Preserve })));
        part.Footer.Save();
        return main.GetIdOfPart(part);
    }

    private static void AddFootnotes(MainDocumentPart main, List<string> footnotes)
    {
        var xml = new StringBuilder($"""<w:footnotes xmlns:w="{W}"><w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote><w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>""");
        for (var i = 0; i < footnotes.Count; i++)
        {
            xml.Append(CultureInfo.InvariantCulture, $"""<w:footnote w:id="{i + 1}"><w:p><w:pPr><w:pStyle w:val="FootnoteText"/></w:pPr><w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> {SecurityElement.Escape(footnotes[i])}</w:t></w:r></w:p></w:footnote>""");
        }

        xml.Append("</w:footnotes>");
        var part = main.AddNewPart<FootnotesPart>();
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(xml.ToString()));
        part.FeedData(stream);
    }

    private static void AddStyles(MainDocumentPart main, GeneratedDocument document)
    {
        var part = main.AddNewPart<StyleDefinitionsPart>();
        var headerSize = document.SmallHeader ? "14" : "20";
        part.Styles = new Styles(
            new DocDefaults(new RunPropertiesDefault(new RunPropertiesBaseStyle(
                new RunFonts { Ascii = "Liberation Sans", HighAnsi = "Liberation Sans", EastAsia = "WenQuanYi Micro Hei", ComplexScript = "Liberation Sans" },
                new FontSize { Val = "21" },
                new Languages { Val = document.Language == "zh" ? "zh-CN" : "en-GB", EastAsia = "zh-CN" }))),
            Style("Normal", "Normal", null, null, null, false, false, null, isDefault: true, spacingAfter: "120"),
            Style("Title", "Title", "Normal", null, "36", true, false, null, spacingAfter: "240"),
            Style("Heading1", "heading 1", "Normal", 0, "30", true, false, null, spacingAfter: "120", spacingBefore: "240"),
            Style("Heading2", "heading 2", "Normal", 1, "26", true, false, null, spacingAfter: "100", spacingBefore: "200"),
            Style("Heading3", "heading 3", "Normal", 2, "23", true, true, null, spacingAfter: "80", spacingBefore: "160"),
            Style("ListParagraph", "List Paragraph", "Normal", null, null, false, false, new Indentation { Left = "720", Hanging = "360" }, spacingAfter: "40"),
            Style("Caption", "caption", "Normal", null, "18", false, true, null, spacingAfter: "200"),
            Style("Header", "header", "Normal", null, headerSize, false, false, null, spacingAfter: "0"),
            Style("Footer", "footer", "Normal", null, "16", false, false, null, spacingAfter: "0"),
            Style("FootnoteText", "footnote text", "Normal", null, "16", false, false, null, spacingAfter: "0"),
            new Style(new StyleName { Val = "footnote reference" }, new StyleRunProperties(new VerticalTextAlignment { Val = VerticalPositionValues.Superscript }))
            {
                Type = StyleValues.Character,
                StyleId = "FootnoteReference",
            });
        part.Styles.Save();
    }

    private static Style Style(string id, string name, string? basedOn, int? outline, string? size, bool bold, bool italic, Indentation? indentation,
        bool isDefault = false, string? spacingAfter = null, string? spacingBefore = null)
    {
        var style = new Style { Type = StyleValues.Paragraph, StyleId = id, Default = isDefault ? true : null };
        style.Append(new StyleName { Val = name });
        if (basedOn is not null)
        {
            style.Append(new BasedOn { Val = basedOn });
        }

        var paragraph = new StyleParagraphProperties();
        if (outline is not null)
        {
            paragraph.Append(new KeepNext());
        }

        paragraph.Append(new SpacingBetweenLines { After = spacingAfter, Before = spacingBefore });
        if (indentation is not null)
        {
            paragraph.Append(indentation);
        }

        if (outline is not null)
        {
            paragraph.Append(new OutlineLevel { Val = outline });
        }

        style.Append(paragraph);
        var run = new StyleRunProperties();
        if (bold)
        {
            run.Append(new Bold());
        }

        if (italic)
        {
            run.Append(new Italic());
        }

        if (size is not null)
        {
            run.Append(new FontSize { Val = size });
        }

        style.Append(run);
        return style;
    }
}
