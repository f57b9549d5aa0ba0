using RagService.Core.Documents;
using RagService.Ingestion.Chunking;
using RagService.Ingestion.Parsing;
using RagService.Ingestion.Parsing.Ocr;
using RagService.Ingestion.Parsing.Pdf;

namespace RagService.Ingestion.Tests.Generalisation;

/// <summary>
/// The layout rules issue 15 added, each on the smallest input that shows its class of document: wrapped header
/// cells, typed bullet glyphs, numbered sections on a lone page, small-type margin headers, table cells at the
/// foot of a page, picture noise in OCR.
/// </summary>
public sealed class LayoutRuleTests
{
    [Fact]
    public void A_header_wrapped_onto_a_second_line_is_one_header_row()
    {
        IReadOnlyList<IReadOnlyList<string>> rows =
        [
            ["City", "Nightly cap", "Meal allowance", "Approval level"],
            ["", "(EUR)", "(EUR)", ""],
            ["Lisbon", "140", "35", "Manager"],
            ["Porto", "120", "30", "Director"],
        ];

        var joined = TableHeader.JoinWrapped(rows);

        Assert.Equal(3, joined.Count);
        Assert.Equal(["City", "Nightly cap (EUR)", "Meal allowance (EUR)", "Approval level"], joined[0]);
    }

    [Fact]
    public void A_body_row_with_missing_values_is_not_taken_for_a_wrapped_header()
    {
        IReadOnlyList<IReadOnlyList<string>> rows =
        [
            ["City", "Nightly cap", "Approval level"],
            ["Dublin", "", "Vice president"],
            ["Lisbon", "140", "Manager"],
            ["Porto", "120", "Director"],
        ];

        Assert.Same(rows, TableHeader.JoinWrapped(rows));
    }

    [Theory]
    [InlineData("•\tAttach the form", "Attach the form")]
    [InlineData("➢ Sign the request", "Sign the request")]
    [InlineData("▪ Keep receipts", "Keep receipts")]
    public void Typed_bullet_glyphs_start_list_items_and_are_stripped(string text, string item)
    {
        Assert.True(ListGlyphs.StartsWithGlyph(text));
        Assert.Equal(item, ListGlyphs.Strip(text));
    }

    [Fact]
    public void A_number_or_a_word_is_not_a_bullet()
    {
        Assert.False(ListGlyphs.StartsWithGlyph("2024 figures"));
        Assert.False(ListGlyphs.StartsWithGlyph("•"));
    }

    [Fact]
    public void A_lone_numbered_section_is_not_the_title_so_its_text_keeps_a_section_path()
    {
        var builder = new DocumentTreeBuilder();
        builder.Add(BlockKind.Heading, "4 Accommodation", 1);
        builder.Add(BlockKind.Paragraph, "Hotels are booked through the travel desk.");
        builder.Add(BlockKind.Heading, "4.1 Hotels", 2);
        builder.Add(BlockKind.Paragraph, "The nightly cap is 140 EUR.");
        var tree = builder.Build(null);

        Assert.Null(SectionPathTracker.FindTitleHeading(tree));
        Assert.True(NumberedHeading.IsNumbered("第三章 总则"));
        Assert.False(NumberedHeading.IsNumbered("2024 Annual Report"));
    }

    [Fact]
    public void A_lone_page_loses_its_small_type_header_and_footer_but_keeps_table_cells_at_its_foot()
    {
        const double height = 842;
        List<PdfLine> lines =
        [
            Line("Contoso — Internal — Travel Policy v4.2", 57, 814, 7),
            Line("4 Accommodation", 57, 640, 15),
            Line("Hotels are booked through the travel desk before any trip is made.", 57, 600, 10.5),
            Line("Rooms are shared only on request and with the line manager's consent.", 57, 586, 10.5),
            Line("Lisbon D", 57, 109, 10.5),
            Line("118", 177, 109, 10.5),
            Line("50", 298, 109, 10.5),
            Line("Dublin E", 57, 91, 10.5),
            Line("149", 177, 91, 10.5),
            Line("29", 298, 91, 10.5),
            Line("Travel Policy · Page 1", 57, 23, 8),
        ];

        var kept = PageFurniture.Remove(lines, pageCount: 1).Select(l => l.Text).ToList();

        Assert.DoesNotContain("Contoso — Internal — Travel Policy v4.2", kept);
        Assert.DoesNotContain("Travel Policy · Page 1", kept);
        Assert.Contains("149", kept);
        Assert.Contains("29", kept);
        Assert.Contains("4 Accommodation", kept);

        static PdfLine Line(string text, double x, double y, double size) =>
            new(1, text, new BoundingBox(x, y, x + (text.Length * size * 0.5), y + size), size, false, 0, height);
    }

