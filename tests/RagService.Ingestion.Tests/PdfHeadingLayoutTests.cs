using RagService.Core.Documents;
using RagService.Ingestion.Parsing.Pdf;
using RagService.TestSupport;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;
using Xunit.Abstractions;
using PageSize = UglyToad.PdfPig.Content.PageSize;

namespace RagService.Ingestion.Tests;

/// <summary>
/// Page layouts that broke reading order or headings on real documents, rebuilt with PdfPig's writer:
/// a two-column body under a full-width title and abstract, section numbers set a tab away from their
/// titles, a running header beside the page number on a one-page excerpt, and headings set apart by typeface.
/// </summary>
public sealed class PdfHeadingLayoutTests(ITestOutputHelper output) : PdfParsingTest(output)
{
    private static readonly string[] LeftColumn = Enumerable.Range(1, 12).Select(i => $"Left column sentence {i:00} about tide gauges").ToArray();
    private static readonly string[] RightColumn = Enumerable.Range(1, 12).Select(i => $"Right column sentence {i:00} on sea walls").ToArray();

    [Fact]
    public async Task Two_columns_under_a_full_width_title_and_abstract_are_read_column_by_column()
    {
        var builder = new PdfDocumentBuilder();
        var regular = builder.AddStandard14Font(Standard14Font.Helvetica);
        var bold = builder.AddStandard14Font(Standard14Font.HelveticaBold);
        var page = builder.AddPage(PageSize.A4);
        var leftEnd = 0.0;
        for (var i = 0; i < LeftColumn.Length; i++)
        {
            leftEnd = Math.Max(leftEnd, page.AddText(LeftColumn[i], 10, new PdfPoint(50, 660 - 13 * i), regular).Max(l => l.BoundingBox.Right));
            page.AddText(RightColumn[i], 10, new PdfPoint(320, 660 - 13 * i), regular);
        }

        // The title's word space falls inside the gutter below it: it must still read as one full-width line.
        var firstWidth = page.MeasureText("Coastal Flood", 26, new PdfPoint(0, 0), bold).Max(l => l.BoundingBox.Right);
        var gapStart = (leftEnd + 320) / 2 - 4;
        Assert.True(gapStart - firstWidth > 0);
        page.AddText("Coastal Flood", 26, new PdfPoint(gapStart - firstWidth, 760), bold);
        page.AddText("Defences", 26, new PdfPoint(gapStart + 9, 760), bold);
        var y = 720.0;
        foreach (var line in new[]
                 {
                     "Abstract line one spans the whole width of the page above both of the columns below it, as abstracts do.",
                     "Abstract line two also spans the whole width of the page, so it crosses the gutter between the columns.",
                     "Abstract line three ends the abstract before the body begins in two columns of equal width and size.",
                 })
        {
            page.AddText(line, 9, new PdfPoint(50, y), regular);
            y -= 12;
        }

        var tree = await ParseAsync("two-column-title.pdf", builder.Build());

        var title = Assert.Single(tree.Blocks, b => b.Kind == BlockKind.Heading);
        Assert.Equal("Coastal Flood Defences", title.Text);
        var text = string.Join("\n", tree.Blocks.Select(b => b.Text));
        var positions = LeftColumn.Concat(RightColumn).Select(s => text.IndexOf(s, StringComparison.Ordinal)).ToList();
        Assert.All(positions, p => Assert.True(p >= 0));
        Assert.Equal(positions.Order(), positions);
        Assert.True(text.IndexOf("Abstract line three", StringComparison.Ordinal) < positions[0]);
    }

