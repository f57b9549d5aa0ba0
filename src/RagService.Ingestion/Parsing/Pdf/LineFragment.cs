using RagService.Core.Documents;
using UglyToad.PdfPig.Content;

namespace RagService.Ingestion.Parsing.Pdf;

/// <summary>
/// Words of one row with no gap wider than about a font size between them (one column's part of a row,
/// a table cell): it becomes one <see cref="PdfLine"/>, its typography (size, weight, slant, face, colour)
/// taken from the most of its letters.
/// </summary>
internal sealed class LineFragment(List<Word> words, int row)
{
    public List<Word> Words { get; } = words;

    public int Row { get; } = row;

    public BoundingBox Box { get; } = new(
        words.Min(w => w.BoundingBox.Left), words.Min(w => w.BoundingBox.Bottom),
        words.Max(w => w.BoundingBox.Right), words.Max(w => w.BoundingBox.Top));

    /// <param name="pageHeight">The height of the frame the line's box is in.</param>
    public PdfLine ToLine(int pageNumber, double pageHeight, int block)
    {
        var letters = Words.SelectMany(w => w.Letters).Where(l => !string.IsNullOrWhiteSpace(l.Value)).ToList();
        var size = letters.GroupBy(l => Math.Round(l.PointSize * 2) / 2).MaxBy(g => g.Count())!.Key;
        var bold = letters.Count(IsBold) * 2 > letters.Count;
        var text = Bidi.IsRightToLeftLine(Words.Select(w => w.Text))
            ? Bidi.ToLogicalOrder(Words.SelectMany((w, i) => (i == 0 ? [] : new[] { " " }).Concat(w.Letters.Select(l => l.Value))).ToList())
            : string.Join(' ', Words.Select(w => w.Text));
        var font = letters.GroupBy(l => Family(l.FontName)).MaxBy(g => g.Count())!.Key;
        var italic = letters.Count(IsItalic) * 2 > letters.Count;
        var color = letters.GroupBy(ColorOf).MaxBy(g => g.Count())!.Key;
        return new PdfLine(pageNumber, text, Box, size, bold, block, pageHeight) { Row = Row, Font = font, Italic = italic, Color = color };
    }

    /// <summary>The fill colour as "r,g,b" in tenths (coarse, so a colour and its anti-aliased neighbour agree); empty when unknown.</summary>
    private static string ColorOf(Letter letter)
    {
        if (letter.Color is null)
        {
            return string.Empty;
        }

        var (r, g, b) = letter.Color.ToRGBValues();
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Math.Round(r, 1)},{Math.Round(g, 1)},{Math.Round(b, 1)}");
    }

    /// <summary>The family part of a font name: subset prefix and style suffix removed ("ABCDEF+Times-BoldItalic" → "Times").</summary>
    private static string Family(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return string.Empty;
        }

        var plus = name.IndexOf('+', StringComparison.Ordinal);
        var font = plus >= 0 ? name[(plus + 1)..] : name;
        var end = font.IndexOfAny(['-', ',']);
        return end > 0 ? font[..end] : font;
    }

    private static bool IsItalic(Letter letter) =>
        letter.FontDetails?.IsItalic == true ||
        (letter.FontName ?? string.Empty).Contains("Italic", StringComparison.OrdinalIgnoreCase) ||
        (letter.FontName ?? string.Empty).Contains("Oblique", StringComparison.OrdinalIgnoreCase);

    /// <summary>Bold by font, or "fake bold": a regular font filled and stroked (text rendering mode 2).</summary>
    private static bool IsBold(Letter letter) =>
        letter.RenderingMode is UglyToad.PdfPig.Core.TextRenderingMode.FillThenStroke or UglyToad.PdfPig.Core.TextRenderingMode.FillThenStrokeClip ||
        letter.FontDetails?.IsBold == true || BoldName(letter.FontDetails?.Name) || BoldName(letter.FontName);

    /// <summary>Bold by name: "Arial-BoldMT", "KoPubDotumBold", "Helvetica-Black", and TeX's "CMBX10"/"SFBX1000".</summary>
    private static bool BoldName(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return false;
        }

        var plus = name.IndexOf('+', StringComparison.Ordinal);
        var font = plus >= 0 ? name[(plus + 1)..] : name;
        return font.Contains("Bold", StringComparison.OrdinalIgnoreCase) ||
               font.Contains("Black", StringComparison.OrdinalIgnoreCase) ||
               font.Contains("Heavy", StringComparison.OrdinalIgnoreCase) ||
               font.Contains("Semibold", StringComparison.OrdinalIgnoreCase) ||
               font.Contains("Demi", StringComparison.OrdinalIgnoreCase) ||
               font.StartsWith("CMBX", StringComparison.Ordinal) || font.StartsWith("SFBX", StringComparison.Ordinal) ||
               font.EndsWith(",Bold", StringComparison.OrdinalIgnoreCase);
    }
}
