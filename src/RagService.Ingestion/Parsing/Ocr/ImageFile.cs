using RagService.Core.Documents;
using static RagService.Ingestion.Parsing.Ocr.TesseractNative;

namespace RagService.Ingestion.Parsing.Ocr;

/// <summary>
/// An image file read through Leptonica: its format and page count from the header, and each page
/// decoded only after its declared dimensions passed the pixel limit, so a decompression bomb is
/// refused before it allocates anything.
/// </summary>
internal sealed class ImageFile
{
    private ImageFile(string path, int format, int pageCount)
    {
        Path = path;
        Format = format;
        PageCount = pageCount;
    }

    public string Path { get; }

    public int Format { get; }

    public int PageCount { get; }

    /// <summary>
    /// The resolution that converts the image's pixels to points (its boxes' unit). Below 70 dpi a declared
    /// resolution is a placeholder (72 from screenshots is common and honest, 1 is not): the configured one instead.
    /// </summary>
    public static int PointDpi(int declaredDpi, OcrOptions options) => declaredDpi >= 70 ? declaredDpi : options.Dpi;

    public bool IsTiff => Format is >= IffTiff and <= IffTiffZip or 17;

    /// <exception cref="DocumentRejectedException">Unreadable, or more pages than allowed.</exception>
    public static ImageFile Open(string path, OcrOptions options)
    {
        if (new FileInfo(path) is { Exists: false } or { Length: 0 })
        {
            throw new DocumentRejectedException("empty document");
        }

        if (pixReadHeader(path, out var format, out _, out _, out _, out _, out _) != 0 || format == IffUnknown)
        {
            throw new DocumentRejectedException("corrupt or unsupported image: its header could not be read");
        }

        var pages = 1;
        if (format is >= IffTiff and <= IffTiffZip or 17)
        {
            pages = CountTiffPages(path);
            if (pages > options.MaxPages)
            {
                throw new DocumentRejectedException($"TIFF has {pages} pages, more than the limit of {options.MaxPages}");
            }
        }

        return new ImageFile(path, format, pages);
    }

    /// <summary>Decodes one page (1-based) after checking its declared size against the pixel limit.</summary>
    /// <returns>The image and the resolution it declares (0 when none).</returns>
    public (PixHandle Pix, int Dpi) ReadPage(int pageNumber, OcrOptions options)
    {
        var resolution = CheckPage(pageNumber, options);
        var pix = IsTiff ? pixReadTiff(Path, pageNumber - 1) : pixRead(Path);
        if (pix.IsInvalid)
        {
            pix.Dispose();
            throw new DocumentRejectedException($"corrupt image: page {pageNumber} could not be decoded");
        }

        return (pix, IsTiff ? resolution : pixGetXRes(pix));
    }

    /// <summary>Reads one page's header (1-based) and checks its declared size against the pixel limit, decoding nothing.</summary>
    /// <returns>The resolution a TIFF page declares (0 when none, and for other formats).</returns>
    public int CheckPage(int pageNumber, OcrOptions options)
    {
        int width, height, resolution = 0;
        var ok = IsTiff
            ? readHeaderTiff(Path, pageNumber - 1, out width, out height, out _, out _, out resolution, out _, out _) == 0
            : pixReadHeader(Path, out _, out width, out height, out _, out _, out _) == 0;
        if (!ok)
        {
            throw new DocumentRejectedException($"corrupt image: the header of page {pageNumber} could not be read");
        }

        var pixels = (long)width * height;
        if (width <= 0 || height <= 0 || pixels > options.MaxPixelsPerPage)
        {
            throw new DocumentRejectedException(
                $"image page {pageNumber} is {width}×{height} pixels ({pixels / 1e6:0.#} megapixels), over the limit of {options.MaxPixelsPerPage / 1e6:0.#} megapixels");
        }

        return resolution;
    }

    private static int CountTiffPages(string path)
    {
        var file = fopenReadStream(path);
        if (file == IntPtr.Zero)
        {
            throw new DocumentRejectedException("corrupt TIFF: it could not be opened");
        }

        try
        {
            return tiffGetCount(file, out var count) == 0 && count > 0
                ? count
                : throw new DocumentRejectedException("corrupt TIFF: its pages could not be counted");
        }
        finally
        {
            FClose(file);
        }
    }
}
