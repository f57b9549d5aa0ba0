using RagService.Core.Documents;

namespace RagService.Ingestion.Parsing.Ocr;

/// <summary>
/// One recognised text line. <see cref="Box"/> is in PDF-like points (72 per inch, origin bottom-left)
/// of the upright page; its bottom is the baseline, as glyph boxes of text PDFs are compared by baseline.
/// </summary>
/// <param name="Block">Tesseract's block number on the page (a column or region).</param>
/// <param name="Paragraph">Tesseract's paragraph number on the page.</param>
/// <param name="FontSize">Estimated from the line's cap/ascender height, in points.</param>
/// <param name="Confidence">Mean word confidence, 0–100, weighted by word length.</param>
public sealed record OcrLine(int Page, string Text, BoundingBox Box, double FontSize, int Block, int Paragraph, double Confidence);

/// <summary>One recognised page: its lines in Tesseract's reading order, and what was done to the image.</summary>
public sealed record OcrPage(int Page, double Width, double Height, IReadOnlyList<OcrLine> Lines)
{
    /// <summary>Clockwise degrees the image was turned to make it upright (0, 90, 180, 270).</summary>
    public int RotationApplied { get; init; }

    /// <summary>Small skew angle (degrees) removed before recognition.</summary>
    public double DeskewAngle { get; init; }

    /// <summary>The language set that recognised the page.</summary>
    public string Languages { get; init; } = string.Empty;
}

/// <summary>Recognises one page of a PDF that has no usable text layer.</summary>
public interface IPageOcr
{
    /// <param name="pdfPath">The PDF on disk.</param>
    /// <param name="pageNumber">1-based page number.</param>
    OcrPage RecognizePdfPage(string pdfPath, int pageNumber, CancellationToken cancellationToken);
}
