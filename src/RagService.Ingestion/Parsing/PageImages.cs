using RagService.Core.Documents;
using RagService.Ingestion.Parsing.Ocr;
using UglyToad.PdfPig;
using static RagService.Ingestion.Parsing.Ocr.TesseractNative;

namespace RagService.Ingestion.Parsing;

// OpenXml's root namespace "DocumentFormat" would otherwise shadow the Core enum.
using DocumentFormat = RagService.Core.Documents.DocumentFormat;

/// <summary>A page's size in points: the frame of the boxes the parsers give its blocks (origin bottom-left).</summary>
public sealed record PageDimensions(int Page, double Width, double Height);

/// <summary>A page as an image a browser shows: PNG or JPEG bytes.</summary>
public sealed record PageImage(byte[] Bytes, string ContentType);

/// <summary>
/// The pages of a stored upload as images, in the frame its blocks' boxes are in, so the boxes can be drawn on
/// them: a PDF page is rendered by <c>pdftoppm</c> (its crop box, as <see cref="PdfPageOcr"/> and PdfPig see it); an
/// image is its own page (a PNG or JPEG as stored, any other format or a TIFF page re-encoded as PNG by Leptonica).
/// Formats without pages (DOCX, HTML, Markdown, text) have none.
/// </summary>
public static class PageImages
{
    public const int MinDpi = 36;
    public const int MaxDpi = 300;

    private const int IffJpeg = 2;

    public static bool HasPages(DocumentFormat format) => format is DocumentFormat.Pdf or DocumentFormat.Image;

    /// <summary>Every page's size in points; empty for a format without pages.</summary>
    /// <exception cref="DocumentRejectedException">The file cannot be read.</exception>
    public static IReadOnlyList<PageDimensions> Sizes(string path, DocumentFormat format, OcrOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (format == DocumentFormat.Pdf)
        {
            try
            {
                using var document = PdfDocument.Open(path, new ParsingOptions { UseLenientParsing = true, SkipMissingFonts = true });
                return [.. Enumerable.Range(1, document.NumberOfPages).Select(n =>
                {
                    var page = document.GetPage(n);
                    return new PageDimensions(n, page.Width, page.Height);
                })];
            }
            catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
            {
                throw new DocumentRejectedException($"the PDF could not be read: {e.Message}", e);
            }
        }

        if (format != DocumentFormat.Image)
        {
            return [];
        }

        var image = ImageFile.Open(path, options);
        var sizes = new List<PageDimensions>(image.PageCount);
        for (var n = 1; n <= image.PageCount; n++)
        {
            var (pix, declared) = image.ReadPage(n, options);
            using (pix)
            {
                var scale = 72.0 / ImageFile.PointDpi(declared, options);
                sizes.Add(new PageDimensions(n, pixGetWidth(pix) * scale, pixGetHeight(pix) * scale));
            }
        }

        return sizes;
    }

    /// <summary>Page <paramref name="page"/> (1-based) as an image; a PDF page at <paramref name="dpi"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">No such page, or a resolution outside <see cref="MinDpi"/>–<see cref="MaxDpi"/>.</exception>
    /// <exception cref="DocumentRejectedException">The page cannot be rendered (unreadable file, pdftoppm missing or failing).</exception>
    public static async Task<PageImage> RenderAsync(string path, DocumentFormat format, int page, int dpi, OcrOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(dpi, MinDpi);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(dpi, MaxDpi);
        var folder = Directory.CreateTempSubdirectory("rag-page-");
        try
        {
            var prefix = Path.Combine(folder.FullName, "page");
            if (format == DocumentFormat.Pdf)
            {
                var sizes = Sizes(path, format, options);
                ArgumentOutOfRangeException.ThrowIfGreaterThan(page, sizes.Count);
                ArgumentOutOfRangeException.ThrowIfLessThan(page, 1);
                // A huge page (a poster, a map) is rendered at a lower resolution rather than past the pixel limit OCR keeps to.
                var size = sizes[page - 1];
                var fit = Math.Sqrt(options.MaxPixelsPerPage / Math.Max(1, size.Width * size.Height)) * 72;
                var resolution = (int)Math.Max(1, Math.Min(dpi, Math.Floor(fit)));
                await Task.Run(() => PdfPageOcr.Rasterise(path, page, resolution, prefix, options.RasteriseTimeout, cancellationToken, png: true), cancellationToken).ConfigureAwait(false);
                return new PageImage(await File.ReadAllBytesAsync(prefix + ".png", cancellationToken).ConfigureAwait(false), "image/png");
            }

            if (format != DocumentFormat.Image)
            {
                throw new ArgumentOutOfRangeException(nameof(page), "This format has no pages.");
            }

            var image = ImageFile.Open(path, options);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(page, image.PageCount);
            ArgumentOutOfRangeException.ThrowIfLessThan(page, 1);
            if (image.PageCount == 1 && image.Format is IffPng or IffJpeg)
            {
                return new PageImage(await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false), image.Format == IffPng ? "image/png" : "image/jpeg");
            }

            var (pix, _) = image.ReadPage(page, options);
            using (pix)
            {
                if (pixWrite(prefix + ".png", pix, IffPng) != 0)
                {
                    throw new DocumentRejectedException($"image page {page} could not be re-encoded as PNG");
                }
            }

            return new PageImage(await File.ReadAllBytesAsync(prefix + ".png", cancellationToken).ConfigureAwait(false), "image/png");
        }
        finally
        {
            try
            {
                folder.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp file must not fail the request; the OS cleans /tmp.
            }
        }
    }
}
