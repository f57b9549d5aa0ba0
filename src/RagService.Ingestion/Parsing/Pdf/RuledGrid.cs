using RagService.Core.Documents;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Graphics;

namespace RagService.Ingestion.Parsing.Pdf;

/// <summary>
/// A table drawn with ruling lines: the x positions of its vertical rules (left to right) and the y
/// positions of its horizontal rules (top to bottom) cut it into rows and columns of cells.
/// </summary>
internal sealed record RuledGrid(int Page, IReadOnlyList<double> Columns, IReadOnlyList<double> Rows)
{
    /// <summary>The horizontal rules as drawn (y, left end, right end); empty when only the positions are known.</summary>
    public IReadOnlyList<RulingDetector.Segment> HorizontalRules { get; init; } = [];

    /// <summary>
    /// Whether the rule between row <paramref name="row"/> and the next one is drawn across column
    /// <paramref name="column"/>; where it is not, the cell above spans down (a merged or wrapped cell).
    /// </summary>
    public bool RowRuleCrosses(int row, int column)
    {
        if (HorizontalRules.Count == 0)
        {
            return true;
        }

        var y = Rows[row + 1];
        var (left, right) = (Columns[column], Columns[column + 1]);
        var middle = (left + right) / 2;
        return HorizontalRules.Any(s => Math.Abs(s.At - y) <= 2.5 && s.From <= middle && s.To >= middle);
    }

    public BoundingBox Box => new(Columns[0], Rows[^1], Columns[^1], Rows[0]);

    /// <summary>The cell a point falls in, or null outside the grid.</summary>
    public (int Row, int Column)? CellAt(double x, double y)
    {
        if (x < Columns[0] || x > Columns[^1] || y > Rows[0] || y < Rows[^1])
        {
            return null;
        }

        var column = 0;
        while (column < Columns.Count - 2 && x > Columns[column + 1])
        {
            column++;
        }

        var row = 0;
        while (row < Rows.Count - 2 && y < Rows[row + 1])
        {
            row++;
        }

        return (row, column);
    }

    /// <summary>True when a vertical rule of the grid runs between x positions <paramref name="left"/> and <paramref name="right"/> at height y.</summary>
    public bool RuleBetween(double left, double right, double y) =>
        y <= Rows[0] && y >= Rows[^1] && Columns.Skip(1).Take(Columns.Count - 2).Any(x => x > left && x < right);
}

/// <summary>
/// Finds ruled grids in a page's vector graphics: stroked lines and thin filled rectangles (how most
/// producers draw table rules) become horizontal and vertical segments; segments that cross each other
/// form a connected frame, and a frame with at least two rows and two columns is a grid.
/// </summary>
internal static class RulingDetector
{
    /// <summary>Coordinates within this distance are one rule (double rules, anti-aliasing offsets, line width).</summary>
    private const double Tolerance = 2.5;

    /// <summary>A filled rectangle thinner than this is a rule, not a shaded area.</summary>
    private const double MaxRuleThickness = 3;

    /// <summary>A rule shorter than this is a glyph stroke or tick mark, not part of a table.</summary>
    private const double MinRuleLength = 6;

    public static List<RuledGrid> Find(Page page)
    {
        IReadOnlyList<PdfPath> paths;
        try
        {
            paths = page.Paths;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Broken vector graphics cost the ruled tables of that page, never its text.
            return [];
        }

        var horizontal = new List<Segment>();
        var vertical = new List<Segment>();
        foreach (var path in paths)
        {
            if (path.IsClipping || !(path.IsStroked || path.IsFilled))
            {
                continue;
            }

            foreach (var subpath in path)
            {
                Collect(subpath, path.IsStroked, horizontal, vertical);
            }
        }

        return Find(page.Number, horizontal, vertical, page.Width, page.Height);
    }