    [Fact]
    public void A_footer_row_spread_over_two_pages_loses_its_page_numbers_and_title_under_a_table()
    {
        const double height = 595;
        List<PdfLine> lines =
        [
            Line("Eligible groups", 774, 200, 9),
            Line("Internally displaced persons", 792, 83, 9),
            Line("*", 1071, 83, 9),
            Line("*", 1141, 83, 9),
            Line("No", 149, 156, 9),
            Line("208", 42, 29, 9),
            Line("Global Study on Legal Aid — Global Report", 315, 29, 9),
            Line("Annex", 738, 29, 9),
            Line("209", 1167, 29, 9),
        ];

        var kept = PageFurniture.Remove(lines, pageCount: 1).Select(l => l.Text).ToList();

        Assert.DoesNotContain("208", kept);
        Assert.DoesNotContain("209", kept);
        Assert.DoesNotContain("Global Study on Legal Aid — Global Report", kept);
        Assert.DoesNotContain("Annex", kept);
        Assert.Contains("Internally displaced persons", kept);

        static PdfLine Line(string text, double x, double y, double size) =>
            new(1, text, new BoundingBox(x, y, x + (text.Length * size * 0.5), y + size), size, true, 0, height);
    }

    [Fact]
    public void Words_tesseract_doubts_without_letters_leave_the_line_and_empty_lines_go()
    {
        var box = new BoundingBox(0, 0, 10, 10);
        OcrLine Line(params (string Text, double Confidence)[] words) =>
            new(1, string.Join(' ', words.Select(w => w.Text)), box, 10, 0, 0, words.Average(w => w.Confidence))
            {
                Words = words.Select(w => new OcrWord(w.Text, box, w.Confidence)).ToList(),
            };
        var page = new OcrPage(1, 595, 842,
        [
            Line(("|", 20), ("_a", 40), ("——", 30)),
            Line((",", 45), ("The", 91), ("deposit", 93), ("is", 95), ("120", 96)),
            Line(("Sao", 55), ("Paulo", 88)),
        ]);

        var lines = PictureNoise.Remove(page).Lines;

        Assert.Equal(["The deposit is 120", "Sao Paulo"], lines.Select(l => l.Text));
    }
    [Fact]
    public void A_doubted_section_number_opening_a_line_stays_with_it()
    {
        var box = new BoundingBox(0, 0, 10, 10);
        OcrLine Line(params (string Text, double Confidence)[] words) =>
            new(1, string.Join(' ', words.Select(w => w.Text)), box, 10, 0, 0, words.Average(w => w.Confidence))
            {
                Words = words.Select(w => new OcrWord(w.Text, box, w.Confidence)).ToList(),
            };
        var page = new OcrPage(1, 595, 842,
        [
            Line(("7.1", 51), ("Limits", 96)),
            Line(("3.", 50), ("Check", 95), ("the", 96), ("log", 96)),
            Line(("7.1", 51), ("|", 20)),
            Line(("Rates", 95), ("4.2", 40)),
        ]);

        var lines = PictureNoise.Remove(page).Lines;

        Assert.Equal(["7.1 Limits", "3. Check the log", "Rates"], lines.Select(l => l.Text));
    }

