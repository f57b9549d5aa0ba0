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
