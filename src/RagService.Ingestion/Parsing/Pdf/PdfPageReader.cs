using RagService.Core.Documents;
using RagService.Ingestion.Parsing.Ocr;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Exceptions;

namespace RagService.Ingestion.Parsing.Pdf;

/// <summary>
/// What <see cref="PdfPageReader"/> keeps of a PDF: every page's lines in page order, the ruled grids of its
/// text pages, the outline, the OCR'd lines (for their confidence) and, for pages laid out in a frame other
/// than the page's (turned text, OCR's upright image), the transform from that frame to the page.
/// </summary>
internal sealed record PdfPages(
    IReadOnlyList<PdfLine> Lines,
    IReadOnlyList<RuledGrid> Grids,
    IReadOnlyDictionary<string, int> Outline,
    IReadOnlyList<OcrLine> OcrLines,
    IReadOnlyDictionary<int, PageTransform> ToPages,
    int PageCount,
    string? Title);

/// <summary>
/// Reads a PDF page by page: each text layer is laid out into lines at once, and each page without a
/// usable text layer (scanned, or a broken font encoding) goes to OCR, recognised several at once while
/// later pages' text layers are read. Pages come out in page order.
/// </summary>
internal static class PdfPageReader
{
    /// <param name="ocr">Recognises scanned pages; null reads text layers only.</param>
    /// <exception cref="DocumentRejectedException">The PDF is encrypted, corrupt or has no pages.</exception>
    public static async Task<PdfPages> ReadAsync(string path, IPageOcr? ocr, CancellationToken cancellationToken)
    {
        var lines = new List<PdfLine>();
        var grids = new List<RuledGrid>();
        var ocrLines = new List<OcrLine>();
        // Pages laid out in a frame other than the page's (turned text, OCR's upright image): frame to page.
        var toPages = new Dictionary<int, PageTransform>();

        void Take(QueuedPage page)
        {
            lines.AddRange(page.Lines);
            if (page.Recognized is { } recognized)
            {
                ocrLines.AddRange(OcrLayout.ForConfidence(recognized));
                toPages[page.Number] = recognized.ToPage;
            }
        }

        try
        {
            // Scanned pages are recognised several at once while later pages' text layers are read;
            // pages come out of the queue in page order.
            await using var queue = new ScannedPageQueue(ocr, path, cancellationToken);
            using var document = PdfDocument.Open(path, new ParsingOptions
            {
                UseLenientParsing = true,
                SkipMissingFonts = true,
            });
            var pageCount = document.NumberOfPages;
            if (pageCount == 0)
            {
                throw new DocumentRejectedException("PDF has no pages");
            }

            var title = document.Information?.Title;
            var outline = PdfOutline.Read(document);
            for (var number = 1; number <= pageCount; number++)
            {
                // Also stops at the caller's cancellation, between pages.
                queue.ThrowIfFailed();
                var page = document.GetPage(number);
                var pageGrids = RulingDetector.Find(page);
                var pageLines = PageLayout.Read(page, pageGrids, out var frame).ToList();
                // Scanned pages (no text layer) and broken font encodings go to OCR.
                if (ocr is not null && TextLayer.NeedsOcr(page, pageLines))
                {
                    await queue.AddScannedAsync(number).ConfigureAwait(false);
                }
                else
                {
                    if (!frame.IsPage)
                    {
                        // Text turned on the page is laid out in its reading frame, as OCR'd pages are in their
                        // upright image, and so are the grids its tables are read with.
                        toPages[number] = frame.ToPage;
                        pageGrids = [.. frame.Upright(pageGrids)];
                    }

                    grids.AddRange(pageGrids);
                    queue.AddText(number, pageLines);
                }

                foreach (var done in queue.TakeFinished())
                {
                    Take(done);
                }
            }

            await foreach (var done in queue.TakeAllAsync().ConfigureAwait(false))
            {
                Take(done);
            }

            return new PdfPages(lines, grids, outline, ocrLines, toPages, pageCount, title);
        }
        catch (PdfDocumentEncryptedException e)
        {
            throw new DocumentRejectedException("encrypted PDF: a password is required to open it", e);
        }
        catch (Exception e) when (e is not DocumentRejectedException and not OperationCanceledException and not OutOfMemoryException)
        {
            throw new DocumentRejectedException($"corrupt or truncated PDF: {e.Message}", e);
        }
    }
}
