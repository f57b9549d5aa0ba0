using RagService.Ingestion.Parsing.Ocr;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;

namespace RagService.Ingestion.Parsing.Pdf;

/// <summary>
/// The frame a page's text reads in. PdfPig gives letters in the coordinates of the page as displayed
/// (/Rotate applied); text that runs another way there (a page turned by /Rotate whose text was set
/// upright in user space, a sideways page set with a turned text matrix) would be grouped into rows
/// across its lines, a letter per row. The frame turns the page so that most of its letters run left
/// to right with their tops up; the layout then builds rows, fragments and columns in it as on any
/// upright page, and <see cref="ToPage"/> carries the boxes it builds back to page coordinates.
/// </summary>
internal sealed class ReadingFrame
{
    /// <summary>Letters whose direction is within this many degrees of the frame's read as its rows.</summary>
    private const double SameDirection = 1.0;

    private readonly PageTransform _fromPage;

    private ReadingFrame(double angle, PageTransform fromPage, PageTransform toPage, double width, double height)
    {
        Angle = angle;
        _fromPage = fromPage;
        ToPage = toPage;
        Width = width;
        Height = height;
    }

    /// <summary>Direction of the page's text in page coordinates, counter-clockwise degrees (0: upright, -90: running down).</summary>
    public double Angle { get; }

    /// <summary>The page as PdfPig gives it: most of its text is upright, and nothing is turned.</summary>
    public bool IsPage => Angle == 0;

    /// <summary>Maps a point or box of the frame to page coordinates.</summary>
    public PageTransform ToPage { get; }

    /// <summary>Maps a point or box of the page to the frame.</summary>
    public PageTransform FromPage => _fromPage;

    /// <summary>The turned page's width, in points.</summary>
    public double Width { get; }

    /// <summary>The turned page's height, in points.</summary>
    public double Height { get; }

    /// <summary>
    /// The frame of the direction most of the page's visible letters run in; the page itself when that is
    /// upright or when no direction holds more than half of them (a few words set sideways, a figure's
    /// axis label, an arXiv stamp in the margin, leave an upright page as it is).
    /// </summary>
    public static ReadingFrame Of(Page page)
    {
        ArgumentNullException.ThrowIfNull(page);
        return Of(page.Letters, page.Width, page.Height);
    }

    /// <summary>The frame of the direction most of <paramref name="letters"/> run in, on a page of the given size.</summary>
    public static ReadingFrame Of(IReadOnlyList<Letter> letters, double width, double height)
    {
        ArgumentNullException.ThrowIfNull(letters);
        var upright = new ReadingFrame(0, PageTransform.Identity, PageTransform.Identity, width, height);
        var votes = new Dictionary<int, int>();
        var total = 0;
        foreach (var letter in letters)
        {
            if (string.IsNullOrWhiteSpace(letter.Value) || DirectionOf(letter) is not { } angle)
            {
                continue;
            }

            total++;
            var key = (int)Math.Round(angle);
            key = key == -180 ? 180 : key;
            votes[key] = votes.GetValueOrDefault(key) + 1;
        }

        if (total == 0)
        {
            return upright;
        }

        var (direction, count) = votes.MaxBy(v => v.Value);
        if (direction == 0 || count * 2 <= total)
        {
            return upright;
        }

        // The frame follows the text's own angle, averaged over the letters near the winning degree.
        var near = letters.Where(l => !string.IsNullOrWhiteSpace(l.Value)).Select(DirectionOf).OfType<double>()
            .Select(a => Normalize(a - direction)).Where(a => Math.Abs(a) <= SameDirection).ToList();
        var frameAngle = Normalize(direction + (near.Count > 0 ? near.Average() : 0));
        if (Math.Abs(frameAngle - (90 * Math.Round(frameAngle / 90))) < 1e-6)
        {
            // Quarter turns stay exact (PageTransform turns them without rounding noise).
            frameAngle = Normalize(90 * Math.Round(frameAngle / 90));
        }

        if (Math.Abs(frameAngle) < 1e-9)
        {
            return upright;
        }

        // Turn the page back by the text's angle, then shift the turned page to the origin.
        var turn = PageTransform.Rotate(-frameAngle);
        var corners = new[] { turn.Map(0, 0), turn.Map(width, 0), turn.Map(0, height), turn.Map(width, height) };
        double minX = corners.Min(c => c.X), minY = corners.Min(c => c.Y);
        var fromPage = turn.Then(PageTransform.Translate(-minX, -minY));
        var toPage = PageTransform.Translate(minX, minY).Then(PageTransform.Rotate(frameAngle));
        return new ReadingFrame(frameAngle, fromPage, toPage, corners.Max(c => c.X) - minX, corners.Max(c => c.Y) - minY);
    }

    /// <summary>
    /// The letters in this frame: the same list on an upright page; otherwise new letters with glyph
    /// boxes and baselines turned, so that the page's text runs left to right (and text set another way
    /// keeps its own direction relative to it).
    /// </summary>
    public IReadOnlyList<Letter> Upright(IReadOnlyList<Letter> letters)
    {
        ArgumentNullException.ThrowIfNull(letters);
        if (IsPage)
        {
            return letters;
        }

        var turned = new List<Letter>(letters.Count);
        foreach (var letter in letters)
        {
            var aligned = DirectionOf(letter) is { } angle && Math.Abs(Normalize(angle - Angle)) <= SameDirection;
            var start = Map(letter.StartBaseLine);
            var end = Map(letter.EndBaseLine);
            if (aligned)
            {
                // Letters of the frame's direction are set on one level baseline with square boxes,
                // as on an upright page (a turn by a non-right angle leaves rounding noise).
                end = new PdfPoint(end.X, start.Y);
            }

            var glyph = Map(letter.BoundingBox, aligned);
            var loose = Map(letter.GlyphRectangleLoose, aligned);
            turned.Add(new Letter(letter.Value, glyph, loose, start, end, letter.Width, letter.FontSize, letter.FontDetails, letter.RenderingMode,
                letter.StrokeColor, letter.FillColor, letter.PointSize, letter.TextSequence));
        }

        return turned;
    }

