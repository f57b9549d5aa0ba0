using System.Diagnostics;
using System.Globalization;
using RagService.Core.Documents;
using RagService.Ingestion.Parsing.Ocr;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace RagService.Evaluation.Synthetic;

/// <summary>
/// The one generator of scanned test pages, for <c>rag bench-ocr</c>, the OCR benchmark tests and the
/// answer-quality set's scans (<see cref="ScanAsync"/>, any text PDF rasterised page by page): an
/// image-only PDF of dense A4 "scans". Up to <see cref="Distinct"/> different text pages (a 14 pt bold
/// heading over 46 lines of 11 pt Helvetica, about 550 words, numbered on from page to page) are rendered
/// by pdftoppm, and the document's pages cycle through those images, each drawn edge to edge. Every page
/// is rasterised and recognised on its own when parsed; the file stays small however many pages it has.
/// </summary>
public static class SyntheticScanPdf
{
    public const int Distinct = 8;

    private static readonly string[] Sentences =
    [
        "Every production database is backed up each night.",
        "Backups are kept for thirty five days in the vault.",
        "Restores are tested once a month by the engineer.",
        "Access to the vault is logged and reviewed weekly.",
    ];

    /// <summary>Writes an image-only PDF of <paramref name="pages"/> scanned pages to <paramref name="path"/>.</summary>
    /// <returns>The number of distinct page images.</returns>
    public static async Task<int> WriteAsync(string path, int pages, int dpi, CancellationToken ct)
    {
        var images = await RenderPagesAsync(Math.Min(pages, Distinct), dpi, ct).ConfigureAwait(false);
        await File.WriteAllBytesAsync(path, ImagePdf(images, pages), ct).ConfigureAwait(false);
        return images.Count;
    }

    /// <summary>
    /// A scan of any text PDF: every page rasterised at <paramref name="dpi"/> by pdftoppm and drawn edge
    /// to edge on an image-only page, so only OCR can read it back.
    /// </summary>
    public static async Task<byte[]> ScanAsync(byte[] textPdf, int dpi, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(textPdf);
        int pages;
        using (var document = UglyToad.PdfPig.PdfDocument.Open(textPdf))
        {
            pages = document.NumberOfPages;
        }

        var images = await RasteriseAllAsync(textPdf, pages, dpi, ct).ConfigureAwait(false);
        return ImagePdf(images, pages);
    }

    // The document's pages cycle through the images, each added once and drawn again where it repeats.
    private static byte[] ImagePdf(IReadOnlyList<byte[]> images, int pages)
    {
        var builder = new PdfDocumentBuilder();
        var added = new PdfPageBuilder.AddedImage?[images.Count];
        for (var p = 0; p < pages; p++)
        {
            var page = builder.AddPage(PageSize.A4);
            var whole = new PdfRectangle(0, 0, page.PageSize.Width, page.PageSize.Height);
            var k = p % images.Count;
            if (added[k] is { } image)
            {
                page.AddImage(image, whole);
            }
            else
            {
                added[k] = page.AddPng(images[k], whole);
            }
        }

        return builder.Build();
    }

    /// <summary>The first <paramref name="count"/> distinct pages (at most <see cref="Distinct"/>) as PNG scans at <paramref name="dpi"/>.</summary>
    public static Task<IReadOnlyList<byte[]>> RenderPagesAsync(int count, int dpi, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Distinct);
        return RasteriseAllAsync(TextPages(count), count, dpi, ct);
    }

    private static async Task<IReadOnlyList<byte[]>> RasteriseAllAsync(byte[] pdf, int count, int dpi, CancellationToken ct)
    {
        var folder = Directory.CreateTempSubdirectory("rag-synthetic-scan-");
        try
        {
            var text = Path.Combine(folder.FullName, "text.pdf");
            await File.WriteAllBytesAsync(text, pdf, ct).ConfigureAwait(false);
            var images = new List<byte[]>();
            for (var i = 1; i <= count; i++)
            {
                var prefix = Path.Combine(folder.FullName, string.Create(CultureInfo.InvariantCulture, $"page{i}"));
                await RasteriseAsync(text, i, dpi, prefix, ct).ConfigureAwait(false);
                images.Add(await File.ReadAllBytesAsync(prefix + ".png", ct).ConfigureAwait(false));
            }

            return images;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static byte[] TextPages(int pages)
    {
        var builder = new PdfDocumentBuilder();
        var regular = builder.AddStandard14Font(Standard14Font.Helvetica);
        var bold = builder.AddStandard14Font(Standard14Font.HelveticaBold);
        var clause = 0;
        for (var p = 0; p < pages; p++)
        {
            var page = builder.AddPage(PageSize.A4);
            page.AddText(string.Create(CultureInfo.InvariantCulture, $"Section {p + 1}. Backup and restore"), 14, new PdfPoint(50, 795), bold);
            for (var y = 770.0; y > 50; y -= 15)
            {
                clause++;
                var sentence = Sentences[(clause + p) % Sentences.Length];
                page.AddText(string.Create(CultureInfo.InvariantCulture, $"{clause}. {sentence} Clause {clause * 7 % 31} applies."), 11, new PdfPoint(50, y), regular);
            }
        }

        return builder.Build();
    }

    private static async Task RasteriseAsync(string pdf, int page, int dpi, string prefix, CancellationToken ct)
    {
        var start = new ProcessStartInfo("pdftoppm") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-r", dpi.ToString(CultureInfo.InvariantCulture), "-f", page.ToString(CultureInfo.InvariantCulture),
                     "-l", page.ToString(CultureInfo.InvariantCulture), "-png", "-singlefile", pdf, prefix })
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new DocumentRejectedException(PdfPageOcr.PdftoppmHint);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new DocumentRejectedException(PdfPageOcr.PdftoppmHint, e);
        }

        using (process)
        {
            var error = process.StandardError.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                throw new DocumentRejectedException($"pdftoppm failed: {(await error.ConfigureAwait(false)).Trim()}");
            }
        }
    }
}