    [Fact]
    public void Type_size_from_glyph_heights_ignores_a_speck_and_compares_chinese_with_latin()
    {
        // 10.5 pt at 300 dpi is a 43.75 px em: capitals stand about 31 px tall, ideographs about 39 px.
        Assert.Equal(0.7, OcrEngine.EmShare("T"));
        Assert.Equal(0.7, OcrEngine.EmShare("7"));
        Assert.Equal(0.7, OcrEngine.EmShare("k"));
        Assert.Null(OcrEngine.EmShare("e"));
        Assert.Null(OcrEngine.EmShare("，"));
        Assert.Equal(0.9, OcrEngine.EmShare("规"));

        var latin = new[] { 31.0, 32, 31, 52, 31 }.Select(h => h / 0.7).ToList();
        var chinese = new[] { 39.0, 40, 39, 39, 27 }.Select(h => h / 0.9).ToList();
        Assert.InRange(OcrEngine.FontEm(latin, [])!.Value, 43, 46.5);
        Assert.InRange(OcrEngine.FontEm(chinese, [])!.Value, 43, 46.5);

        // Without full-height glyphs the words decide, the doubted one (a speck read as a quote mark) left out.
        Assert.InRange(OcrEngine.FontEm([], [(22.0, 96), (60, 40), (23, 95)])!.Value, 31, 34);
        Assert.Null(OcrEngine.FontEm([], []));
    }

    [Fact]
    public void On_a_scan_numbering_gives_heading_levels_under_a_larger_title()
    {
        static PdfLine Line(string text, double size) =>
            new(1, text, new BoundingBox(57, 700, 300, 700 + size), size, false, 0, 842) { Recognized = true };
        var body = Enumerable.Range(0, 12).Select(i => Line($"The auditor keeps the travel itinerary within five working days, line {i}.", i % 3 == 0 ? 11 : 10)).ToList();
        var title = Line("Travel Policy", 18);
        var section = Line("3 Purpose", 15);
        var subsection = Line("3.1 Deadlines", 14);
        var another = Line("3.2 General Rules", 13);
        var listItem = Line("1. Compare the cost estimate before the end of the month.", 11);
        var overMeasured = Line("3402 EUR, rule 9040", 11);
        var classifier = HeadingClassifier.Create([.. body, title, section, subsection, another, listItem, overMeasured]);

        Assert.Equal(1, classifier.LevelOf(title));
        Assert.Equal(2, classifier.LevelOf(section));
        // 14 pt is within a point of the 15 pt section heading, but "3.1" is one level deeper than "3".
        Assert.Equal(3, classifier.LevelOf(subsection));
        Assert.Equal(3, classifier.LevelOf(another));
        Assert.Null(classifier.LevelOf(listItem));
        Assert.Null(classifier.LevelOf(overMeasured));
        Assert.All(body, l => Assert.Null(classifier.LevelOf(l)));
    }

    [Fact]
    public void Chinese_table_cells_read_from_one_ocr_line_keep_their_characters_together()
    {
        OcrWord Word(string text, double left) => new(text, new BoundingBox(left, 600, left + (text.Length * 10.5), 609), 93);
        var words = new[] { Word("住宿", 177), Word("上", 198), Word("限", 208.5), Word("审批", 418), Word("级", 439), Word("别", 449.5) };
        var line = new OcrLine(1, "住宿上限审批级别", new BoundingBox(177, 600, 460, 609), 10.5, 0, 0, 93) { Words = words };

        var cells = OcrLayout.ToPdfLines(new OcrPage(1, 595, 842, [line])).Select(l => l.Text).ToList();

        Assert.Equal(["住宿上限", "审批级别"], cells);
    }

