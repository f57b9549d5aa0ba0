using RagService.Core.Documents;

namespace RagService.Ingestion.Parsing.Pdf;

/// <summary>
/// One text line (or line fragment: a table cell, one column's part of a row) of a page. <see cref="Box"/>
/// and <see cref="PageHeight"/> are in the frame the page was laid out in: the page as PdfPig gives it,
/// the reading frame of text turned on it (<see cref="ReadingFrame"/>), or OCR's upright image; the
/// blocks built from them are carried back to page coordinates.
/// </summary>
internal sealed record PdfLine(int Page, string Text, BoundingBox Box, double FontSize, bool Bold, int Block, double PageHeight)
{
    /// <summary>Fragments on one baseline share a row number within their page.</summary>
    public int Row { get; init; }

    /// <summary>The font family most of the line is set in ("Helvetica" for "ABCDEF+Helvetica-Bold"); empty when unknown (OCR).</summary>
    public string Font { get; init; } = string.Empty;

    /// <summary>Most of the line is set in an italic or oblique font.</summary>
    public bool Italic { get; init; }

    /// <summary>The fill colour most of the line is drawn in, "r,g,b" rounded to tenths; empty when unknown (OCR).</summary>
    public string Color { get; init; } = string.Empty;

    /// <summary>
    /// The line was read by OCR from a page image: its size is estimated from its glyphs' heights (to a point or so),
    /// and its weight, typeface and colour are unknown.
    /// </summary>
    public bool Recognized { get; init; }

    /// <summary>
    /// The line runs across the page's reading direction (an arXiv stamp up the margin, an upright header over a
    /// sideways table): read on its own after the page's text, and never a heading of it.
    /// </summary>
    public bool Sideways { get; init; }
}