    /// <summary>Grids from axis-aligned segments (horizontal: fixed y from A to B in x; vertical: fixed x from A to B in y).</summary>
    internal static List<RuledGrid> Find(int pageNumber, List<Segment> horizontal, List<Segment> vertical, double pageWidth, double pageHeight)
    {
        // A frame around the whole page (a border) is not a table.
        horizontal = Merge(horizontal.Where(s => s.Length >= MinRuleLength && s.Length < 0.98 * pageWidth + 50).ToList());
        vertical = Merge(vertical.Where(s => s.Length >= MinRuleLength && s.Length < 0.98 * pageHeight).ToList());
        if (horizontal.Count < 2 || vertical.Count < 2 || horizontal.Count + vertical.Count > 5000)
        {
            return [];
        }

        // Union-find over all segments: a horizontal and a vertical segment that touch are one frame.
        var parent = Enumerable.Range(0, horizontal.Count + vertical.Count).ToArray();
        int Root(int i)
        {
            while (parent[i] != i)
            {
                parent[i] = parent[parent[i]];
                i = parent[i];
            }

            return i;
        }

        for (var h = 0; h < horizontal.Count; h++)
        {
            for (var v = 0; v < vertical.Count; v++)
            {
                if (Touch(horizontal[h], vertical[v]))
                {
                    parent[Root(h)] = Root(horizontal.Count + v);
                }
            }
        }

        var grids = new List<RuledGrid>();
        foreach (var frame in Enumerable.Range(0, parent.Length).GroupBy(Root))
        {
            var hs = frame.Where(i => i < horizontal.Count).Select(i => horizontal[i]).ToList();
            var vs = frame.Where(i => i >= horizontal.Count).Select(i => vertical[i - horizontal.Count]).ToList();
            if (hs.Count < 2 || vs.Count < 2)
            {
                continue;
            }

            var columns = Cluster(vs.Select(s => s.At));
            var rows = Cluster(hs.Select(s => s.At)).OrderDescending().ToList();
            // The outer frame may be drawn by the rules' ends only: extend to the segments' extent.
            var left = hs.Min(s => s.From);
            var right = hs.Max(s => s.To);
            var top = vs.Max(s => s.To);
            var bottom = vs.Min(s => s.From);
            if (left < columns[0] - Tolerance)
            {
                columns.Insert(0, left);
            }

            if (right > columns[^1] + Tolerance)
            {
                columns.Add(right);
            }

            if (top > rows[0] + Tolerance)
            {
                rows.Insert(0, top);
            }

            if (bottom < rows[^1] - Tolerance)
            {
                rows.Add(bottom);
            }

            if (columns.Count >= 3 && rows.Count >= 3)
            {
                grids.Add(new RuledGrid(pageNumber, columns, rows) { HorizontalRules = hs });
            }
        }

        // Nested frames (a grid drawn inside a boxed panel) keep the innermost ones.
        return grids.Where(g => !grids.Any(o => !ReferenceEquals(o, g) && Contains(g.Box, o.Box))).ToList();
    }

    private static bool Contains(BoundingBox outer, BoundingBox inner) =>
        outer.Left <= inner.Left + Tolerance && outer.Right >= inner.Right - Tolerance &&
        outer.Bottom <= inner.Bottom + Tolerance && outer.Top >= inner.Top - Tolerance &&
        (outer.Right - outer.Left) * (outer.Top - outer.Bottom) > (inner.Right - inner.Left) * (inner.Top - inner.Bottom) + 1;

