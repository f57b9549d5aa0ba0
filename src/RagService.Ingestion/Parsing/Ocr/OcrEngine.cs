using System.Runtime.InteropServices;
using System.Text;
using RagService.Core.Documents;
using RagService.Ingestion.Parsing.Pdf;
using static RagService.Ingestion.Parsing.Ocr.TesseractNative;

namespace RagService.Ingestion.Parsing.Ocr;

/// <summary>
/// One initialised Tesseract instance for one language set. Not thread-safe: the pool hands it
/// to one caller at a time.
/// </summary>
internal sealed class OcrEngine : IDisposable
{
    private readonly TessApiHandle _api;

    private OcrEngine(TessApiHandle api, string languages)
    {
        _api = api;
        Languages = languages;
    }

    public string Languages { get; }

    public static OcrEngine Create(string tessdataPath, string languages)
    {
        var api = TessApiHandle.Create();
        if (api.IsInvalid)
        {
            throw new DocumentRejectedException("OCR engine could not be created");
        }

        if (TessBaseAPIInit3(api.DangerousGetHandle(), tessdataPath, languages) != 0)
        {
            api.Dispose();
            throw new DocumentRejectedException(
                $"OCR languages '{languages}' could not be loaded from {tessdataPath}: install them (apt-get install tesseract-ocr-eng tesseract-ocr-chi-sim tesseract-ocr-osd)");
        }

        // Tesseract prints "Invalid resolution" and similar chatter to stderr; it belongs in no log.
        TessBaseAPISetVariable(api.DangerousGetHandle(), "debug_file", "/dev/null");
        return new OcrEngine(api, languages);
    }

    /// <summary>
    /// Orientation and script of a page (an engine initialised with "osd"): the clockwise degrees
    /// to turn the image so it reads upright, or null when there is too little text to tell.
    /// </summary>
    public (int Rotate, double Confidence, string? Script)? DetectOrientation(PixHandle pix, int dpi)
    {
        var api = _api.DangerousGetHandle();
        try
        {
            TessBaseAPISetPageSegMode(api, PsmOsdOnly);
            TessBaseAPISetImage2(api, pix);
            TessBaseAPISetSourceResolution(api, dpi);
            if (TessBaseAPIDetectOrientationScript(api, out var degrees, out var confidence, out var script, out _) == 0)
            {
                return null;
            }

            // Tesseract reports how far the page was turned clockwise from upright; turning it the
            // rest of the way round (360 - that, clockwise) makes it upright again.
            var rotate = (360 - (((degrees % 360) + 360) % 360)) % 360;
            return (rotate, confidence, Marshal.PtrToStringUTF8(script));
        }
        finally
        {
            TessBaseAPIClear(api);
        }
    }

    /// <summary>Recognises an upright page image: lines and their words with boxes in points, baseline-bottomed.</summary>
    public List<OcrLine> Recognize(PixHandle pix, int pageNumber, int dpi, TimeSpan timeout, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var api = _api.DangerousGetHandle();
        try
        {
            TessBaseAPISetPageSegMode(api, PsmAuto);
            TessBaseAPISetImage2(api, pix);
            TessBaseAPISetSourceResolution(api, dpi);
            // Tesseract polls the monitor between words: both the deadline and a cancelled ingestion
            // stop a page mid-recognition instead of after it.
            CancelFunc cancel = (_, _) => cancellationToken.IsCancellationRequested;
            using (var monitor = TessMonitorCreate(timeout))
            {
                TessMonitorSetCancelFunc(monitor.DangerousGetHandle(), cancel);
                var status = TessBaseAPIRecognize(api, monitor.DangerousGetHandle());
                GC.KeepAlive(cancel);
                cancellationToken.ThrowIfCancellationRequested();
                if (status != 0)
                {
                    throw new DocumentRejectedException($"OCR failed on page {pageNumber} or took longer than {timeout.TotalSeconds:0} s");
                }
            }

            return ReadLines(api, pageNumber, pix.Height, 72.0 / dpi);
        }
        finally
        {
            TessBaseAPIClear(api);
        }
    }

    private static TessMonitorHandle TessMonitorCreate(TimeSpan timeout) => TessMonitorHandle.Create(timeout);

