using System.Diagnostics;
using System.Globalization;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;
using PageSize = UglyToad.PdfPig.Content.PageSize;

namespace RagService.TestSupport;

/// <summary>
/// A scanned page made at test time: an A4 text PDF (a heading and lines in large Helvetica) rasterised by
/// pdftoppm into a PNG with no text layer, so only OCR can read it.
/// </summary>
public static class ScannedPng
{
    public const string Heading = "Visitor Parking";

    public static readonly IReadOnlyList<string> Lines =
    [
        "Visitors park on level two of the garage.",
        "The gate code is given at the front desk.",
        "Parking is free for the first four hours.",
    ];

    /// <summary>Writes the scan to <paramref name="pngPath"/> at <paramref name="dpi"/> (pdftoppm must be installed).</summary>
    public static string Write(string pngPath, int dpi = 150)
    {
        var builder = new PdfDocumentBuilder();
        var regular = builder.AddStandard14Font(Standard14Font.Helvetica);
        var bold = builder.AddStandard14Font(Standard14Font.HelveticaBold);
        var page = builder.AddPage(PageSize.A4);
        page.AddText(Heading, 26, new PdfPoint(60, 760), bold);
        var y = 710.0;
        foreach (var line in Lines)
        {
            page.AddText(line, 18, new PdfPoint(60, y), regular);
            y -= 28;
        }

        var source = Path.ChangeExtension(pngPath, ".source.pdf");
        File.WriteAllBytes(source, builder.Build());
        var start = new ProcessStartInfo("pdftoppm") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-r", dpi.ToString(CultureInfo.InvariantCulture), "-png", "-singlefile", source, pngPath[..^".png".Length] })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        process.WaitForExit(30_000);
        if (process.ExitCode != 0 || !File.Exists(pngPath))
        {
            throw new InvalidOperationException("pdftoppm could not rasterise the scan: " + process.StandardError.ReadToEnd());
        }

        File.Delete(source);
        return pngPath;
    }
}
