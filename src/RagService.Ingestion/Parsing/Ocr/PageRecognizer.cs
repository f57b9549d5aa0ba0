using RagService.Core.Documents;
using RagService.Ingestion.Telemetry;
using static RagService.Ingestion.Parsing.Ocr.TesseractNative;

namespace RagService.Ingestion.Parsing.Ocr;

/// <summary>
/// Recognises one page image: turns it upright (orientation and script detection), removes a small
/// skew, picks the language set, and reads lines and their words with boxes and confidences.
/// </summary>
public sealed class PageRecognizer(OcrEnginePool pool)
{
    private const string OsdLanguage = "osd";

    /// <summary>Below this many pixels of height or width there is nothing OSD can judge.</summary>
    private const int MinOsdSide = 100;

    /// <summary>Pages scanned at twice this resolution or more are halved for orientation detection.</summary>
    private const int OsdDpi = 150;

    public OcrEnginePool Pool { get; } = pool;

    /// <summary>Recognises the image file page (TIFF pages and everything Leptonica reads).</summary>
    internal OcrPage Recognize(PixHandle pix, int pageNumber, int dpi, CancellationToken cancellationToken)
    {
        using var step = IngestionTelemetry.Step("ocr-page");
        step.Activity?.SetTag("rag.page", pageNumber);
        IngestionTelemetry.OcrPage();
        var options = Pool.Options;
        var (rotate, script) = DetectOrientation(pix, dpi, cancellationToken);
        PixHandle? rotated = null;
        PixHandle? deskewed = null;
        try
        {
            var upright = pix;
            if (rotate != 0)
            {
                rotated = pixRotateOrth(pix, rotate / 90);
                upright = rotated.IsInvalid ? pix : rotated;
            }

            // A scan a degree or two off level still reads, but its lines' baselines drift and
            // paragraphs blur; Leptonica's skew search is cheap next to recognition. It hands back
            // the image itself (a clone of the same Pix) when the skew is too small or too unsure to
            // correct, and a copy rotated about its centre by the reported angle otherwise.
            var angle = 0.0;
            deskewed = pixFindSkewAndDeskew(upright, 2, out var skew, out var skewConfidence);
            if (!deskewed.IsInvalid && deskewed.DangerousGetHandle() != upright.DangerousGetHandle())
            {
                angle = skew;
                upright = deskewed;
            }

            var languages = ChooseLanguages(script);
            List<OcrLine> lines;
            using (var lease = Pool.Rent(languages, cancellationToken))
            {
                lines = lease.Engine.Recognize(upright, pageNumber, dpi, options.PageTimeout, cancellationToken);
            }

            if (RereadAccented(languages, lines) is { } accented)
            {
                using var lease = Pool.Rent(accented, cancellationToken);
                var second = lease.Engine.Recognize(upright, pageNumber, dpi, options.PageTimeout, cancellationToken);
                if (MeanConfidence(second) > MeanConfidence(lines))
                {
                    (lines, languages) = (second, accented);
                }
            }

            var scale = 72.0 / dpi;
            var page = new OcrPage(pageNumber, upright.Width * scale, upright.Height * scale, lines)
            {
                RotationApplied = rotate,
                DeskewAngle = angle,
                Languages = languages,
            };
            return page.ThenMap(ToSourceImage(rotate, angle, upright.Width * scale, upright.Height * scale));
        }
        finally
        {
            deskewed?.Dispose();
            rotated?.Dispose();
        }
    }

    /// <summary>
    /// From the upright, deskewed image back to the image as it was handed in, in points with the
    /// origin bottom-left: the deskew rotation (clockwise by <paramref name="deskewDegrees"/> about the
    /// centre) undone, then the quarter turns (clockwise by <paramref name="rotate"/>) undone.
    /// </summary>
    internal static PageTransform ToSourceImage(int rotate, double deskewDegrees, double uprightWidth, double uprightHeight)
    {
        // Leptonica turns clockwise as seen on screen; in a y-up plane that is a negative angle, so
        // turning back is a positive (counter-clockwise) one. The deskew keeps the image size.
        var transform = deskewDegrees == 0
            ? PageTransform.Identity
            : PageTransform.UndoRotationAboutCentre(deskewDegrees, uprightWidth, uprightHeight);
        return transform.Then(PageTransform.UndoQuarterTurns(rotate / 90, uprightWidth, uprightHeight));
    }

    private (int Rotate, string? Script) DetectOrientation(PixHandle pix, int dpi, CancellationToken cancellationToken)
    {
        // Without the OSD model upright pages still read; turned ones come out as noise.
        if (pix.Width < MinOsdSide || pix.Height < MinOsdSide || !Pool.HasModel(OsdLanguage))
        {
            return (0, null);
        }

        // OSD only needs letter shapes: at half of a 300 dpi scan it judges as well and costs about a
        // quarter (on a full A4 page it took as long as half the recognition).
        using var reduced = dpi >= 2 * OsdDpi && pix.Width >= 2 * MinOsdSide && pix.Height >= 2 * MinOsdSide
            ? pixScale(pix, 0.5f, 0.5f)
            : null;
        var scaled = reduced is { IsInvalid: false };
        using var lease = Pool.Rent(OsdLanguage, cancellationToken);
        var result = lease.Engine.DetectOrientation(scaled ? reduced! : pix, scaled ? dpi / 2 : dpi);
        if (result is not { } osd)
        {
            return (0, null);
        }

        var rotate = osd.Confidence >= Pool.Options.MinOrientationConfidence ? osd.Rotate : 0;
        return (rotate, osd.Script);
    }

    /// <summary>
    /// The language set to read a Latin page again with, when its first reading (with <see cref="OcrOptions.LatinLanguages"/>)
    /// doubts more than <see cref="OcrOptions.AccentedRereadShare"/> of its lettered words; null when not wanted or not installed.
    /// </summary>
    private string? RereadAccented(string languages, List<OcrLine> lines)
    {
        var options = Pool.Options;
        if (!string.Equals(options.Languages, "auto", StringComparison.OrdinalIgnoreCase) || languages != options.LatinLanguages ||
            string.IsNullOrEmpty(options.AccentedLatinLanguages) || !options.AccentedLatinLanguages.Split('+').All(Pool.HasModel))
        {
            return null;
        }

        var words = lines.SelectMany(l => l.Words).Where(w => w.Text.Any(char.IsLetter)).ToList();
        return words.Count > 0 && words.Count(w => w.Confidence < DoubtfulWord) > options.AccentedRereadShare * words.Count
            ? options.AccentedLatinLanguages
            : null;
    }

    /// <summary>A word read with less confidence than this is doubted.</summary>
    private const double DoubtfulWord = 60;

    private static double MeanConfidence(List<OcrLine> lines)
    {
        var letters = lines.Sum(l => l.Text.Length);
        return letters == 0 ? 0 : lines.Sum(l => l.Confidence * l.Text.Length) / letters;
    }

    private string ChooseLanguages(string? script)
    {
        var options = Pool.Options;
        if (!string.Equals(options.Languages, "auto", StringComparison.OrdinalIgnoreCase))
        {
            return options.Languages;
        }

        return script is not null && script.StartsWith("Han", StringComparison.OrdinalIgnoreCase)
            ? options.HanLanguages
            : options.LatinLanguages;
    }
}