    [Fact]
    public async Task A_section_number_a_tab_away_from_its_title_is_part_of_the_heading_but_table_numbers_stay_cells()
    {
        var builder = new PdfDocumentBuilder();
        var regular = builder.AddStandard14Font(Standard14Font.Helvetica);
        var bold = builder.AddStandard14Font(Standard14Font.HelveticaBold);
        var page = builder.AddPage(PageSize.A4);
        var y = 760.0;
        void Body(int lines)
        {
            for (var i = 0; i < lines; i++)
            {
                page.AddText($"Body line {i + 1} explains how the retention schedule applies to backups and logs", 10, new PdfPoint(72, y), regular);
                y -= 13;
            }

            y -= 12;
        }

        Body(5);
        page.AddText("5.1", 11, new PdfPoint(72, y), bold);
        page.AddText("Retention of Backups", 11, new PdfPoint(100, y), bold);
        y -= 22;
        Body(5);
        string[][] rows = [["No.", "Owner", "Days"], ["1", "Security team", "30"], ["2", "IT operations", "90"], ["3", "Records office", "365"], ["4", "Legal", "730"]];
        foreach (var row in rows)
        {
            page.AddText(row[0], 10, new PdfPoint(72, y), regular);
            page.AddText(row[1], 10, new PdfPoint(100, y), regular);
            page.AddText(row[2], 10, new PdfPoint(300, y), regular);
            y -= 15;
        }

        y -= 12;
        Body(3);

        var tree = await ParseAsync("numbered.pdf", builder.Build());

        Assert.Contains(tree.Blocks, b => b.Kind == BlockKind.Heading && b.Text == "5.1 Retention of Backups");
        Assert.DoesNotContain(tree.Blocks, b => b.Text == "5.1");
        var table = Assert.Single(tree.Blocks, b => b.Kind == BlockKind.Table);
        Assert.Equal(["2", "IT operations", "90"], table.Rows![2]);
    }