    private static List<OcrLine> ReadLines(IntPtr api, int pageNumber, int imageHeight, double pointsPerPixel)
    {
        var lines = new List<OcrLine>();
        var raw = TessBaseAPIGetIterator(api);
        if (raw == IntPtr.Zero)
        {
            return lines;
        }

        using var iterator = TessIteratorHandle.Wrap(raw);
        var it = iterator.DangerousGetHandle();
        var page = TessResultIteratorGetPageIterator(it);
        int block = -1, paragraph = -1;
        var text = new StringBuilder();
        var words = new List<OcrWord>();
        double confidenceSum = 0, confidenceWeight = 0;
        int left = 0, top = 0, right = 0, bottom = 0, baseline = 0;
        // The line's baseline as Tesseract fits it (sloped where the page is not quite level), and the heights above
        // it of its full-height glyphs and of its words.
        double baseX1 = 0, baseY1 = 0, baseSlope = 0;
        var glyphHeights = new List<double>();
        var wordHeights = new List<(double Height, double Confidence)>();
        var inLine = false;

        // Pixels of the image (origin top-left) to points (origin bottom-left).
        BoundingBox ToPoints(int boxLeft, int boxBaseline, int boxRight, int boxTop) => new(
            boxLeft * pointsPerPixel,
            (imageHeight - boxBaseline) * pointsPerPixel,
            boxRight * pointsPerPixel,
            (imageHeight - boxTop) * pointsPerPixel);

        void FlushLine()
        {
            if (inLine && text.Length > 0)
            {
                var box = ToPoints(left, baseline, right, top);
                // The em from the glyphs' heights: steadier than the line's box, which grows and shrinks with
                // descenders and also takes in a speck touching any one word.
                var fontSize = Math.Round(Math.Max(1, FontEm(glyphHeights, wordHeights) ?? (baseline - top) / CapShare) * pointsPerPixel);
                lines.Add(new OcrLine(pageNumber, text.ToString(), box, fontSize, block, paragraph,
                    confidenceWeight > 0 ? confidenceSum / confidenceWeight : 0)
                {
                    Words = words.ToArray(),
                });
            }

            text.Clear();
            words.Clear();
            glyphHeights.Clear();
            wordHeights.Clear();
            confidenceSum = confidenceWeight = 0;
            inLine = false;
        }

        double BaselineAt(double x) => baseY1 + ((x - baseX1) * baseSlope);

        // The word the iterator is at the first glyph of; false for an empty one.
        bool TakeWord()
        {
            var word = TakeText(TessResultIteratorGetUTF8Text(it, RilWord))?.Trim();
            if (string.IsNullOrEmpty(word))
            {
                return false;
            }

            var confidence = Math.Clamp((double)TessResultIteratorConfidence(it, RilWord), 0, 100);
            // Tesseract splits Chinese into one "word" per character or phrase: no spaces between them.
            if (text.Length > 0 && !(TextWidth.WritesWithoutSpaces(text[^1]) && TextWidth.WritesWithoutSpaces(word[0])))
            {
                text.Append(' ');
            }

            text.Append(word);
            confidenceSum += confidence * word.Length;
            confidenceWeight += word.Length;

            // A word's box is its ink over the line's baseline, kept inside the line's box (which
            // Tesseract draws round its words; the clamp only guards against a stray pixel).
            if (TessPageIteratorBoundingBox(page, RilWord, out var wordLeft, out var wordTop, out var wordRight, out _) != 0)
            {
                if (word.Any(char.IsLetterOrDigit))
                {
                    wordHeights.Add((BaselineAt((wordLeft + wordRight) / 2.0) - wordTop, confidence));
                }

                wordLeft = Math.Clamp(wordLeft, left, right);
                wordRight = Math.Clamp(wordRight, wordLeft, right);
                wordTop = Math.Clamp(wordTop, top, Math.Max(top, baseline));
                words.Add(new OcrWord(word, ToPoints(wordLeft, baseline, wordRight, wordTop), confidence));
            }

            return true;
        }

        // The iterator walks glyph by glyph, so that each line's type height comes from its glyphs; words are
        // taken at their first glyph.
        var inWord = false;
        do
        {
            if (TessPageIteratorIsAtBeginningOf(page, RilBlock) != 0)
            {
                block++;
            }

            if (TessPageIteratorIsAtBeginningOf(page, RilPara) != 0)
            {
                paragraph++;
            }

            if (TessPageIteratorIsAtBeginningOf(page, RilTextLine) != 0)
            {
                FlushLine();
                if (TessPageIteratorBoundingBox(page, RilTextLine, out left, out top, out right, out bottom) == 0)
                {
                    continue;
                }

                if (TessPageIteratorBaseline(page, RilTextLine, out var x1, out var y1, out var x2, out var y2) != 0)
                {
                    baseline = (y1 + y2) / 2;
                    (baseX1, baseY1, baseSlope) = (x1, y1, x2 != x1 ? (double)(y2 - y1) / (x2 - x1) : 0);
                }
                else
                {
                    baseline = bottom;
                    (baseX1, baseY1, baseSlope) = (left, bottom, 0);
                }

                inLine = true;
            }

            if (TessPageIteratorIsAtBeginningOf(page, RilWord) != 0)
            {
                inWord = inLine && TakeWord();
            }

            if (inWord && TakeText(TessResultIteratorGetUTF8Text(it, RilSymbol)) is { Length: > 0 } glyph && EmShare(glyph) is { } share &&
                TessPageIteratorBoundingBox(page, RilSymbol, out var glyphLeft, out var glyphTop, out var glyphRight, out _) != 0)
            {
                glyphHeights.Add((BaselineAt((glyphLeft + glyphRight) / 2.0) - glyphTop) / share);
            }
        }
        while (TessResultIteratorNext(it, RilSymbol) != 0);

        FlushLine();
        return lines;
    }

