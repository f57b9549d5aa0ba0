using System.Diagnostics;
using RagService.Core.Documents;
using static RagService.Ingestion.Parsing.Ocr.TesseractNative;

namespace RagService.Ingestion.Parsing.Ocr;

/// <summary>
/// OCR for PDF pages without a usable text layer: each page is rasterised on its own with
/// <c>pdftoppm</c> into a temporary grey PGM, recognised and deleted, so memory stays that of one page
/// however long the document is. pdftoppm renders the page as displayed (its crop box, /Rotate
/// applied), which is the frame PdfPig gives a text page's letters in (origin at the crop box's
/// bottom-left corner as displayed; a /Rotate 90 A4 page is 842 × 595 points there too), so the boxes
/// of the rendered image, once orientation and deskew are undone, are page coordinates as they stand.
/// Thread-safe: pages of one document are recognised on several threads at once, each in its own
/// temporary folder.
/// </summary>
public sealed class PdfPageOcr(PageRecognizer recognizer) : IPageOcr
{
    public const string PdftoppmHint = "PDF rasteriser not installed (pdftoppm): apt-get install poppler-utils";

    /// <summary><see cref="OcrOptions.MaxConcurrentPages"/>, or the engine pool's size when that is not set.</summary>
    public int MaxConcurrentPages => recognizer.Pool.MaxConcurrentPages;

    public OcrPage RecognizePdfPage(string pdfPath, int pageNumber, CancellationToken cancellationToken)
    {
        var options = recognizer.Pool.Options;
        if (!OcrEnginePool.IsInstalled(out var reason))
        {
            throw new DocumentRejectedException(reason);
        }

        var folder = Directory.CreateTempSubdirectory("rag-ocr-");
        try
        {
            var prefix = Path.Combine(folder.FullName, "page");
            Rasterise(pdfPath, pageNumber, options.Dpi, prefix, options.RasteriseTimeout, cancellationToken);
            var image = prefix + ".pgm";
            if (!File.Exists(image))
            {
                throw new DocumentRejectedException($"page {pageNumber} could not be rasterised for OCR");
            }

            using var pix = pixRead(image);
            if (pix.IsInvalid)
            {
                throw new DocumentRejectedException($"page {pageNumber} could not be rasterised for OCR");
            }

            return recognizer.Recognize(pix, pageNumber, options.Dpi, cancellationToken);
        }
        finally
        {
            try
            {
                folder.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp file must not fail the document; the OS cleans /tmp.
            }
        }
    }

    /// <summary>
    /// Renders one page (its crop box) to <c>{prefix}.pgm</c>, or to <c>{prefix}.png</c> in colour with
    /// <paramref name="png"/> (the page images the dashboard shows).
    /// </summary>
    internal static void Rasterise(string pdfPath, int pageNumber, int dpi, string prefix, TimeSpan timeout, CancellationToken cancellationToken, bool png = false)
    {
        var start = new ProcessStartInfo("pdftoppm")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        // -cropbox: the page as displayed, which is PdfPig's frame (origin at the crop box's corner);
        // by default pdftoppm renders the whole media box. -gray writes an uncompressed 8-bit PGM: Tesseract
        // reads grey anyway, and compressing a 300 dpi colour PNG cost about a quarter of a page's CPU.
        foreach (var argument in new[] { "-cropbox", "-r", dpi.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "-f", pageNumber.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "-l", pageNumber.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     png ? "-png" : "-gray", "-singlefile", pdfPath, prefix })
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new DocumentRejectedException(PdftoppmHint);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new DocumentRejectedException(PdftoppmHint, e);
        }

        using (process)
        {
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            _ = process.StandardOutput.ReadToEndAsync(cancellationToken);
            using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeoutSource.CancelAfter(timeout);
            try
            {
                process.WaitForExitAsync(timeoutSource.Token).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                cancellationToken.ThrowIfCancellationRequested();
                throw new DocumentRejectedException($"rasterising page {pageNumber} took longer than {timeout.TotalSeconds:0} s");
            }

            if (process.ExitCode != 0)
            {
                var message = error.IsCompletedSuccessfully ? error.Result.Trim() : string.Empty;
                throw new DocumentRejectedException($"page {pageNumber} could not be rasterised: {message}");
            }
        }
    }
}
