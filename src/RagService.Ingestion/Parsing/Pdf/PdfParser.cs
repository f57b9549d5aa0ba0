using System.Globalization;
using RagService.Core.Documents;
using RagService.Ingestion.Parsing.Ocr;
using UglyToad.PdfPig;

namespace RagService.Ingestion.Parsing.Pdf;

// OpenXml's root namespace "DocumentFormat" would otherwise shadow the Core enum.
using DocumentFormat = RagService.Core.Documents.DocumentFormat;

/// <summary>
/// Text PDFs through PdfPig. Pages are read one at a time and reduced to lines at once, so only
/// lines (never every page's words and letters) are held for the whole document; the decisions
/// that need the whole document (body font size, running headers) are then made over those lines.
/// </summary>
public sealed class PdfParser(IPageOcr? ocr = null, double lowConfidenceThreshold = 60) : IDocumentParser
{
    public const string ScannedReason = "scanned PDF: OCR not available";

    /// <summary>A truncated upload loses the trailer; PdfPig's lenient mode would otherwise half-read it silently.</summary>
    private const int EndMarkerWindow = 2048;

    public bool CanParse(DocumentFormat format) => format == DocumentFormat.Pdf;

    public async Task<DocumentTree> ParseAsync(DocumentSource source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        EnsureComplete(source.FilePath);

        var pages = await PdfPageReader.ReadAsync(source.FilePath, ocr, cancellationToken).ConfigureAwait(false);
        if (pages.Lines.Count == 0)
        {
            throw new DocumentRejectedException(ocr is null ? ScannedReason : "empty document: OCR found no text on any page");
        }

        // OCR'd pages were laid out in their upright images, turned text in its reading frame; their blocks' boxes go back to page coordinates.
        var tree = OcrLayout.MapToPages(
            PdfTreeAssembler.Assemble(pages.Lines, pages.PageCount, pages.Title, pages.Outline, pages.Grids), pages.ToPages);
        return OcrLayout.MarkLowConfidence(tree, pages.OcrLines, lowConfidenceThreshold);
    }

    /// <summary>One text line per layout line (page, row, block, font size, bold, box, text): a diagnostic for <c>rag parse --format lines</c>.</summary>
    /// <param name="ocr">Recognises pages without a usable text layer, whose OCR lines are then described as the layout reads them; null skips them.</param>
    public static IEnumerable<string> DescribeLines(string path, IPageOcr? ocr = null)
    {
        using var document = PdfDocument.Open(path, new ParsingOptions { UseLenientParsing = true, SkipMissingFonts = true });
        for (var number = 1; number <= document.NumberOfPages; number++)
        {
            var page = document.GetPage(number);
            if (ocr is not null && TextLayer.NeedsOcr(page, PageLayout.Read(page, [], out _).ToList()))
            {
                var recognized = ocr.RecognizePdfPage(path, number, CancellationToken.None);
                yield return FormattableString.Invariant($"p{number} OCR ({recognized.Languages}), boxes in the upright image");
                foreach (var l in OcrLayout.ToPdfLines(recognized))
                {
                    yield return FormattableString.Invariant($"p{l.Page} r{l.Row} b{l.Block} {l.FontSize:0.#}{(l.Bold ? "B" : string.Empty)} x{l.Box.Left:0}-{l.Box.Right:0} y{l.Box.Bottom:0}-{l.Box.Top:0} | {l.Text}");
                }

                continue;
            }

            var grids = RulingDetector.Find(page);
            foreach (var grid in grids)
            {
                yield return FormattableString.Invariant($"p{number} grid {grid.Columns.Count - 1}x{grid.Rows.Count - 1} x=[{string.Join(" ", grid.Columns.Select(c => c.ToString("0", CultureInfo.InvariantCulture)))}] y=[{string.Join(" ", grid.Rows.Select(c => c.ToString("0", CultureInfo.InvariantCulture)))}]");
            }

            var pageLines = PageLayout.Read(page, grids, out var frame);
            if (!frame.IsPage)
            {
                var toPage = frame.ToPage;
                // Boxes below are in the turned frame the page's text reads in.
                yield return FormattableString.Invariant($"p{number} turned text, boxes in its reading frame; frame to page [{toPage.A:0.###} {toPage.B:0.###} {toPage.C:0.###} {toPage.D:0.###} {toPage.E:0.#} {toPage.F:0.#}]");
            }

            foreach (var l in pageLines)
            {
                yield return FormattableString.Invariant($"p{l.Page} r{l.Row} b{l.Block} {l.FontSize:0.#}{(l.Bold ? "B" : string.Empty)}{(l.Italic ? "I" : string.Empty)} {l.Font} x{l.Box.Left:0}-{l.Box.Right:0} y{l.Box.Bottom:0} c{l.Color} | {l.Text}");
            }
        }
    }

    private static void EnsureComplete(string path)
    {
        using var stream = File.OpenRead(path);
        if (stream.Length == 0)
        {
            throw new DocumentRejectedException("empty document");
        }

        var tail = new byte[(int)Math.Min(EndMarkerWindow, stream.Length)];
        stream.Seek(-tail.Length, SeekOrigin.End);
        stream.ReadExactly(tail);
        if (tail.AsSpan().IndexOf("%%EOF"u8) < 0)
        {
            throw new DocumentRejectedException("corrupt or truncated PDF: the end-of-file marker is missing");
        }
    }
}