    /// <summary>
    /// The letters that run in the frame's direction (and those with no direction: empty glyphs), and
    /// the ones set another way, each in page order. Spaces go with the text they were set in.
    /// </summary>
    public (IReadOnlyList<Letter> Along, IReadOnlyList<Letter> Across) Split(IReadOnlyList<Letter> letters)
    {
        ArgumentNullException.ThrowIfNull(letters);
        var along = new List<Letter>(letters.Count);
        var across = new List<Letter>();
        foreach (var letter in letters)
        {
            var aligned = DirectionOf(letter) is not { } angle || Math.Abs(Normalize(angle - Angle)) <= SameDirection;
            (aligned ? along : across).Add(letter);
        }

        return (along, across);
    }

    /// <summary>
    /// Ruled grids (found in page coordinates) in this frame: the same list on an upright page; turned by
    /// a quarter or half turn, a grid's rules stay rules and its cells cells. The frame's horizontal
    /// rules as drawn are not known (they may be the page's vertical ones), so a turned grid takes every
    /// row rule as crossing the whole row. A page turned by another angle has no grids in its frame.
    /// </summary>
    public IReadOnlyList<RuledGrid> Upright(IReadOnlyList<RuledGrid> grids)
    {
        ArgumentNullException.ThrowIfNull(grids);
        if (IsPage || grids.Count == 0)
        {
            return grids;
        }

        if (Angle is not (90 or -90 or 180))
        {
            return [];
        }

        var turned = new List<RuledGrid>(grids.Count);
        foreach (var grid in grids)
        {
            // Every rule of the page, vertical or horizontal, lands on one axis of the frame.
            var columns = new List<double>();
            var rows = new List<double>();
            var (bottom, top) = (grid.Rows[^1], grid.Rows[0]);
            var (left, right) = (grid.Columns[0], grid.Columns[^1]);
            foreach (var x in grid.Columns)
            {
                Place(_fromPage.Map(x, bottom), _fromPage.Map(x, top), columns, rows);
            }

            foreach (var y in grid.Rows)
            {
                Place(_fromPage.Map(left, y), _fromPage.Map(right, y), columns, rows);
            }

            turned.Add(new RuledGrid(grid.Page, [.. columns.Order()], [.. rows.OrderDescending()]));
        }

        return turned;
    }

    /// <summary>A rule from <paramref name="a"/> to <paramref name="b"/> in the frame: a column rule when it runs up the frame, else a row rule.</summary>
    private static void Place((double X, double Y) a, (double X, double Y) b, List<double> columns, List<double> rows)
    {
        if (Math.Abs(a.X - b.X) < Math.Abs(a.Y - b.Y))
        {
            columns.Add((a.X + b.X) / 2);
        }
        else
        {
            rows.Add((a.Y + b.Y) / 2);
        }
    }

    /// <summary>
    /// The direction a letter's baseline runs in page coordinates, counter-clockwise degrees in (-180, 180];
    /// null when it has none (an empty glyph with no width and no box).
    /// </summary>
    internal static double? DirectionOf(Letter letter)
    {
        switch (letter.TextOrientation)
        {
            case TextOrientation.Horizontal:
                return 0;
            case TextOrientation.Rotate90:
                // PdfPig's "rotated text going down".
                return -90;
            case TextOrientation.Rotate270:
                return 90;
            case TextOrientation.Rotate180:
                return 180;
        }

        var dx = letter.EndBaseLine.X - letter.StartBaseLine.X;
        var dy = letter.EndBaseLine.Y - letter.StartBaseLine.Y;
        if (Math.Abs(dx) + Math.Abs(dy) > 1e-6)
        {
            return Normalize(Math.Atan2(dy, dx) * 180 / Math.PI);
        }

        return letter.BoundingBox.Width > 0 || letter.BoundingBox.Height > 0 ? Normalize(letter.BoundingBox.Rotation) : null;
    }

    /// <summary>An angle in degrees brought into (-180, 180].</summary>
    private static double Normalize(double degrees)
    {
        var a = degrees % 360;
        if (a > 180)
        {
            a -= 360;
        }
        else if (a <= -180)
        {
            a += 360;
        }

        return a;
    }

    private PdfPoint Map(PdfPoint point)
    {
        var (x, y) = _fromPage.Map(point.X, point.Y);
        return new PdfPoint(x, y);
    }

    private PdfRectangle Map(PdfRectangle rectangle, bool aligned)
    {
        var topLeft = Map(rectangle.TopLeft);
        var topRight = Map(rectangle.TopRight);
        var bottomLeft = Map(rectangle.BottomLeft);
        var bottomRight = Map(rectangle.BottomRight);
        if (!aligned)
        {
            return new PdfRectangle(topLeft, topRight, bottomLeft, bottomRight);
        }

        var points = new[] { topLeft, topRight, bottomLeft, bottomRight };
        return new PdfRectangle(points.Min(p => p.X), points.Min(p => p.Y), points.Max(p => p.X), points.Max(p => p.Y));
    }
}
