using RagService.Core.Documents;
using RagService.Ingestion.Parsing.Pdf;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;
using Xunit.Abstractions;
using PageSize = UglyToad.PdfPig.Content.PageSize;

namespace RagService.Ingestion.Tests;

/// <summary>
/// How producers place glyphs, seen on real PDFs outside the scored sets and rebuilt here with PdfPig's writer:
/// a fake bold that paints every glyph twice a fraction of a point apart (doubled text, "第第一一章章"), glyphs
/// words set apart by moving the pen with no space glyph, so that a word extractor runs them together
/// ("comparisonofthreecommon"), accents drawn as glyphs of their own over their letters ("Universite ´"), glyphs placed one by one so that a word extractor returns single letters ("T h e S S M 2 1 6 3", rebuilt here from the
/// letters PdfPig's writer measures: the writer sets true widths, so its own files do not come apart), and author lines
/// set bold under a paper's title, which pass every test a heading does, as do the rest of a sentence set bold on a
/// line of its own and a bold bullet.
/// </summary>
public sealed class PdfGlyphPlacementTests(ITestOutputHelper output) : PdfParsingTest(output)
{
    private static void Body(PdfPageBuilder page, PdfDocumentBuilder.AddedFont font, ref double y, int lines, string topic)
    {
        for (var i = 0; i < lines; i++)
        {
            page.AddText($"Line {i + 1} on {topic} tells the committee how the tide gauges are checked.", 10, new PdfPoint(60, y), font);
            y -= 13;
        }

        y -= 12;
    }

