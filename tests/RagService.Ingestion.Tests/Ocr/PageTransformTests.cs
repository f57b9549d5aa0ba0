using RagService.Core.Documents;
using RagService.Ingestion.Parsing.Ocr;

namespace RagService.Ingestion.Tests.Ocr;

public sealed class PageTransformTests
{
    // A 100 × 200 point image with a mark at (10, 150) (origin bottom-left), turned clockwise.
    [Theory]
    [InlineData(1, 150, 90)]   // 200 × 100 after the turn: the mark is at (150, 100 - 10)
    [InlineData(2, 90, 50)]    // 100 × 200: (100 - 10, 200 - 150)
    [InlineData(3, 50, 10)]    // 200 × 100: (200 - 150, 10)
    public void Undoing_quarter_turns_brings_a_point_of_the_turned_image_back(int quarterTurns, double turnedX, double turnedY)
    {
        var (width, height) = quarterTurns % 2 == 1 ? (200.0, 100.0) : (100.0, 200.0);

        var (x, y) = PageTransform.UndoQuarterTurns(quarterTurns, width, height).Map(turnedX, turnedY);

        Assert.Equal(10, x, 9);
        Assert.Equal(150, y, 9);
    }

    [Fact]
    public void Undoing_a_rotation_about_the_centre_keeps_the_centre_and_turns_the_rest_back()
    {
        var undo = PageTransform.UndoRotationAboutCentre(-90, 100, 100);

        Assert.Equal((50.0, 50.0), Round(undo.Map(50, 50)));
        // Levelling by -90 (counter-clockwise as seen) took the top-right corner to the top-left; undoing it brings it back.
        Assert.Equal((100.0, 100.0), Round(undo.Map(0, 100)));
    }

    [Fact]
    public void A_turned_box_is_the_box_of_its_turned_corners_and_composition_applies_left_to_right()
    {
        var box = new BoundingBox(10, 20, 30, 60);
        var shiftThenTurn = PageTransform.Translate(5, 0).Then(PageTransform.Rotate(90));

        Assert.Equal(new BoundingBox(-60, 15, -20, 35), shiftThenTurn.Map(box));
        Assert.Equal(box, PageTransform.Identity.Map(box));
    }

    private static (double, double) Round((double X, double Y) p) => (Math.Round(p.X, 9), Math.Round(p.Y, 9));
}

public sealed class OcrPageMappingTests
{
    [Fact]
    public void Lines_and_blocks_of_a_turned_page_meet_in_page_coordinates_so_low_confidence_is_still_found()
    {
        // An A4 page OCR turned a quarter clockwise to read it: upright it is 842 wide and 595 high...
        var unsure = new OcrLine(1, "~ Bop Aze| ay} 4aA0", new BoundingBox(60, 500, 300, 512), 12, 0, 0, 31);
        var page = new OcrPage(1, 842, 595, [unsure]).ThenMap(PageTransform.UndoQuarterTurns(1, 842, 595));
        var line = Assert.Single(page.Lines);

        // ...and on the page as displayed, 595 wide and 842 high, its text turned counter-clockwise, the
        // line near the upright top runs up the left side: as far from the left as it was from the top.
        Assert.Equal(unsure.Box, line.LayoutBox);
        Assert.Equal(new BoundingBox(595 - 512, 60, 595 - 500, 300), line.Box);

        // The layout builds the block in the upright image; mapped to the page, it holds the line again.
        var tree = new DocumentTree(null, [new DocumentBlock { Id = "b0", Kind = BlockKind.Paragraph, Text = unsure.Text, Box = new BoundingBox(58, 498, 302, 514) }], 1);
        var mapped = OcrLayout.MapToPages(tree, new Dictionary<int, PageTransform> { [1] = page.ToPage });
        var marked = OcrLayout.MarkLowConfidence(mapped, page.Lines, threshold: 60);

        Assert.Equal(new BoundingBox(595 - 514, 58, 595 - 498, 302), marked.Blocks[0].Box);
        Assert.True(marked.Blocks[0].LowConfidence);
    }
}
