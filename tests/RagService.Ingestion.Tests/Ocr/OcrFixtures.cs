using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using RagService.Ingestion.Parsing.Ocr;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;
using static RagService.Ingestion.Parsing.Ocr.TesseractNative;

namespace RagService.Ingestion.Tests.Ocr;

/// <summary>
/// Scans made at test time: a text PDF with known sentences is rasterised by pdftoppm (the "scan"),
/// then turned, stacked into TIFFs or embedded into an image-only PDF with Leptonica and PdfPig.
/// </summary>
internal static partial class OcrFixtures
{
    public const string Heading = "Backup Policy";

    public static readonly string[] Sentences =
    [
        "Every production database is backed up each night.",
        "Backups are kept for thirty five days in the vault.",
        "Restores are tested once a month by the engineer.",
        "The quick brown fox jumps over the lazy dog.",
    ];

    public static string Text => Heading + " " + string.Join(' ', Sentences);

    /// <summary>An A4 text PDF: a 24 pt heading and the sentences in 16 pt Helvetica, one per line.</summary>
    public static byte[] TextPdf(int pages = 1, string heading = Heading)
    {
        var builder = new PdfDocumentBuilder();
        var regular = builder.AddStandard14Font(Standard14Font.Helvetica);
        var bold = builder.AddStandard14Font(Standard14Font.HelveticaBold);
        for (var p = 0; p < pages; p++)
        {
            var page = builder.AddPage(PageSize.A4);
            page.AddText(heading, 24, new PdfPoint(60, 760), bold);
            var y = 715.0;
            foreach (var sentence in Sentences)
            {
                page.AddText(sentence, 16, new PdfPoint(60, y), regular);
                y -= 22;
            }
        }

        return builder.Build();
    }

    /// <summary>
    /// Rasterises one page (the first by default) of a PDF into a PNG (a clean "scan"), or into an 8-bit grey PGM
    /// when <paramref name="imagePath"/> ends in ".pgm".
    /// </summary>
    public static string Rasterise(string pdfPath, string imagePath, int dpi = 200, int page = 1)
    {
        var prefix = Path.ChangeExtension(imagePath, null);
        var format = imagePath.EndsWith(".pgm", StringComparison.OrdinalIgnoreCase) ? "-gray" : "-png";
        var start = new ProcessStartInfo("pdftoppm") { RedirectStandardError = true, UseShellExecute = false };
        var number = page.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var a in new[] { "-r", dpi.ToString(System.Globalization.CultureInfo.InvariantCulture), "-f", number, "-l", number, format, "-singlefile", pdfPath, prefix })
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        process.WaitForExit(30_000);
        Assert.Equal(0, process.ExitCode);
        return imagePath;
    }

    public const string MixedPdfFirstPage = "Chapter one is a born-digital page with a text layer.";

    /// <summary>A two-page PDF: page 1 a born-digital text page, page 2 the scan of <see cref="TextPdf"/> at 150 dpi.</summary>
    public static string MixedPdf(TestFiles files)
    {
        var png = ScanPng(files, dpi: 150);
        var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        var first = builder.AddPage(PageSize.A4);
        first.AddText(MixedPdfFirstPage, 12, new PdfPoint(60, 760), font);
        var second = builder.AddPage(PageSize.A4);
        second.AddPng(File.ReadAllBytes(png), new PdfRectangle(0, 0, second.PageSize.Width, second.PageSize.Height));
        return files.Write("mixed.pdf", builder.Build());
    }

    public static string ScanPng(TestFiles files, string name = "scan.png", int dpi = 200, string heading = Heading)
    {
        var pdf = files.Write(Path.ChangeExtension(name, ".source.pdf"), TextPdf(heading: heading));
        return Rasterise(pdf, files.PathFor(name), dpi);
    }

    /// <summary>Writes a copy of an image turned clockwise by a multiple of 90 degrees.</summary>
    public static string Rotate(string source, string target, int degreesClockwise)
    {
        using var pix = pixRead(source);
        Assert.False(pix.IsInvalid);
        using var rotated = pixRotateOrth(pix, degreesClockwise / 90);
        Assert.Equal(0, pixWrite(target, rotated, IffPng));
        return target;
    }

    /// <summary>Writes a copy of an image rotated clockwise by a small angle about its centre, size kept, white brought in.</summary>
    public static string Skew(string source, string target, double degreesClockwise)
    {
        using var pix = pixRead(source);
        Assert.False(pix.IsInvalid);
        using var skewed = pixRotate(pix, (float)(degreesClockwise * Math.PI / 180), RotateAreaMap, BringInWhite, 0, 0);
        Assert.False(skewed.IsInvalid);
        Assert.Equal(0, pixWrite(target, skewed, IffPng));
        return target;
    }

    /// <summary>A multi-page TIFF with the same page repeated.</summary>
    public static string MultiPageTiff(string source, string target, int pages)
    {
        using var pix = pixRead(source);
        Assert.False(pix.IsInvalid);
        for (var i = 0; i < pages; i++)
        {
            Assert.Equal(0, pixWriteTiff(target, pix, IffTiffZip, i == 0 ? "w" : "a"));
        }

        return target;
    }

    /// <summary>A blank white image (no text at all), one bit or eight bits a pixel.</summary>
    public static string Blank(string target, int width, int height, int depth = 1)
    {
        using var pix = pixCreate(width, height, depth);
        Assert.False(pix.IsInvalid);
        if (depth == 8)
        {
            // Zero is white at one bit a pixel but black at eight.
            Assert.Equal(0, pixSetAllArbitrary(pix, 255));
        }

        Assert.Equal(0, pixWrite(target, pix, IffPng));
        return target;
    }

    /// <summary>An image-only PDF: each page is one PNG drawn over the whole A4 page, no text layer.</summary>
    public static byte[] ScannedPdf(params string[] pngs)
    {
        var builder = new PdfDocumentBuilder();
        foreach (var png in pngs)
        {
            var page = builder.AddPage(PageSize.A4);
            page.AddPng(File.ReadAllBytes(png), new PdfRectangle(0, 0, page.PageSize.Width, page.PageSize.Height));
        }

        return builder.Build();
    }

    /// <summary>Character error rate: edit distance over the reference length, whitespace normalised.</summary>
    public static double Cer(string reference, string hypothesis)
    {
        var r = Normalise(reference);
        var h = Normalise(hypothesis);
        if (r.Length == 0)
        {
            return h.Length == 0 ? 0 : 1;
        }

        var previous = new int[h.Length + 1];
        var current = new int[h.Length + 1];
        for (var j = 0; j <= h.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= r.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= h.Length; j++)
            {
                var cost = r[i - 1] == h[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return (double)previous[h.Length] / r.Length;
    }

    public static string Normalise(string text) => Whitespace().Replace(text, " ").Trim();

    public static string Join(IEnumerable<string> texts) =>
        texts.Aggregate(new StringBuilder(), (sb, t) => sb.Append(t).Append(' ')).ToString();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
