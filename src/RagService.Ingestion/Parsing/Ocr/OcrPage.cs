using RagService.Core.Documents;

namespace RagService.Ingestion.Parsing.Ocr;

/// <summary>
/// One recognised text line. <see cref="Box"/> is in the coordinates of the page the image came from:
/// for a PDF page the ones PdfPig gives its text (points, origin bottom-left of the page as displayed,
/// /Rotate applied); for an image file, points at the image's resolution, origin bottom-left of the
/// image as stored. Turning the image upright and deskewing it for recognition are undone.
/// <see cref="LayoutBox"/> is the same line in the upright, deskewed image (the coordinates in which
/// lines read left to right, top to bottom, as the layout steps expect); its bottom is the baseline,
/// as glyph boxes of text PDFs are compared by baseline.
/// </summary>
/// <param name="Block">Tesseract's block number on the page (a column or region).</param>
/// <param name="Paragraph">Tesseract's paragraph number on the page.</param>
/// <param name="FontSize">Estimated from the line's cap/ascender height, in points.</param>
/// <param name="Confidence">Mean word confidence, 0–100, weighted by word length.</param>
public sealed record OcrLine(int Page, string Text, BoundingBox Box, double FontSize, int Block, int Paragraph, double Confidence)
{
    private readonly BoundingBox? _layoutBox;

    /// <summary>The line in the upright, deskewed image that was recognised; <see cref="Box"/> unless set.</summary>
    public BoundingBox LayoutBox
    {
        get => _layoutBox ?? Box;
        init => _layoutBox = value;
    }

    /// <summary>
    /// The line's words left to right, as Tesseract split them (Chinese comes one character or phrase
    /// a "word"); empty for lines made without them. Their boxes lie inside the line's box.
    /// </summary>
    public IReadOnlyList<OcrWord> Words { get; init; } = [];
}

/// <summary>
/// One recognised word. <see cref="Box"/> is in the page coordinates of <see cref="OcrLine.Box"/>, mapped
/// from the upright, deskewed image (<see cref="LayoutBox"/>) by the same transform. Like the line's, the box
/// is baseline-bottomed: its left, right and top are the word's ink, its bottom the line's baseline (a word
/// wholly below the baseline, a lone comma, has a box of no height there).
/// </summary>
/// <param name="Confidence">Tesseract's confidence in the word, 0–100.</param>
public sealed record OcrWord(string Text, BoundingBox Box, double Confidence)
{
    private readonly BoundingBox? _layoutBox;

    /// <summary>The word in the upright, deskewed image that was recognised; <see cref="Box"/> unless set.</summary>
    public BoundingBox LayoutBox
    {
        get => _layoutBox ?? Box;
        init => _layoutBox = value;
    }
}

/// <summary>
/// One recognised page: its lines in Tesseract's reading order, and what was done to the image.
/// <see cref="Width"/> and <see cref="Height"/> are those of the upright image, in points.
/// </summary>
public sealed record OcrPage(int Page, double Width, double Height, IReadOnlyList<OcrLine> Lines)
{
    /// <summary>Maps a box of the upright, deskewed image (<see cref="OcrLine.LayoutBox"/>) to page coordinates (<see cref="OcrLine.Box"/>).</summary>
    public PageTransform ToPage { get; init; } = PageTransform.Identity;

    /// <summary>Clockwise degrees the image was turned to make it upright (0, 90, 180, 270).</summary>
    public int RotationApplied { get; init; }

    /// <summary>
    /// Degrees the image was rotated about its centre, clockwise as seen (Leptonica's sign), to level
    /// it before recognition: a scan skewed 2° clockwise is levelled by −2°. 0 when it was left as it was.
    /// </summary>
    public double DeskewAngle { get; init; }

    /// <summary>The language set that recognised the page.</summary>
    public string Languages { get; init; } = string.Empty;

    /// <summary>
    /// The page with <paramref name="next"/> applied after <see cref="ToPage"/>: every line's and every
    /// word's <see cref="OcrLine.Box"/> recomputed from its layout box, layout boxes unchanged.
    /// </summary>
    public OcrPage ThenMap(PageTransform next)
    {
        var toPage = ToPage.Then(next);
        return this with
        {
            ToPage = toPage,
            Lines = Lines.Select(l => l with
            {
                Box = toPage.Map(l.LayoutBox),
                LayoutBox = l.LayoutBox,
                Words = l.Words.Count == 0 ? l.Words : l.Words.Select(w => w with { Box = toPage.Map(w.LayoutBox), LayoutBox = w.LayoutBox }).ToList(),
            }).ToList(),
        };
    }
}

/// <summary>Recognises one page of a PDF that has no usable text layer.</summary>
public interface IPageOcr
{
    /// <summary>
    /// Pages of one document that may be recognised at once (each holds its page image while it is
    /// recognised): <see cref="RecognizePdfPage"/> is then called from that many threads together.
    /// </summary>
    int MaxConcurrentPages => 1;

    /// <param name="pdfPath">The PDF on disk.</param>
    /// <param name="pageNumber">1-based page number.</param>
    OcrPage RecognizePdfPage(string pdfPath, int pageNumber, CancellationToken cancellationToken);
}
