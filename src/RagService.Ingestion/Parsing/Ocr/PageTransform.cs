using RagService.Core.Documents;

namespace RagService.Ingestion.Parsing.Ocr;

/// <summary>
/// An affine map of the plane, <c>(x, y) → (A·x + C·y + E, B·x + D·y + F)</c> (PDF's matrix order).
/// OCR reads a page in the coordinates of the image it recognised (turned upright, deskewed); these
/// maps carry its boxes back to the coordinates of the page the image came from.
/// </summary>
public readonly record struct PageTransform(double A, double B, double C, double D, double E, double F)
{
    public static PageTransform Identity { get; } = new(1, 0, 0, 1, 0, 0);

    public bool IsIdentity => this == Identity;

    public static PageTransform Translate(double x, double y) => new(1, 0, 0, 1, x, y);

    public static PageTransform Scale(double x, double y) => new(x, 0, 0, y, 0, 0);

    /// <summary>Counter-clockwise by <paramref name="degrees"/> about the origin, in a y-up plane (clockwise in a y-down one).</summary>
    public static PageTransform Rotate(double degrees)
    {
        // Exact for quarter turns, so boxes turned by 90° do not pick up 1e-14 noise.
        var quarter = degrees / 90;
        if (Math.Abs(quarter - Math.Round(quarter)) < 1e-12)
        {
            var turns = (((int)Math.Round(quarter) % 4) + 4) % 4;
            var (cos, sin) = turns switch
            {
                0 => (1.0, 0.0),
                1 => (0.0, 1.0),
                2 => (-1.0, 0.0),
                _ => (0.0, -1.0),
            };
            return new PageTransform(cos, sin, -sin, cos, 0, 0);
        }

        var radians = degrees * Math.PI / 180;
        return new PageTransform(Math.Cos(radians), Math.Sin(radians), -Math.Sin(radians), Math.Cos(radians), 0, 0);
    }

    /// <summary>This map first, then <paramref name="next"/>.</summary>
    public PageTransform Then(PageTransform next) => new(
        (A * next.A) + (B * next.C),
        (A * next.B) + (B * next.D),
        (C * next.A) + (D * next.C),
        (C * next.B) + (D * next.D),
        (E * next.A) + (F * next.C) + next.E,
        (E * next.B) + (F * next.D) + next.F);

    public (double X, double Y) Map(double x, double y) => ((A * x) + (C * y) + E, (B * x) + (D * y) + F);

    /// <summary>The smallest upright box holding the mapped corners of <paramref name="box"/>.</summary>
    public BoundingBox Map(BoundingBox box)
    {
        if (IsIdentity)
        {
            return box;
        }

        var (x1, y1) = Map(box.Left, box.Bottom);
        var (x2, y2) = Map(box.Right, box.Bottom);
        var (x3, y3) = Map(box.Right, box.Top);
        var (x4, y4) = Map(box.Left, box.Top);
        return new BoundingBox(
            Math.Min(Math.Min(x1, x2), Math.Min(x3, x4)),
            Math.Min(Math.Min(y1, y2), Math.Min(y3, y4)),
            Math.Max(Math.Max(x1, x2), Math.Max(x3, x4)),
            Math.Max(Math.Max(y1, y2), Math.Max(y3, y4)));
    }

    /// <summary>
    /// From an image that was turned clockwise by <paramref name="quarterTurns"/> quarter turns back
    /// to the image before the turn, both in points with the origin bottom-left. <paramref name="width"/>
    /// and <paramref name="height"/> are the turned image's size.
    /// </summary>
    public static PageTransform UndoQuarterTurns(int quarterTurns, double width, double height)
    {
        // Turning clockwise in a y-up plane is a negative rotation; undoing it is a positive one about
        // the turned image's origin, followed by the shift that brings the corner back to (0, 0).
        return (((quarterTurns % 4) + 4) % 4) switch
        {
            0 => Identity,
            // Clockwise 90°: the original's bottom-left corner is now top-left.
            1 => Rotate(90).Then(Translate(height, 0)),
            2 => Rotate(180).Then(Translate(width, height)),
            _ => Rotate(270).Then(Translate(0, width)),
        };
    }

    /// <summary>
    /// From an image rotated clockwise by <paramref name="degrees"/> about its centre (size kept, as
    /// Leptonica's <c>pixRotate</c> does with a zero target size) back to the image before the rotation.
    /// </summary>
    public static PageTransform UndoRotationAboutCentre(double degrees, double width, double height) =>
        Translate(-width / 2, -height / 2).Then(Rotate(degrees)).Then(Translate(width / 2, height / 2));
}