    [Fact]
    public async Task A_running_header_beside_the_page_number_of_a_one_page_excerpt_is_dropped()
    {
        var builder = new PdfDocumentBuilder();
        var regular = builder.AddStandard14Font(Standard14Font.Helvetica);
        var page = builder.AddPage(PageSize.A4);
        page.AddText("Journal of Harbour Engineering", 8, new PdfPoint(200, 800), regular);
        page.AddText("9", 8, new PdfPoint(520, 800), regular);
        for (var i = 0; i < 20; i++)
        {
            page.AddText($"Line {i + 1} of the article body on wave loads against breakwaters and quays.", 10, new PdfPoint(72, 760 - 13 * i), regular);
        }

        var tree = await ParseAsync("excerpt.pdf", builder.Build());

        Assert.DoesNotContain(tree.Blocks, b => b.Text.Contains("Journal of Harbour Engineering", StringComparison.Ordinal));
        Assert.Contains(tree.Blocks, b => b.Text.StartsWith("Line 1 of the article body", StringComparison.Ordinal));
        Assert.Contains(tree.Blocks, b => b.Text.Contains("Line 20 of the article body", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Numbered_headings_set_in_another_typeface_at_body_size_are_headings()
    {
        var builder = new PdfDocumentBuilder();
        var body = builder.AddStandard14Font(Standard14Font.TimesRoman);
        var sans = builder.AddStandard14Font(Standard14Font.Helvetica);
        var page = builder.AddPage(PageSize.A4);
        var y = 760.0;
        foreach (var section in new[] { "1 Purpose", "2 Scope" })
        {
            page.AddText(section, 10, new PdfPoint(72, y), sans);
            y -= 18;
            for (var i = 0; i < 4; i++)
            {
                page.AddText($"Sentence {i + 1} of {section} is set in the body typeface at ten points, as policies are.", 10, new PdfPoint(72, y), body);
                y -= 13;
            }

            y -= 12;
        }

        page.AddText("Unnumbered sans note", 10, new PdfPoint(72, y), sans);

        var tree = await ParseAsync("typeface.pdf", builder.Build());

        var headings = tree.Blocks.Where(b => b.Kind == BlockKind.Heading).Select(b => b.Text).ToList();
        Assert.Equal(["1 Purpose", "2 Scope"], headings);
    }

    [Fact]
    public async Task Display_titles_badges_code_taglines_and_repeated_headings_are_read_as_people_read_them()
    {
        var builder = new PdfDocumentBuilder();
        var regular = builder.AddStandard14Font(Standard14Font.Helvetica);
        var bold = builder.AddStandard14Font(Standard14Font.HelveticaBold);
        var italic = builder.AddStandard14Font(Standard14Font.HelveticaOblique);
        var courier = builder.AddStandard14Font(Standard14Font.Courier);
        var page = builder.AddPage(PageSize.A4);
        // A title over two lines, the second a little smaller, then the same title again in a masthead.
        page.AddText("Harbour Flood Defence", 30, new PdfPoint(50, 770), bold);
        page.AddText("Programme Review", 27, new PdfPoint(50, 736), bold);
        page.AddText("Harbour Flood Defence Programme Review", 12, new PdfPoint(50, 700), bold);
        page.AddText("Independent advice for the councils that fund the sea walls", 11, new PdfPoint(50, 680), italic);
        var y = 650.0;
        void Body(int lines)
        {
            for (var i = 0; i < lines; i++)
            {
                page.AddText($"Body line {i + 1} describes the tide gauges, the sea walls and the inspection schedule", 10, new PdfPoint(50, y), regular);
                y -= 13;
            }

            y -= 12;
        }

        Body(4);
        // A section badge: the number drawn in white on a coloured shape, a tab away from the title.
        page.SetTextAndFillColor(30, 60, 160);
        page.DrawRectangle(new PdfPoint(48, y - 4), 16, 18, fill: true);
        page.SetTextAndFillColor(255, 255, 255);
        page.AddText("1", 13, new PdfPoint(53, y), bold);
        page.ResetColor();
        page.AddText("Inspection Findings", 13, new PdfPoint(75, y), bold);
        y -= 22;
        Body(3);
        page.AddText("SELECT wall_id FROM walls WHERE height < 3;", 11, new PdfPoint(50, y), courier);
        y -= 22;
        Body(3);

        var tree = await ParseAsync("display.pdf", builder.Build());

        var headings = tree.Blocks.Where(b => b.Kind == BlockKind.Heading).Select(b => b.Text).ToList();
        Assert.Equal(["Harbour Flood Defence Programme Review", "Inspection Findings"], headings);
        Assert.Contains(tree.Blocks, b => b.Kind == BlockKind.Paragraph && b.Text.StartsWith("Independent advice", StringComparison.Ordinal));
        Assert.Contains(tree.Blocks, b => b.Kind == BlockKind.Paragraph && b.Text.StartsWith("SELECT wall_id", StringComparison.Ordinal));
    }

    [Fact]
    public async Task In_a_form_made_of_tables_the_short_lines_between_the_tables_are_headings()
    {
        var builder = new PdfDocumentBuilder();
        var regular = builder.AddStandard14Font(Standard14Font.Helvetica);
        var bold = builder.AddStandard14Font(Standard14Font.HelveticaBold);
        var page = builder.AddPage(PageSize.A4);
        var y = 780.0;
        foreach (var (section, rows) in new[]
                 {
                     ("A. Applicant", new[] { ("Full legal company name", "Northwind"), ("Registered office address", "12 Quay St"), ("Registration number", "08812345"), ("Contact for the application", "M. Okafor") }),
                     ("B. Vessel", new[] { ("Registered vessel name", "Pioneer"), ("Gross registered tonnage", "4200 tonnes"), ("Flag state of the vessel", "Portugal"), ("Requested berth and quay", "Berth 4") }),
                 })
        {
            // Set exactly like the labels: only its place between the tables makes it a heading.
            page.AddText(section, 11, new PdfPoint(50, y), bold);
            y -= 24;
            foreach (var (label, value) in rows)
            {
                page.AddText(label, 11, new PdfPoint(50, y), bold);
                page.AddText(value, 10, new PdfPoint(250, y), regular);
                y -= 20;
            }

            y -= 20;
        }

        var tree = await ParseAsync("form.pdf", builder.Build());

        Assert.Equal(2, tree.Blocks.Count(b => b.Kind == BlockKind.Table));
        var headings = tree.Blocks.Where(b => b.Kind == BlockKind.Heading).Select(b => b.Text).ToList();
        Assert.Equal(["A. Applicant", "B. Vessel"], headings);
    }

    [SharedDataFact("documents/docling/pdf/sources/normal_4pages.pdf")]
    public async Task Korean_report_reads_its_two_columns_under_the_title_one_after_the_other()
    {
        var tree = await ParseAsync("normal_4pages.pdf", await File.ReadAllBytesAsync(SharedData.PathOf("documents/docling/pdf/sources/normal_4pages.pdf")!));

        Assert.DoesNotContain(tree.Blocks, b => b.Kind == BlockKind.Table && b.PageStart == 1);
        var text = string.Join("\n", tree.Blocks.Where(b => b.PageStart == 1).Select(b => b.Text));
        // The left column's last sentence comes before the right column's first one.
        var leftEnd = text.IndexOf("돌입하였음을 선언하였다", StringComparison.Ordinal);
        var rightStart = text.IndexOf("통상 질병보험금에 비해", StringComparison.Ordinal);
        Assert.True(leftEnd >= 0 && rightStart > leftEnd, "left column before right column");
        Assert.Contains(tree.Blocks, b => b.Kind == BlockKind.Heading && b.Text == "들어가며");
    }

    [SharedDataFact("documents/docling/pdf/sources/redp5110_sampled.pdf")]
    public async Task Turned_header_cells_read_in_their_own_direction_with_their_word_spaces()
    {
        var tree = await ParseAsync("redp5110_sampled.pdf", await File.ReadAllBytesAsync(SharedData.PathOf("documents/docling/pdf/sources/redp5110_sampled.pdf")!));

        var table = Assert.Single(tree.Blocks, b => b.Kind == BlockKind.Table && b.Rows![0][0] == "User action");
        Assert.Equal(["User action", "*JOBCTL", "QIBM_DB_SECADM", "QIBM_DB_SQLADM", "QIBM_DB_SYSMON", "No Authority"], table.Rows![0]);
    }

    [Fact]
    public async Task A_pdf_exported_from_word_keeps_its_third_heading_level_which_only_colour_sets_apart()
    {
        // Word's default styles: Heading 1 16 pt, Heading 2 13 pt, Heading 3 12 pt not bold, all in the accent
        // colour, over 11 pt black body text.
        var builder = new PdfDocumentBuilder();
        var regular = builder.AddStandard14Font(Standard14Font.Helvetica);
        var page = builder.AddPage(PageSize.A4);
        var y = 780.0;
        void Heading(string text, double size)
        {
            page.SetTextAndFillColor(47, 84, 150);
            page.AddText(text, size, new PdfPoint(72, y), regular);
            page.ResetColor();
            y -= size + 10;
        }

        void Body(int lines)
        {
            for (var i = 0; i < lines; i++)
            {
                page.AddText($"Body line {i + 1} sets out who approves access and how the approval is recorded", 11, new PdfPoint(72, y), regular);
                y -= 15;
            }

            y -= 10;
        }

        Heading("Access Control Policy", 16);
        Body(3);
        Heading("Approvals", 13);
        Body(3);
        Heading("Emergency access", 12);
        Body(3);
        Heading("Table 2: Approvers by system", 11);
        Body(2);

        var tree = await ParseAsync("word-export.pdf", builder.Build());

        var headings = tree.Blocks.Where(b => b.Kind == BlockKind.Heading).Select(b => (b.Text, b.Level)).ToList();
        Assert.Equal(["Access Control Policy", "Approvals", "Emergency access"], headings.Select(h => h.Text));
        Assert.True(headings[0].Level < headings[1].Level && headings[1].Level < headings[2].Level, string.Join(", ", headings));
    }

    [Fact]
    public async Task Paragraphs_set_without_space_between_them_are_told_apart_by_short_last_lines_and_indents()
    {
        var builder = new PdfDocumentBuilder();
        var regular = builder.AddStandard14Font(Standard14Font.Helvetica);
        var mono = builder.AddStandard14Font(Standard14Font.Courier);
        var page = builder.AddPage(PageSize.A4);
        var y = 760.0;
        void Line(string text, double x = 72, PdfDocumentBuilder.AddedFont? font = null)
        {
            page.AddText(text, 10, new PdfPoint(x, y), font ?? regular);
            y -= 13;
        }

        Line("The first paragraph explains the retention schedule for every system that keeps records,");
        Line("and how the records office reviews the schedule once a year with each system owner.");
        Line("It ends here.");
        Line("The second paragraph follows at the same line pitch, with no space above it at all, and");
        Line("describes the backup vault and who may enter it during the working week.");
        Line("The third paragraph is marked by its first-line indent rather than by a short line above,", x: 90);
        Line("so the paragraph above it ended at the full measure of the column of text on this page.");
        Line("function rotate(keys) {", font: mono);
        Line("  return keys.map(k => k.next());", font: mono);
        Line("}", font: mono);

        var tree = await ParseAsync("paragraphs.pdf", builder.Build());

        var starts = tree.Blocks.Select(b => b.Text[..Math.Min(20, b.Text.Length)]).ToList();
        Assert.Equal(["The first paragraph ", "The second paragraph", "The third paragraph ", "function rotate(keys"], starts);
    }

    [Fact]
    public async Task Columns_of_marks_stay_columns_and_a_bullet_still_keeps_its_text()
    {
        var builder = new PdfDocumentBuilder();
        var regular = builder.AddStandard14Font(Standard14Font.Helvetica);
        var page = builder.AddPage(PageSize.A4);
        var y = 760.0;
        page.AddText("Services offered to each group, by provider:", 10, new PdfPoint(72, y), regular);
        y -= 24;
        page.AddText("Group", 10, new PdfPoint(72, y), regular);
        page.AddText("State", 10, new PdfPoint(300, y), regular);
        page.AddText("Charities", 10, new PdfPoint(380, y), regular);
        foreach (var (group, state, charity) in new[] { ("Children", true, true), ("Women", true, false), ("Migrants", false, true), ("The elderly", true, true) })
        {
            y -= 16;
            page.AddText(group, 10, new PdfPoint(72, y), regular);
            page.AddText(state ? "*" : "-", 10, new PdfPoint(310, y), regular);
            page.AddText(charity ? "*" : "-", 10, new PdfPoint(400, y), regular);
        }

        y -= 30;
        page.AddText("*", 10, new PdfPoint(72, y), regular);
        page.AddText("Marked services are free of charge in every region.", 10, new PdfPoint(100, y), regular);

        var tree = await ParseAsync("marks.pdf", builder.Build());

        var table = Assert.Single(tree.Blocks, b => b.Kind == BlockKind.Table);
        Assert.Equal(["Children", "*", "*"], table.Rows![1]);
        Assert.Equal(["Women", "*", "-"], table.Rows[2]);
        Assert.Contains(tree.Blocks, b => b.Kind == BlockKind.ListItem && b.Text == "Marked services are free of charge in every region.");
    }

    [Theory]
    [InlineData("本制度适用于公司全体", "员工和外包人员。", "本制度适用于公司全体员工和外包人员。")]
    [InlineData("数据每日备份，", "保留三十天。", "数据每日备份，保留三十天。")]
    [InlineData("세계적 유행 단계에 돌", "입하였다", "세계적 유행 단계에 돌 입하였다")]
    [InlineData("backups are kept for", "thirty days", "backups are kept for thirty days")]
    [InlineData("infor-", "mation", "information")]
    public void Lines_join_with_a_space_except_where_the_script_wraps_between_characters(string left, string right, string joined) =>
        Assert.Equal(joined, ParagraphAssembler.JoinText(left, right));

    [Theory]
    [InlineData("数据每日备份并在异地", "保存三十天。", true)]
    [InlineData("数据每日备份并在异地保存。", "备份由运维部负责。", false)]
    [InlineData("数据每日备份并在异地", "第二条 备份由运维部负责。", false)]
    [InlineData("数据每日备份并在异地", "（二）备份由运维部负责。", false)]
    [InlineData("backups are kept in the", "vault for thirty days.", true)]
    [InlineData("backups are kept in the vault.", "Restores are tested monthly.", false)]
    public void A_paragraph_cut_by_a_page_break_is_joined_in_english_and_chinese(string end, string start, bool joined)
    {
        var box = new BoundingBox(72, 100, 500, 112);
        var previous = new AssembledBlock(BlockKind.Paragraph, end, 0, 3, 3, box);
        var next = new AssembledBlock(BlockKind.Paragraph, start, 0, 4, 4, box);

        Assert.Equal(joined, ParagraphAssembler.ContinuesAcrossPage(previous, next));
    }

    [Fact]
    public async Task A_reports_front_and_back_covers_keep_only_their_title_as_a_heading()
    {
        var builder = new PdfDocumentBuilder();
        var regular = builder.AddStandard14Font(Standard14Font.Helvetica);
        var bold = builder.AddStandard14Font(Standard14Font.HelveticaBold);

        // Front cover: a label, the title over two lines, marketing lines and an author list in display type, an imprint larger than all.
        var cover = builder.AddPage(PageSize.A4);
        cover.AddText("Front cover", 22, new PdfPoint(300, 780), bold);
        cover.AddText("Harbour Operations", 40, new PdfPoint(40, 690), bold);
        cover.AddText("Annual Review", 40, new PdfPoint(40, 645), bold);
        cover.AddText("Plan berths a season ahead", 15, new PdfPoint(40, 520), bold);
        cover.AddText("Cut crane idle time by a third", 15, new PdfPoint(40, 490), bold);
        cover.AddText("Ana Lima", 12, new PdfPoint(460, 220), regular);
        cover.AddText("Tom Berg", 12, new PdfPoint(460, 205), regular);
        cover.AddText("Portline", 64, new PdfPoint(300, 40), bold);

        for (var p = 1; p <= 2; p++)
        {
            var page = builder.AddPage(PageSize.A4);
            page.AddText($"{p} {(p == 1 ? "Berth Planning" : "Crane Maintenance")}", 18, new PdfPoint(60, 760), bold);
            page.AddText($"{p}.1 Scope", 13, new PdfPoint(60, 720), bold);
            for (var i = 0; i < 14; i++)
            {
                page.AddText($"Body line {i:00} of section {p} describes the harbour work done in the season.", 10, new PdfPoint(60, 690 - 14 * i), regular);
            }
        }

        // Back cover: the title again in smaller display type, a blurb in body type, a label and the imprint.
        var back = builder.AddPage(PageSize.A4);
        back.AddText("Back cover", 22, new PdfPoint(300, 780), bold);
        back.AddText("Harbour Operations Annual Review", 30, new PdfPoint(40, 700), bold);
        back.AddText("Portline", 28, new PdfPoint(420, 640), bold);
        for (var i = 0; i < 4; i++)
        {
            back.AddText($"Blurb line {i} says what this review covers and who should read it.", 10, new PdfPoint(40, 560 - 13 * i), regular);
        }

        var tree = await ParseAsync("cover.pdf", builder.Build());

        var headings = tree.Blocks.Where(b => b.Kind == BlockKind.Heading).Select(b => (b.Level, b.Text)).ToList();
        Assert.Equal(
        [
            (1, "Harbour Operations Annual Review"), (2, "1 Berth Planning"), (3, "1.1 Scope"),
            (2, "2 Crane Maintenance"), (3, "2.1 Scope"), (1, "Harbour Operations Annual Review"),
        ], headings);
        var text = string.Join("\n", tree.Blocks.Select(b => b.Text));
        foreach (var line in new[] { "Front cover", "Plan berths a season ahead", "Ana Lima", "Portline", "Back cover" })
        {
            Assert.Contains(line, text, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("7", true)]
    [InlineData("Page 3 of 9", true)]
    [InlineData("第 3 页 共 9 页", true)]
    [InlineData("第3页", true)]
    [InlineData("共9页 第3页", true)]
    [InlineData("xiv", true)]
    [InlineData("第三章 总则", false)]
    [InlineData("3 Scope", false)]
    public void Page_numbers_are_recognised_in_english_german_and_chinese_forms(string text, bool expected) =>
        Assert.Equal(expected, PageFurniture.IsPageNumber(text));

    [Theory]
    [InlineData("一、总则", 1)]
    [InlineData("（二）适用范围", 2)]
    [InlineData("第三章 数据安全", 1)]
    [InlineData("2.1 Linux", 2)]
    [InlineData("一般规定", null)]
    public void Chinese_numbering_sets_heading_depth(string text, int? depth) =>
        Assert.Equal(depth, HeadingClassifier.NumberingDepth(text));

    /// <summary>Twelve rows of a two-column body (10 pt) from <paramref name="top"/> down: left column at x 55–289, right at 307.</summary>
    private static void TwoColumnBody(PdfPageBuilder page, PdfDocumentBuilder.AddedFont regular, double top)
    {
        for (var i = 0; i < LeftColumn.Length; i++)
        {
            page.AddText(LeftColumn[i], 10, new PdfPoint(55, top - 13 * i), regular);
            page.AddText(RightColumn[i], 10, new PdfPoint(307, top - 13 * i), regular);
        }
    }

    [Fact]
    public async Task Titles_set_across_a_two_column_page_stay_one_heading_however_they_meet_the_gutter()
    {
        var builder = new PdfDocumentBuilder();
        var regular = builder.AddStandard14Font(Standard14Font.Helvetica);
        var bold = builder.AddStandard14Font(Standard14Font.HelveticaBold);

        // A title a little larger than the text (14.5 over 10 pt) whose word space falls in the gutter: the words
        // either side of it reach into the gutter band, where the columns' own lines stop at its edges.
        var first = builder.AddPage(PageSize.A4);
        const string Before = "Tackling the Poor Assumptions";
        var width = first.MeasureText(Before, 14.5, new PdfPoint(0, 0), bold).Max(l => l.BoundingBox.Right);
        first.AddText(Before + " of Naive Bayes Classifiers", 14.5, new PdfPoint(300 - width, 740), bold);
        TwoColumnBody(first, regular, 700);

        // A display title centred over two lines of different lengths, each on a row of its own above the columns.
        var second = builder.AddPage(PageSize.A4);
        foreach (var (line, y) in new[] { ("Approximate Neighbour Selection", 760.0), ("for Dense Retrieval", 736.0) })
        {
            var lineWidth = second.MeasureText(line, 20, new PdfPoint(0, 0), bold).Max(l => l.BoundingBox.Right);
            second.AddText(line, 20, new PdfPoint(297.5 - lineWidth / 2, y), bold);
        }

        TwoColumnBody(second, regular, 700);

        var tree = await ParseAsync("titles.pdf", builder.Build());

        var headings = tree.Blocks.Where(b => b.Kind == BlockKind.Heading).Select(b => (b.Text, b.PageStart)).ToList();
        Assert.Equal([("Tackling the Poor Assumptions of Naive Bayes Classifiers", 1), ("Approximate Neighbour Selection for Dense Retrieval", 2)], headings);
        var text = string.Join("\n", tree.Blocks.Where(b => b.PageStart == 1).Select(b => b.Text));
        Assert.True(text.IndexOf(LeftColumn[^1], StringComparison.Ordinal) < text.IndexOf(RightColumn[0], StringComparison.Ordinal), "left column before right");
    }

    [Fact]
    public async Task Text_running_up_the_margin_of_an_upright_page_is_read_whole_after_it_and_heads_nothing()
    {
        // An arXiv-style stamp: 20 pt Helvetica reading upwards in the left margin, beside a title and body.
        var lines = new List<PdfTurnedLine>
        {
            new("Harbour Survey Results", 18, 100, 760, 0),
            new("arXiv:2108.11480v1 [cs.IR] 25 Aug 2021", 20, 40, 250, 90),
        };
        lines.AddRange(Enumerable.Range(0, 20).Select(i => new PdfTurnedLine($"Body line {i + 1:00} records the tide gauges and the sea walls", 10, 100, 700 - 14 * i, 0)));

        var tree = await ParseAsync("stamp.pdf", RotatedPagePdf.TurnedText(lines));

        Assert.DoesNotContain(tree.Blocks, b => b.Kind == BlockKind.Table);
        Assert.Equal(["Harbour Survey Results"], tree.Blocks.Where(b => b.Kind == BlockKind.Heading).Select(b => b.Text));
        var stamp = Assert.Single(tree.Blocks, b => b.Text.Contains("arXiv", StringComparison.Ordinal));
        Assert.Equal("arXiv:2108.11480v1 [cs.IR] 25 Aug 2021", stamp.Text);
        Assert.Equal(BlockKind.Paragraph, stamp.Kind);
        var body = string.Join("\n", tree.Blocks.Where(b => b.Kind == BlockKind.Paragraph && b != stamp).Select(b => b.Text));
        var positions = Enumerable.Range(1, 20).Select(i => body.IndexOf($"Body line {i:00} records", StringComparison.Ordinal)).ToList();
        Assert.All(positions, p => Assert.True(p >= 0));
        Assert.Equal(positions.Order(), positions);
    }

    [Fact]
    public async Task A_subsection_name_used_again_after_prose_under_another_section_stays_a_heading()
    {
        var builder = new PdfDocumentBuilder();
        var regular = builder.AddStandard14Font(Standard14Font.Helvetica);
        var bold = builder.AddStandard14Font(Standard14Font.HelveticaBold);
        var page = builder.AddPage(PageSize.A4);
        var y = 780.0;
        foreach (var section in new[] { "1 Travel", "2 Equipment" })
        {
            page.AddText(section, 16, new PdfPoint(50, y), bold);
            y -= 26;
            page.AddText("Records to Keep", 13, new PdfPoint(50, y), bold);
            y -= 20;
            for (var i = 0; i < 3; i++)
            {
                page.AddText($"The site lead keeps every receipt and the signed request for audit, copy {i + 1}.", 10.5, new PdfPoint(50, y), regular);
                y -= 13;
            }

            y -= 16;
        }

        var tree = await ParseAsync("repeated.pdf", builder.Build());

        var headings = tree.Blocks.Where(b => b.Kind == BlockKind.Heading).Select(b => (b.Text, b.Level)).ToList();
        Assert.Equal(4, headings.Count);
        Assert.Equal(["1 Travel", "Records to Keep", "2 Equipment", "Records to Keep"], headings.Select(h => h.Text));
        Assert.Equal(headings[1].Level, headings[3].Level);
    }
}