    [Fact]
    public void A_cover_page_is_recognised_only_when_display_type_holds_its_text_on_the_first_of_three_pages()
    {
        static PdfLine Line(int page, string text, double y, double size, bool bold = false) =>
            new(page, text, new BoundingBox(57, y, 57 + (text.Length * size * 0.5), y + size), size, bold, 0, 842);
        var inside = Enumerable.Range(2, 2).SelectMany(p => Enumerable.Range(0, 10).Select(i =>
            Line(p, $"Body text line {i} on page {p} about grain silos and their upkeep.", 700 - 14 * i, 10))).ToList();
        inside.Add(Line(2, "1 Storage", 740, 16, bold: true));
        var title = Line(1, "Grain Storage Guide", 650, 36, bold: true);
        var slogan = Line(1, "Keep every harvest dry", 500, 14, bold: true);
        var imprint = Line(1, "Agrimax", 40, 60, bold: true);
        var label = Line(1, "Front cover", 780, 20, bold: true);
        var classifier = HeadingClassifier.Create([label, title, slogan, imprint, .. inside]);

        Assert.Equal(1, classifier.LevelOf(title));
        Assert.Null(classifier.LevelOf(slogan));
        Assert.Null(classifier.LevelOf(imprint));
        Assert.Null(classifier.LevelOf(label));
        // The cover's sizes are not ranked: the document's own largest headings sit right under the cover title.
        Assert.Equal(2, classifier.LevelOf(inside[^1]));

        // A first page with running text under its title (a paper, a memo) is no cover: its larger lines are headings.
        var paper = Enumerable.Range(0, 8).Select(i => Line(1, $"Abstract line {i} sums up the study of silo humidity over ten years.", 560 - 14 * i, 10)).ToList();
        var plain = HeadingClassifier.Create([title, slogan, .. paper, .. inside]);
        Assert.Equal(1, plain.LevelOf(title));
        Assert.NotNull(plain.LevelOf(slogan));

        // Two pages are a note, not a publication with covers.
        var twoPages = HeadingClassifier.Create([label, title, slogan, .. inside.Where(l => l.Page == 2)]);
        Assert.NotNull(twoPages.LevelOf(slogan));
    }

    /// <summary>A recognised line of words set left to right, 6 points apart, on the given baseline.</summary>
    private static OcrLine WordsAt(double baseline, double size, params (string Text, double Confidence, double Left)[] words)
    {
        var boxes = words.Select(w => new OcrWord(w.Text, new BoundingBox(w.Left, baseline, w.Left + (w.Text.Length * size * 0.5), baseline + (size * 0.7)), w.Confidence)).ToList();
        return new OcrLine(1, string.Join(' ', words.Select(w => w.Text)), boxes.Select(w => w.Box).Aggregate((a, b) => a.Union(b)), size, 0, 0,
            words.Average(w => w.Confidence)) { Words = boxes };
    }

    [Fact]
    public void A_speck_read_as_letters_goes_and_short_lowercase_words_stay()
    {
        // 10 pt body; "is" and "an" stand at x-height (5 pt); "oe" is a 3 pt speck beside the line, "7" a digit of full height.
        static OcrWord Word(string text, double left, double bottom, double height, double confidence = 93) =>
            new(text, new BoundingBox(left, bottom, left + (text.Length * 5), bottom + height), confidence);
        var page = new OcrPage(1, 595, 842,
        [
            WordsAt(700, 10, ("Receipts", 96, 57), ("are", 96, 100), ("kept.", 96, 120)),
            new OcrLine(1, "it is an order", new BoundingBox(57, 680, 140, 687), 10, 0, 0, 93)
                { Words = [Word("it", 57, 680, 7), Word("is", 70, 680, 5), Word("an", 82, 680, 5), Word("order", 97, 680, 7)] },
            new OcrLine(1, "oe", new BoundingBox(324, 680, 330, 683), 10, 0, 0, 88) { Words = [Word("oe", 324, 680, 3, 88)] },
            new OcrLine(1, "Riga 7", new BoundingBox(57, 660, 200, 667), 10, 0, 0, 90)
                { Words = [Word("Riga", 57, 660, 7), Word("7", 190, 660, 7, 80)] },
        ]);

        var lines = PictureNoise.Remove(page).Lines.Select(l => l.Text).ToList();

        Assert.Equal(["Receipts are kept.", "it is an order", "Riga 7"], lines);
    }

