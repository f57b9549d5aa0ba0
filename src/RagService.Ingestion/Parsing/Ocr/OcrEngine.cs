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
                // Cap and ascender height is about 0.7 of the em: steadier than the full box, which
                // grows and shrinks with descenders.
                var fontSize = Math.Round(Math.Max(1, baseline - top) * pointsPerPixel / 0.7);
                lines.Add(new OcrLine(pageNumber, text.ToString(), box, fontSize, block, paragraph,
                    confidenceWeight > 0 ? confidenceSum / confidenceWeight : 0)
                {
                    Words = words.ToArray(),
                });
            }

            text.Clear();
            words.Clear();
            confidenceSum = confidenceWeight = 0;
            inLine = false;
        }

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

                baseline = TessPageIteratorBaseline(page, RilTextLine, out _, out var y1, out _, out var y2) != 0
                    ? (y1 + y2) / 2
                    : bottom;
                inLine = true;
            }

            var word = TakeText(TessResultIteratorGetUTF8Text(it, RilWord))?.Trim();
            if (string.IsNullOrEmpty(word) || !inLine)
            {
                continue;
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
                wordLeft = Math.Clamp(wordLeft, left, right);
                wordRight = Math.Clamp(wordRight, wordLeft, right);
                wordTop = Math.Clamp(wordTop, top, Math.Max(top, baseline));
                words.Add(new OcrWord(word, ToPoints(wordLeft, baseline, wordRight, wordTop), confidence));
            }
        }
        while (TessResultIteratorNext(it, RilWord) != 0);

        FlushLine();
        return lines;
    }

    public void Dispose() => _api.Dispose();
}
