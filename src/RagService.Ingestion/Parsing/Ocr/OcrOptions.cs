namespace RagService.Ingestion.Parsing.Ocr;

/// <summary>How images and scanned pages are recognised. Bound from configuration section <c>Ocr</c>.</summary>
public sealed record OcrOptions
{
    /// <summary>
    /// Tesseract language set ("eng", "chi_sim+eng"), or "auto": the page's script, as orientation
    /// detection reports it, chooses <see cref="LatinLanguages"/> or <see cref="HanLanguages"/>.
    /// Auto keeps English pages on the faster, more accurate "eng" model.
    /// </summary>
    public string Languages { get; init; } = "auto";

    public string LatinLanguages { get; init; } = "eng";

    public string HanLanguages { get; init; } = "chi_sim+eng";

    /// <summary>
    /// With "auto", a Latin-script page whose first reading doubts many of its words (accented names read by
    /// "eng" come out as "Sao", "Gdteborg", with low confidence) is read again with this set (for example "Latin",
    /// Debian's <c>tesseract-ocr-script-latn</c> model), and the more confident reading is kept. Empty (the default),
    /// or the model not installed: never. Off by default because on noisy scans the trigger fires on most pages and
    /// OCR then runs at about half of raw Tesseract's pages/s (docs/benchmarks.md); opt in for accented corpora.
    /// </summary>
    public string AccentedLatinLanguages { get; init; } = string.Empty;

    /// <summary>Share of a page's lettered words read with confidence under 60 that triggers the second reading.</summary>
    public double AccentedRereadShare { get; init; } = 0.04;

    /// <summary>The tessdata folder; null looks in the usual Debian and Tesseract locations and TESSDATA_PREFIX.</summary>
    public string? TessdataPath { get; init; }

    /// <summary>Engines recognising at once (each holds its models, 30–100 MB); capped at the core count.</summary>
    public int MaxEngines { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Pages of one scanned PDF recognised at once, each holding its page image meanwhile; null: the
    /// pool's size (<see cref="MaxEngines"/> capped at the core count), so one document can use every
    /// engine. More than that only rasterises pages ahead, each waiting for an engine.
    /// </summary>
    public int? MaxConcurrentPages { get; init; }

    /// <summary>Resolution scanned PDF pages are rasterised at, and assumed for images that declare none.</summary>
    public int Dpi { get; init; } = 300;

    /// <summary>Pages of a multi-page TIFF beyond this reject the file.</summary>
    public int MaxPages { get; init; } = 500;

    /// <summary>Decoded pixels per page beyond this reject the file before it is decoded (decompression bombs).</summary>
    public long MaxPixelsPerPage { get; init; } = 100_000_000;

    /// <summary>Recognition of one page is abandoned after this long.</summary>
    public TimeSpan PageTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Rasterising one PDF page with pdftoppm is abandoned after this long.</summary>
    public TimeSpan RasteriseTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A block whose mean word confidence (0–100) is below this is marked low-confidence.</summary>
    public double LowConfidenceThreshold { get; init; } = 60;

    /// <summary>Orientation is corrected only when OSD is at least this confident (Tesseract's own CLI uses about 2).</summary>
    public double MinOrientationConfidence { get; init; } = 2.0;
}