    [Fact]
    public void A_pictures_edge_read_beside_text_lines_leaves_them_and_the_lines_stay_whole()
    {
        // A picture on the right: its edge comes back as one- or two-character "words" a wide gap after each line.
        var page = new OcrPage(1, 595, 842,
        [
            WordsAt(690, 10, ("Figure", 97, 57), ("1:", 97, 88), ("Sites", 96, 100), ("N", 69, 277)),
            WordsAt(670, 10, ("The", 97, 57), ("site", 97, 78), ("lead", 97, 100), ("a", 17, 278)),
            WordsAt(656, 10, ("after", 96, 57), ("every", 96, 85), ("change.", 97, 115), ("\\", 79, 279)),
            WordsAt(642, 10, ("compares", 97, 57), ("the", 96, 106), ("log", 96, 125), ("»", 18, 278)),
            WordsAt(558, 10, ("of", 97, 57), ("the", 97, 70), ("review.", 96, 90), ("~", 60, 280)),
        ]);

        var lines = PictureNoise.Remove(page).Lines.Select(l => l.Text).ToList();

        Assert.Equal(["Figure 1: Sites", "The site lead", "after every change.", "compares the log", "of the review."], lines);
    }

    [Fact]
    public void A_column_of_confident_short_cells_and_doubted_list_numbers_opening_lines_are_not_a_pictures_edge()
    {
        var page = new OcrPage(1, 595, 842,
        [
            WordsAt(690, 10, ("Lisbon", 96, 57), ("7", 93, 300)),
            WordsAt(676, 10, ("Porto", 95, 57), ("12", 94, 300)),
            WordsAt(662, 10, ("Faro", 96, 57), ("9", 91, 300)),
            WordsAt(600, 10, ("1.", 50, 70), ("Keep", 96, 90), ("receipts", 96, 115)),
            WordsAt(586, 10, ("2.", 45, 70), ("Book", 96, 90), ("early", 96, 115)),
            WordsAt(572, 10, ("3.", 52, 70), ("Ask", 96, 90), ("first", 96, 115)),
        ]);

        var lines = PictureNoise.Remove(page).Lines.Select(l => l.Text).ToList();

        Assert.Equal(["Lisbon 7", "Porto 12", "Faro 9", "1. Keep receipts", "2. Book early", "3. Ask first"], lines);
    }

    [Fact]
    public void A_real_word_read_at_low_confidence_in_a_sure_line_stays_and_a_doubted_line_of_hatching_goes()
    {
        var page = new OcrPage(1, 595, 842,
        [
            WordsAt(712, 10, ("any", 97, 57), ("payment", 0, 77), ("is", 0, 120), ("made.", 96, 131)),
            WordsAt(689, 18, ("WCURW", 37, 320), ("RI", 71, 454), ("WwW", 42, 522)),
            WordsAt(666, 18, ("Ni", 30, 320), ("MAG", 74, 400), ("SN", 87, 477), ("WXyy", 22, 504)),
            WordsAt(650, 10, ("Rates", 92, 57), ("Qx", 20, 200)),
            WordsAt(640, 15, ("|", 78, 218)),
            WordsAt(630, 10, ("-", 90, 300)),
        ]);

        var lines = PictureNoise.Remove(page).Lines.Select(l => l.Text).ToList();

        // "Qx" is far from the sure word: not read beside it, so it stays out.
        // A lone stroke mark is a rule or a picture's edge; a lone dash may be a table's empty cell and stays.
        Assert.Equal(["any payment is made.", "Rates", "-"], lines);
    }