    private static void Collect(PdfSubpath subpath, bool stroked, List<Segment> horizontal, List<Segment> vertical)
    {
        var box = subpath.GetBoundingRectangle();
        if (box is not { } rect)
        {
            return;
        }

        var width = rect.Right - rect.Left;
        var height = rect.Top - rect.Bottom;
        // A thin rectangle (filled or stroked) is one rule along its long side.
        if (height <= MaxRuleThickness && width > height)
        {
            horizontal.Add(new Segment((rect.Top + rect.Bottom) / 2, rect.Left, rect.Right));
            return;
        }

        if (width <= MaxRuleThickness && height > width)
        {
            vertical.Add(new Segment((rect.Left + rect.Right) / 2, rect.Bottom, rect.Top));
            return;
        }

        // A larger rectangle: its edges are rules when stroked (a cell border) or when it is a filled cell
        // background drawn edge to edge with its neighbours.
        if (subpath.IsDrawnAsRectangle)
        {
            horizontal.Add(new Segment(rect.Top, rect.Left, rect.Right));
            horizontal.Add(new Segment(rect.Bottom, rect.Left, rect.Right));
            vertical.Add(new Segment(rect.Left, rect.Bottom, rect.Top));
            vertical.Add(new Segment(rect.Right, rect.Bottom, rect.Top));
            return;
        }

        if (!stroked)
        {
            return;
        }

        // A polyline: each straight axis-aligned piece is a rule.
        PdfPoint? start = null;
        PdfPoint? current = null;
        foreach (var command in subpath.Commands)
        {
            switch (command)
            {
                case PdfSubpath.Move move:
                    start = current = move.Location;
                    break;
                case PdfSubpath.Line line:
                    AddLine(line.From, line.To, horizontal, vertical);
                    current = line.To;
                    break;
                case PdfSubpath.Close when start is { } s && current is { } c:
                    AddLine(c, s, horizontal, vertical);
                    current = s;
                    break;
                case PdfSubpath.BezierCurve curve:
                    current = curve.EndPoint;
                    break;
            }
        }
    }

    private static void AddLine(PdfPoint a, PdfPoint b, List<Segment> horizontal, List<Segment> vertical)
    {
        if (Math.Abs(a.Y - b.Y) <= 0.5 && Math.Abs(a.X - b.X) > 0)
        {
            horizontal.Add(new Segment((a.Y + b.Y) / 2, Math.Min(a.X, b.X), Math.Max(a.X, b.X)));
        }
        else if (Math.Abs(a.X - b.X) <= 0.5 && Math.Abs(a.Y - b.Y) > 0)
        {
            vertical.Add(new Segment((a.X + b.X) / 2, Math.Min(a.Y, b.Y), Math.Max(a.Y, b.Y)));
        }
    }

    /// <summary>Collinear segments that overlap or meet (rules drawn cell by cell) become one.</summary>
    private static List<Segment> Merge(List<Segment> segments)
    {
        var merged = new List<Segment>();
        var ordered = segments.OrderBy(s => s.At).ToList();
        var start = 0;
        while (start < ordered.Count)
        {
            // One line of rules: positions chained within the tolerance.
            var end = start + 1;
            while (end < ordered.Count && ordered[end].At - ordered[end - 1].At <= Tolerance)
            {
                end++;
            }

            var at = ordered.Skip(start).Take(end - start).Average(s => s.At);
            Segment? run = null;
            foreach (var s in ordered.Skip(start).Take(end - start).OrderBy(s => s.From))
            {
                if (run is { } r && s.From <= r.To + Tolerance)
                {
                    run = r with { To = Math.Max(r.To, s.To) };
                }
                else
                {
                    if (run is { } done)
                    {
                        merged.Add(done);
                    }

                    run = new Segment(at, s.From, s.To);
                }
            }

            merged.Add(run!.Value);
            start = end;
        }

        return merged;
    }

    private static bool Touch(Segment h, Segment v) =>
        v.At >= h.From - Tolerance && v.At <= h.To + Tolerance && h.At >= v.From - Tolerance && h.At <= v.To + Tolerance;

    /// <summary>Distinct positions, ascending: values within the tolerance of the previous one are the same rule.</summary>
    private static List<double> Cluster(IEnumerable<double> values)
    {
        var result = new List<double>();
        foreach (var value in values.Order())
        {
            if (result.Count == 0 || value - result[^1] > Tolerance)
            {
                result.Add(value);
            }
        }

        return result;
    }

    /// <summary>An axis-aligned rule: at a fixed coordinate (y for horizontal, x for vertical), from one end to the other.</summary>
    internal readonly record struct Segment(double At, double From, double To)
    {
        public double Length => To - From;
    }
}
