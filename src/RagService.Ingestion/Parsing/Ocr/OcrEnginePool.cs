using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using RagService.Core.Documents;

namespace RagService.Ingestion.Parsing.Ocr;

/// <summary>
/// Initialised Tesseract engines, kept per language set so model loading (150 ms for "eng", about
/// 400 ms for "chi_sim+eng") is paid once per engine rather than once per page. At most
/// <see cref="OcrOptions.MaxEngines"/> recognise at once, across all language sets.
/// </summary>
public sealed class OcrEnginePool : IDisposable
{
    public const string InstallHint = "apt-get install tesseract-ocr tesseract-ocr-eng tesseract-ocr-chi-sim tesseract-ocr-osd";

    private static readonly string[] TessdataCandidates =
    [
        "/usr/share/tesseract-ocr/5/tessdata",
        "/usr/share/tesseract-ocr/4.00/tessdata",
        "/usr/share/tessdata",
        "/usr/local/share/tessdata",
        "/opt/homebrew/share/tessdata",
    ];

    private readonly ConcurrentDictionary<string, ConcurrentBag<OcrEngine>> _idle = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _slots;
    private readonly Lazy<string> _tessdata;
    private bool _disposed;

    /// <summary>
    /// Debian's libtesseract runs OpenMP threads inside each recognition. The pool already runs one
    /// engine per core, and on a shared 2-core machine OpenMP's spinning threads made a page about
    /// ten times slower, so each engine is kept to one thread (as Tesseract's docs advise for parallel
    /// use). This has to happen before libgomp is loaded; a value the operator set is kept.
    /// </summary>
    private static readonly Lazy<bool> LimitOpenMpThreads = new(() =>
        OperatingSystem.IsWindows() || TesseractNative.SetEnv("OMP_THREAD_LIMIT", "1", overwrite: 0) == 0);

    private static readonly Lazy<OcrEnginePool> SharedPool = new(() => new OcrEnginePool());

    /// <summary>
    /// One pool with default options for the whole process: engines hold tens of megabytes of
    /// models each, so parsers created independently should share them.
    /// </summary>
    public static OcrEnginePool Shared => SharedPool.Value;

    public OcrEnginePool(OcrOptions? options = null)
    {
        Options = options ?? new OcrOptions();
        Size = Math.Clamp(Options.MaxEngines, 1, Environment.ProcessorCount);
        _slots = new SemaphoreSlim(Size);
        _tessdata = new Lazy<string>(() => ResolveTessdata(Options.TessdataPath));
    }

    public OcrOptions Options { get; }

    /// <summary>Engines that recognise at once: <see cref="OcrOptions.MaxEngines"/> capped at the core count.</summary>
    public int Size { get; }

    /// <summary>Pages of one document recognised at once: <see cref="OcrOptions.MaxConcurrentPages"/>, or <see cref="Size"/> when that is not set.</summary>
    public int MaxConcurrentPages => Options.MaxConcurrentPages is { } pages ? Math.Max(1, pages) : Size;

    /// <summary>The tessdata folder in use.</summary>
    /// <exception cref="DocumentRejectedException">Tesseract or its data is not installed.</exception>
    public string TessdataPath => _tessdata.Value;

    /// <summary>True where libtesseract.so.5, liblept.so.5 and a tessdata folder are present.</summary>
    public static bool IsInstalled(out string reason)
    {
        LimitOpenMpThreads.Value.ToString();
        foreach (var library in new[] { "libtesseract.so.5", "liblept.so.5" })
        {
            if (!NativeLibrary.TryLoad(library, typeof(OcrEnginePool).Assembly, null, out var handle))
            {
                reason = $"OCR engine not installed ({library} not found): {InstallHint}";
                return false;
            }

            NativeLibrary.Free(handle);
        }

        TesseractNative.setMsgSeverity(TesseractNative.SeverityNone);

        if (FindTessdata(null) is null)
        {
            reason = $"OCR language data not found (no tessdata folder): {InstallHint}";
            return false;
        }

        reason = string.Empty;
        return true;
    }

    /// <summary>Borrows an engine for one language set, waiting while all slots are busy.</summary>
    internal Lease Rent(string languages, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var tessdata = TessdataPath;
        // Recognition is synchronous CPU work, so a caller waiting for a slot has nothing else to do.
        _slots.Wait(cancellationToken);
        try
        {
            var bag = _idle.GetOrAdd(languages, _ => []);
            var engine = bag.TryTake(out var idle) ? idle : OcrEngine.Create(tessdata, languages);
            return new Lease(this, engine);
        }
        catch
        {
            _slots.Release();
            throw;
        }
    }

    /// <summary>True when the tessdata folder has this model (osd.traineddata is a separate Debian package).</summary>
    public bool HasModel(string language) => File.Exists(Path.Combine(TessdataPath, language + ".traineddata"));

    private void Return(OcrEngine engine)
    {
        if (_disposed)
        {
            engine.Dispose();
        }
        else
        {
            _idle.GetOrAdd(engine.Languages, _ => []).Add(engine);
        }

        _slots.Release();
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var bag in _idle.Values)
        {
            while (bag.TryTake(out var engine))
            {
                engine.Dispose();
            }
        }
    }

    private static string ResolveTessdata(string? configured)
    {
        if (!IsInstalled(out var reason) && configured is null)
        {
            throw new DocumentRejectedException(reason);
        }

        return FindTessdata(configured)
               ?? throw new DocumentRejectedException($"OCR language data not found in {configured}: {InstallHint}");
    }

    private static string? FindTessdata(string? configured)
    {
        if (configured is not null)
        {
            return Directory.Exists(configured) ? configured : null;
        }

        var prefix = Environment.GetEnvironmentVariable("TESSDATA_PREFIX");
        var candidates = string.IsNullOrEmpty(prefix)
            ? TessdataCandidates
            : [prefix, Path.Combine(prefix, "tessdata"), .. TessdataCandidates];
        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "eng.traineddata")));
    }

    /// <summary>An engine on loan; disposing it returns the engine to the pool.</summary>
    internal sealed class Lease(OcrEnginePool pool, OcrEngine engine) : IDisposable
    {
        private int _returned;

        public OcrEngine Engine { get; } = engine;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _returned, 1) == 0)
            {
                pool.Return(Engine);
            }
        }
    }
}