    [Fact]
    public void Marks_inside_a_picture_beside_a_wrapped_column_go_and_sure_words_there_stay()
    {
        // A picture on the left: the text beside it starts at 283 on every row, the page's text at 57; Tesseract read the
        // picture's bars and hatching as "NN", "SRS", "WN" at 55–80, and an axis label on the picture, "40", at 96.
        var page = new OcrPage(1, 595, 842,
        [
            WordsAt(740, 11, ("The", 97, 57), ("line", 96, 78), ("manager", 96, 97), ("submits", 96, 142), ("the", 96, 180), ("forecast", 96, 198)),
            WordsAt(691, 9, ("NN", 61, 206), ("Figure", 95, 283), ("2:", 97, 311), ("Sites", 96, 321), ("visited", 96, 344), ("Lisbon", 97, 381)),
            WordsAt(671, 11, ("WN", 55, 247), ("The", 97, 283), ("project", 96, 304), ("owner", 96, 339), ("reports", 96, 370)),
            WordsAt(656, 11, ("SRS", 80, 56), ("40", 96, 120), ("shared", 97, 283), ("register.", 97, 318), ("Every", 97, 359), ("contractor", 97, 389)),
            WordsAt(642, 11, ("itinerary", 96, 283), ("as", 97, 323), ("part", 96, 338), ("of", 96, 358), ("the", 96, 370), ("annual", 96, 387)),
            WordsAt(600, 11, ("The", 97, 57), ("employee", 96, 78), ("keeps", 96, 130), ("the", 96, 160), ("list", 95, 180)),
        ]);

        var lines = PictureNoise.Remove(page).Lines.Select(l => l.Text).ToList();

        Assert.Equal(
        [
            "The line manager submits the forecast", "Figure 2: Sites visited Lisbon", "The project owner reports",
            "40 shared register. Every contractor", "itinerary as part of the annual", "The employee keeps the list",
        ], lines);
    }

    [Fact]
    public void Table_cells_read_at_low_confidence_stay_when_they_line_up_with_their_columns_sure_cells()
    {
        // A ruled table on a scan: a border crowds "Dublin D" and "202", which Tesseract reads at 5 and 18. They start
        // pieces of their rows where sure cells of two rows nearby start. A doubted word at a place no sure cell starts
        // ("Qn" of a picture beside the table) and a border's speck in the column ("Oe") still go.
        var page = new OcrPage(1, 595, 842,
        [
            WordsAt(500, 11, ("City", 97, 57), ("Nightly", 97, 178), ("cap", 97, 222), ("Meal", 96, 298)),
            WordsAt(486, 11, ("Oe", 20, 57), ("(EUR)", 95, 178), ("(EUR)", 97, 298)),
            WordsAt(469, 11, ("Seville", 97, 57), ("A", 97, 100), ("140", 97, 178), ("27", 97, 298)),
            WordsAt(450, 11, ("Seville", 93, 57), ("B", 93, 100), ("202", 18, 178), ("41", 96, 298)),
            WordsAt(432, 11, ("DublinD", 5, 57), ("132", 97, 178), ("54", 73, 298), ("Qn", 12, 470)),
            WordsAt(413, 11, ("Porto", 93, 57), ("E", 93, 92), ("155", 97, 178), ("40", 97, 298)),
        ]);

        var lines = PictureNoise.Remove(page).Lines.Select(l => l.Text).ToList();

        Assert.Equal(["City Nightly cap Meal", "(EUR) (EUR)", "Seville A 140 27", "Seville B 202 41", "DublinD 132 54", "Porto E 155 40"], lines);
    }

    [Fact]
    public void Lines_tesseract_read_with_a_table_wait_for_the_paragraph_wrapped_beside_a_picture_above_them()
    {
        // Tesseract's blocks, in its order: a paragraph; a table's first column block, which also took the last line of
        // the paragraph above the table; the text wrapped beside a picture over the table (read late); the table's
        // second column block, which took that paragraph's first line.
        var page = new OcrPage(1, 595, 842,
        [
            WordsAt(708, 11, ("The", 97, 57), ("line", 97, 80), ("manager", 97, 105), ("archives", 97, 150), ("every", 97, 200), ("receipt.", 97, 240)) with { Block = 1 },
            WordsAt(506, 11, ("record", 96, 57), ("with", 96, 95), ("the", 96, 122), ("original", 96, 142), ("documents.", 96, 190)) with { Block = 2 },
            WordsAt(458, 11, ("Bergen", 96, 57), ("A", 96, 94), ("102", 96, 178)) with { Block = 2 },
            WordsAt(440, 11, ("Hamburg", 96, 57), ("B", 96, 102), ("196", 96, 178)) with { Block = 2 },
            WordsAt(627, 11, ("The", 96, 278), ("regional", 96, 300), ("office", 96, 350), ("approves", 96, 388), ("the", 96, 440), ("list.", 96, 462)) with { Block = 3 },
            WordsAt(536, 13, ("5.1", 96, 279), ("Scope", 96, 302), ("of", 96, 345), ("Checks", 96, 362)) with { Block = 3 },
            WordsAt(518, 11, ("The", 96, 57), ("auditor", 96, 80), ("keeps", 96, 125), ("the", 96, 160), ("signed", 96, 182), ("request", 96, 222), ("and", 96, 268),
                ("updates", 96, 292), ("the", 96, 338), ("calibration", 96, 360)) with { Block = 4 },
            WordsAt(458, 11, ("46", 96, 298)) with { Block = 4 },
            WordsAt(440, 11, ("25", 96, 298)) with { Block = 4 },
        ]);

        var texts = OcrLayout.ToPdfLines(page).Select(l => l.Text).ToList();

        Assert.Equal(
        [
            "The line manager archives every receipt.", "The regional office approves the list.", "5.1 Scope of Checks",
            "The auditor keeps the signed request and updates the calibration", "record with the original documents.",
            "Bergen A", "102", "Hamburg B", "196", "46", "25",
        ], texts);
    }

