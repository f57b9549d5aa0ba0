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
}
