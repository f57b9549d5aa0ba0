using RagService.Core.Documents;
using RagService.Ingestion.Parsing.Ocr;
using RagService.Ingestion.Parsing.Pdf;

namespace RagService.Ingestion.Parsing.Image;

// OpenXml's root namespace "DocumentFormat" would otherwise shadow the Core enum.
using DocumentFormat = RagService.Core.Documents.DocumentFormat;

/// <summary>
/// Images through OCR: PNG, JPEG, TIFF (every page), WebP, GIF, BMP and whatever else Leptonica
/// decodes. The pages of a multi-page TIFF are decoded and recognised a few at a time (each holding its
/// image meanwhile) and taken in page order; their lines then go through the same
/// paragraph and heading assembly as text PDFs, with boxes in points at the image's resolution, origin
/// bottom-left of the image as stored (an image OCR turned upright keeps the boxes of the stored one).
/// </summary>
public sealed class ImageParser(PageRecognizer recognizer) : IDocumentParser
{
    public ImageParser(OcrEnginePool pool) : this(new PageRecognizer(pool))
    {
    }

    public bool CanParse(DocumentFormat format) => format == DocumentFormat.Image;

    public async Task<DocumentTree> ParseAsync(DocumentSource source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var options = recognizer.Pool.Options;
        if (!OcrEnginePool.IsInstalled(out var reason))
        {
            throw new DocumentRejectedException(reason);
        }

        var image = ImageFile.Open(source.FilePath, options);
        var lines = new List<PdfLine>();
        var ocrLines = new List<OcrLine>();
        var toPage = new Dictionary<int, PageTransform>();

        OcrPage Recognize(int number, CancellationToken ct)
        {
            var (pix, declaredDpi) = image.ReadPage(number, options);
            using (pix)
            {
                return recognizer.Recognize(pix, number, ImageFile.PointDpi(declaredDpi, options), ct);
            }
        }

        void Take(QueuedPage page)
        {
            lines.AddRange(page.Lines);
            ocrLines.AddRange(OcrLayout.ForConfidence(page.Recognized!));
            toPage[page.Number] = page.Recognized!.ToPage;
        }

        // The pages of a multi-page TIFF are recognised as a scanned PDF's are: several at once, in page order.
        await using (var queue = new ScannedPageQueue(Recognize, image.PageCount == 1 ? 1 : recognizer.Pool.MaxConcurrentPages, cancellationToken))
        {
            for (var number = 1; number <= image.PageCount; number++)
            {
                // A page over the pixel limit (a decompression bomb) fails here, from its header, before any OCR starts.
                image.CheckPage(number, options);
                await queue.AddScannedAsync(number).ConfigureAwait(false);
                foreach (var done in queue.TakeFinished())
                {
                    Take(done);
                }
            }

            await foreach (var done in queue.TakeAllAsync().ConfigureAwait(false))
            {
                Take(done);
            }
        }

        if (lines.Count == 0)
        {
            throw new DocumentRejectedException("empty document: OCR found no text in the image");
        }

        // Laid out in the upright images; boxes go back to the images as stored.
        var tree = OcrLayout.MapToPages(PdfTreeAssembler.Assemble(lines, image.PageCount, title: null), toPage);
        return OcrLayout.MarkLowConfidence(tree, ocrLines, options.LowConfidenceThreshold);
    }
}