    [Fact]
    public async Task Text_painted_twice_for_a_fake_bold_is_read_once_and_true_double_letters_stay()
    {
        var builder = new PdfDocumentBuilder();
        var regular = builder.AddStandard14Font(Standard14Font.Helvetica);
        var page = builder.AddPage(PageSize.A4);
        var y = 780.0;
        // Each glyph of the heading painted again 0.4 pt to the right: a fake bold.
        void FakeBold(string text, double size)
        {
            var letters = page.MeasureText(text, size, new PdfPoint(60, y), regular);
            foreach (var letter in letters.Where(l => !string.IsNullOrWhiteSpace(l.Value)))
            {
                page.AddText(letter.Value, size, letter.StartBaseLine, regular);
                page.AddText(letter.Value, size, new PdfPoint(letter.StartBaseLine.X + 0.4, letter.StartBaseLine.Y), regular);
            }

            y -= size * 2;
        }

        FakeBold("Committee Summary", 16);
        Body(page, regular, ref y, 4, "the summary");
        // A whole line painted a second time over itself (fill, then again as outline).
        page.AddText("Tidal Assessment Process", 16, new PdfPoint(60, y), regular);
        page.AddText("Tidal Assessment Process", 16, new PdfPoint(60.3, y - 0.2), regular);
        y -= 32;
        Body(page, regular, ref y, 4, "the assessment");

        var tree = await ParseAsync("fake-bold.pdf", builder.Build());

        var headings = tree.Blocks.Where(b => b.Kind == BlockKind.Heading).Select(b => b.Text).ToList();
        Assert.Equal(["Committee Summary", "Tidal Assessment Process"], headings);
        // Letters doubled by the writer stay doubled: "committee" has mm, tt and ee a full advance apart.
        Assert.Contains(tree.Blocks, b => b.Text.Contains("tells the committee how", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("The SSM2163 is an ideal companion product", "The|SSM2163|is|an|ideal|companion|product")]
    [InlineData("FEATURES", "FEATURES")]
    // Single digits a word space apart (a rating scale) are separate numbers.
    [InlineData("Rate it 1 2 3 4 5 where five is best", "Rate|it|1|2|3|4|5|where|five|is|best")]
    public void Letters_a_word_extractor_returned_one_by_one_are_rebuilt_into_words_at_the_wider_gaps(string line, string words)
    {
        // The letters as a producer that places every glyph on its own sets them: the extractor (here, one word per
        // letter, as PdfPig's returns them for such files) cannot tell the gaps inside words from word spaces.
        var singles = LettersOf(line).Where(l => !string.IsNullOrWhiteSpace(l.Value)).Select(l => new Word([l])).ToList();
        var joined = WordSpaces.JoinSpacedLetters(singles);

        Assert.Equal(words.Split('|'), joined.Select(w => w.Text));
    }

    /// <summary>The letters of one line of 10 pt Helvetica as PdfPig reads them back from a written file.</summary>
    private static IReadOnlyList<Letter> LettersOf(string line)
    {
        var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        builder.AddPage(PageSize.A4).AddText(line, 10, new PdfPoint(60, 700), font);
        using var document = UglyToad.PdfPig.PdfDocument.Open(builder.Build());
        return document.GetPage(1).Letters.ToList();
    }

    [Fact]
    public void Words_that_came_out_whole_are_not_joined_to_their_neighbours()
    {
        var words = UglyToad.PdfPig.Util.DefaultWordExtractor.Instance.GetWords(LettersOf("Section A B C of the form")).ToList();

        var joined = WordSpaces.JoinSpacedLetters(words);

        Assert.Equal(["Section", "A", "B", "C", "of", "the", "form"], joined.Select(w => w.Text));
    }

    [Fact]
    public async Task Word_spaces_made_by_moving_the_pen_without_a_space_glyph_are_kept()
    {
        var builder = new PdfDocumentBuilder();
        var regular = builder.AddStandard14Font(Standard14Font.Helvetica);
        var page = builder.AddPage(PageSize.A4);
        var y = 780.0;
        // Each word drawn on its own, the pen moved 0.18 em between them and no space glyph drawn: under the
        // 0.39 of a lowercase letter's height that PdfPig's extractor wants before it breaks a word.
        void Moved(string text, double size)
        {
            var x = 60.0;
            foreach (var word in text.Split(' '))
            {
                var letters = page.AddText(word, size, new PdfPoint(x, y), regular);
                x = letters[^1].EndBaseLine.X + size * 0.18;
            }

            y -= size * 1.5;
        }

        Moved("In vitro comparison of three common essential oils", 18);
        y -= 10;
        for (var i = 0; i < 4; i++)
        {
            Moved($"Line {i + 1} of the methods section names the cell cultures used in this assay", 10);
        }

        var tree = await ParseAsync("pen-moves.pdf", builder.Build());

        Assert.Contains(tree.Blocks, b => b.Kind == BlockKind.Heading && b.Text == "In vitro comparison of three common essential oils");
        Assert.Contains(tree.Blocks, b => b.Text.Contains("Line 3 of the methods section names the cell cultures used in this assay", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Accents_drawn_as_glyphs_of_their_own_over_a_letter_are_folded_into_it_and_a_caret_in_code_stays()
    {
        var builder = new PdfDocumentBuilder();
        var regular = builder.AddStandard14Font(Standard14Font.Helvetica);
        var page = builder.AddPage(PageSize.A4);
        var y = 780.0;
        // As TeX sets "é": the plain letter, then a spacing accent centred over it (a cedilla under it).
        // The accents are drawn after the whole line, as some producers draw them.
        void Accented(string text, params (string Word, int Letter, string Accent)[] accents)
        {
            var letters = page.AddText(text, 10, new PdfPoint(60, y), regular);
            foreach (var (word, letter, accent) in accents)
            {
                var under = letters[text.IndexOf(word, StringComparison.Ordinal) + letter];
                var width = page.MeasureText(accent, 10, new PdfPoint(0, 0), regular)[0].EndBaseLine.X;
                var centre = (under.StartBaseLine.X + under.EndBaseLine.X) / 2;
                page.AddText(accent, 10, new PdfPoint(centre - width / 2, y), regular);
            }

            y -= 14;
        }

        Accented("Universite de la Reunion and the Institut Francois Jacob fund the study.", ("Universite", 9, "´"), ("Reunion", 1, "´"), ("Francois", 4, "¸"));
        Accented("Linkoping and Gottingen host the second and third workshops this year.", ("Linkoping", 4, "¨"), ("Gottingen", 1, "¨"));
        page.AddText("In the code the power is written a^b and the home folder ~/x as usual.", 10, new PdfPoint(60, y), regular);

        var tree = await ParseAsync("accents.pdf", builder.Build());

        var text = string.Join(" ", tree.Blocks.Select(b => b.Text));
        Assert.Contains("Université de la Réunion and the Institut François Jacob", text, StringComparison.Ordinal);
        Assert.Contains("Linköping and Göttingen host", text, StringComparison.Ordinal);
        Assert.Contains("written a^b and the home folder ~/x as usual", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Author_lines_under_a_papers_title_are_text_and_its_sections_are_headings()
    {
        var builder = new PdfDocumentBuilder();
        var regular = builder.AddStandard14Font(Standard14Font.TimesRoman);
        var bold = builder.AddStandard14Font(Standard14Font.TimesBold);
        var page = builder.AddPage(PageSize.A4);
        page.AddText("Tide Gauge Drift in Estuarine Harbours", 18, new PdfPoint(60, 780), bold);
        // Authors set bold at body size, the list broken over rows by affiliation marks, as journals set them.
        page.AddText("Maria K. Okafor", 10, new PdfPoint(60, 752), bold);
        page.AddText("1", 6, new PdfPoint(136, 756), regular);
        page.AddText(", Tomas Lindqvist", 10, new PdfPoint(140, 752), bold);
        page.AddText("2", 6, new PdfPoint(222, 756), regular);
        page.AddText("Anne-Sophie van der Berg, Kenji Watanabe and Priya Raman", 10, new PdfPoint(60, 738), bold);
        var y = 710.0;
        foreach (var section in new[] { "Introduction", "Methods" })
        {
            page.AddText(section, 10, new PdfPoint(60, y), bold);
            y -= 16;
            Body(page, regular, ref y, 4, section.ToLowerInvariant());
        }

        var tree = await ParseAsync("paper.pdf", builder.Build());

        var headings = tree.Blocks.Where(b => b.Kind == BlockKind.Heading).Select(b => b.Text).ToList();
        Assert.Equal(["Tide Gauge Drift in Estuarine Harbours", "Introduction", "Methods"], headings);
        Assert.Contains(tree.Blocks, b => b.Kind != BlockKind.Heading && b.Text.Contains("Kenji Watanabe", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bold_lines_opening_in_lower_case_or_with_a_bullet_are_not_headings_but_a_wrapped_title_stays_whole()
    {
        var builder = new PdfDocumentBuilder();
        var regular = builder.AddStandard14Font(Standard14Font.Helvetica);
        var bold = builder.AddStandard14Font(Standard14Font.HelveticaBold);
        var page = builder.AddPage(PageSize.A4);
        // A title wrapped so that its second line opens in lower case.
        page.AddText("Harbour Inspection Programme for the", 16, new PdfPoint(60, 780), bold);
        page.AddText("coastal councils", 16, new PdfPoint(60, 760), bold);
        var y = 730.0;
        Body(page, regular, ref y, 3, "the programme");
        page.AddText("a) Scope", 10, new PdfPoint(60, y), bold);
        y -= 16;
        Body(page, regular, ref y, 3, "the scope");
        // The rest of a sentence set bold, standing on its own line, and a bold bullet.
        page.AddText("recommended that every council reports the cost of", 10, new PdfPoint(60, y), bold);
        y -= 16;
        Body(page, regular, ref y, 3, "the costs");
        page.AddText("• Sea walls inspected every year", 10, new PdfPoint(60, y), bold);
        y -= 16;
        Body(page, regular, ref y, 3, "the sea walls");

        var tree = await ParseAsync("lower-case.pdf", builder.Build());

        var headings = tree.Blocks.Where(b => b.Kind == BlockKind.Heading).Select(b => b.Text).ToList();
        Assert.Equal(["Harbour Inspection Programme for the coastal councils", "a) Scope"], headings);
        Assert.Contains(tree.Blocks, b => b.Kind != BlockKind.Heading && b.Text.Contains("recommended that every council", StringComparison.Ordinal));
        Assert.Contains(tree.Blocks, b => b.Kind != BlockKind.Heading && b.Text.Contains("Sea walls inspected every year", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Michael J. Montague", true)]
    [InlineData(", Gang Li", true)]
    [InlineData("and Wesley C. Warren", true)]
    [InlineData("Kevin Blackistone , Javier Quilez , Belen Lorente-Galdos , Tomas Marques-Bonet", true)]
    [InlineData("Matthew W. Hahn , Marilyn Menotti-Raymond , Stephen J. O’Brien", true)]
    [InlineData("PetrasRimantasVenskutonis ,PhilippeDesprès ,PierreRoques *,ChakerEl", true)]
    [InlineData("Jane Doe1, John Smith2,* and Ana de la Cruz3", true)]
    [InlineData("Roles and Responsibilities", false)]
    [InlineData("Health, Safety and Environment", false)]
    [InlineData("Fact Sheet", false)]
    [InlineData("Share Repurchase Plan", false)]
    [InlineData("Jane Doe and John Smith", false)]
    [InlineData("Board of Directors", false)]
    [InlineData("2.1 Existing Row and Column Control", false)]
    [InlineData("Highlights", false)]
    [InlineData("A. Applicant", false)]
    [InlineData("J. Smith", false)]
    public void Bylines_are_runs_of_personal_names(string text, bool byline) =>
        Assert.Equal(byline, Byline.IsNames(text));
}