    /// <summary>Words read with less confidence than this are left out of a line's type height when it has others.</summary>
    private const double SureWord = 75;

    /// <summary>Capitals, digits and ascenders reach about this share of the em above the baseline.</summary>
    private const double CapShare = 0.7;

    /// <summary>Ideographs (and kana, hangul) fill about this share of the em.</summary>
    private const double IdeographShare = 0.9;

    /// <summary>
    /// A line's type size (its em) in pixels: the median (the lower one of an even count) of its full-height glyphs'
    /// heights, each over the share of the em it fills (<see cref="EmShare"/>), which neither a speck resting on a word
    /// nor a descender moves, and which is the same for a Chinese and a Latin line in one size. A line without such
    /// glyphs takes its words' median height, leaving out words Tesseract doubts (a speck read as a quote mark lowers
    /// its confidence) when it has others. Null for a line without lettered words.
    /// </summary>
    /// <param name="glyphEms">The full-height glyphs' heights already over their share of the em.</param>
    /// <param name="wordHeights">The lettered words' heights above the baseline, with their confidences.</param>
    internal static double? FontEm(IReadOnlyList<double> glyphEms, IReadOnlyList<(double Height, double Confidence)> wordHeights)
    {
        if (glyphEms.Count > 0)
        {
            return Median(glyphEms);
        }

        var sure = wordHeights.Where(w => w.Confidence >= SureWord).Select(w => w.Height).ToList();
        return (sure.Count > 0 ? Median(sure) : wordHeights.Count > 0 ? Median([.. wordHeights.Select(w => w.Height)]) : null) / CapShare;
    }

    private static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[(sorted.Length - 1) / 2];
    }

    /// <summary>
    /// The share of the em a glyph's ink fills above the baseline, for glyphs whose height says the type size: a
    /// capital, a digit or a lower-case ascender (b d f h k l) reaches the cap height, an ideograph, kana or hangul
    /// syllable fills most of the em. Null for other glyphs (x-height letters, punctuation).
    /// </summary>
    internal static double? EmShare(string glyph)
    {
        if (glyph.Length is not (1 or 2) || !char.IsLetterOrDigit(glyph, 0))
        {
            return null;
        }

        var c = glyph[0];
        return c is >= '\u3040' and < '\uFF00' && (TextWidth.WritesWithoutSpaces(c) || c is >= '\uAC00' and <= '\uD7AF') ? IdeographShare
            : char.IsUpper(glyph, 0) || char.IsDigit(glyph, 0) || "bdfhkl".Contains(c, StringComparison.Ordinal) ? CapShare
            : null;
    }

    public void Dispose() => _api.Dispose();
}