    [Fact]
    public void Two_columns_keep_tesseracts_order_and_a_paragraph_a_column_block_ran_on_into_stays_below_the_heading_before_it()
    {
        // Left column (blocks 1, 2), right column (block 3, set a little higher) wholly above block 2's end: read left
        // then right, as Tesseract did, since the columns do not share a stretch across the page. Then a table
        // whose last column block (5) runs on below the next heading (block 6) into a paragraph: that paragraph follows it.
        var page = new OcrPage(1, 595, 842,
        [
            WordsAt(700, 10, ("Left", 96, 57), ("column", 96, 80), ("opens", 96, 120), ("here.", 96, 150)) with { Block = 1 },
            WordsAt(600, 10, ("Left", 96, 57), ("column", 96, 80), ("ends", 96, 120), ("here.", 96, 150)) with { Block = 2 },
            WordsAt(720, 10, ("Right", 96, 320), ("column", 96, 345), ("opens", 96, 385), ("here.", 96, 415)) with { Block = 3 },
            WordsAt(620, 10, ("Right", 96, 320), ("column", 96, 345), ("ends", 96, 385), ("here.", 96, 415)) with { Block = 3 },
            WordsAt(450, 10, ("Oslo", 96, 57)) with { Block = 4 },
            WordsAt(435, 10, ("Riga", 96, 57)) with { Block = 4 },
            WordsAt(450, 10, ("136", 96, 300)) with { Block = 5 },
            WordsAt(435, 10, ("129", 96, 300)) with { Block = 5 },
            WordsAt(350, 10, ("Every", 96, 57), ("contractor", 96, 85), ("updates", 96, 140), ("the", 96, 180), ("travel", 96, 200), ("itinerary.", 96, 235)) with { Block = 5 },
            WordsAt(380, 13, ("7.2", 96, 57), ("Examples", 96, 80)) with { Block = 6 },
        ]);

        var texts = OcrLayout.ToPdfLines(page).Select(l => l.Text).ToList();

        Assert.Equal(
        [
            "Left column opens here.", "Left column ends here.", "Right column opens here.", "Right column ends here.",
            "Oslo", "Riga", "136", "129", "7.2 Examples", "Every contractor updates the travel itinerary.",
        ], texts);
    }

    [Fact]
    public void Flat_boxes_that_each_lie_above_the_other_are_still_all_read()
    {
        // Two zero-height lines at one height, overlapping across the page: each is "wholly above" the other.
        static OcrLine Flat(string text, double left, int block) =>
            new(1, text, new BoundingBox(left, 500, left + 100, 500), 10, block, 0, 96) { Words = [new OcrWord(text, new BoundingBox(left, 500, left + 100, 500), 96)] };
        var page = new OcrPage(1, 595, 842, [Flat("first", 57, 1), Flat("second", 60, 2), WordsAt(400, 10, ("below", 96, 57)) with { Block = 3 }]);

        var texts = OcrLayout.ToPdfLines(page).Select(l => l.Text).ToList();

        Assert.Equal(3, texts.Count);
        Assert.Equal("below", texts[^1]);
    }
}
