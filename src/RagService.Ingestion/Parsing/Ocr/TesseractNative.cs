using System.Runtime.InteropServices;

namespace RagService.Ingestion.Parsing.Ocr;

/// <summary>
/// The parts of Tesseract's C API (capi.h) and Leptonica that OCR needs. Debian ships only the
/// versioned sonames, so those are what is imported: no -dev package is required.
/// </summary>
internal static class TesseractNative
{
    private const string Tess = "libtesseract.so.5";
    private const string Lept = "liblept.so.5";

    // TessPageIteratorLevel
    public const int RilBlock = 0;
    public const int RilPara = 1;
    public const int RilTextLine = 2;
    public const int RilWord = 3;
    public const int RilSymbol = 4;

    // TessPageSegMode
    public const int PsmOsdOnly = 0;
    public const int PsmAuto = 3;

    // Leptonica image file formats (imageio.h)
    public const int IffUnknown = 0;
    public const int IffPng = 3;
    public const int IffTiff = 4;
    public const int IffTiffG4 = 8;
    public const int IffTiffLzw = 9;
    public const int IffTiffZip = 10;

    [DllImport(Tess)] public static extern IntPtr TessVersion();

    [DllImport(Tess)] public static extern IntPtr TessBaseAPICreate();
    [DllImport(Tess)] public static extern void TessBaseAPIEnd(IntPtr api);
    [DllImport(Tess)] public static extern void TessBaseAPIDelete(IntPtr api);

    [DllImport(Tess, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    public static extern int TessBaseAPIInit3(IntPtr api, [MarshalAs(UnmanagedType.LPUTF8Str)] string dataPath, [MarshalAs(UnmanagedType.LPUTF8Str)] string language);

    [DllImport(Tess)]
    public static extern int TessBaseAPISetVariable(IntPtr api, [MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value);

    [DllImport(Tess)] public static extern void TessBaseAPISetPageSegMode(IntPtr api, int mode);
    [DllImport(Tess)] public static extern void TessBaseAPISetImage2(IntPtr api, PixHandle pix);
    [DllImport(Tess)] public static extern void TessBaseAPISetSourceResolution(IntPtr api, int ppi);
    [DllImport(Tess)] public static extern int TessBaseAPIRecognize(IntPtr api, IntPtr monitor);
    [DllImport(Tess)] public static extern void TessBaseAPIClear(IntPtr api);

    [DllImport(Tess)]
    public static extern int TessBaseAPIDetectOrientationScript(IntPtr api, out int orientationDegrees, out float orientationConfidence, out IntPtr scriptName, out float scriptConfidence);

    [DllImport(Tess)] public static extern IntPtr TessBaseAPIGetIterator(IntPtr api);
    [DllImport(Tess)] public static extern void TessResultIteratorDelete(IntPtr iterator);
    [DllImport(Tess)] public static extern IntPtr TessResultIteratorGetPageIterator(IntPtr iterator);
    [DllImport(Tess)] public static extern int TessResultIteratorNext(IntPtr iterator, int level);
    [DllImport(Tess)] public static extern IntPtr TessResultIteratorGetUTF8Text(IntPtr iterator, int level);
    [DllImport(Tess)] public static extern float TessResultIteratorConfidence(IntPtr iterator, int level);
    [DllImport(Tess)] public static extern void TessDeleteText(IntPtr text);

    [DllImport(Tess)] public static extern int TessPageIteratorIsAtBeginningOf(IntPtr pageIterator, int level);
    [DllImport(Tess)] public static extern int TessPageIteratorBoundingBox(IntPtr pageIterator, int level, out int left, out int top, out int right, out int bottom);
    [DllImport(Tess)] public static extern int TessPageIteratorBaseline(IntPtr pageIterator, int level, out int x1, out int y1, out int x2, out int y2);

    [DllImport(Tess)] public static extern IntPtr TessMonitorCreate();
    [DllImport(Tess)] public static extern void TessMonitorDelete(IntPtr monitor);
    [DllImport(Tess)] public static extern void TessMonitorSetDeadlineMSecs(IntPtr monitor, int deadline);

    /// <summary>capi.h TessCancelFunc: <c>bool (*)(void* cancel_this, int words)</c>; true stops recognition.</summary>
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    [return: MarshalAs(UnmanagedType.I1)]
    public delegate bool CancelFunc(IntPtr cancelThis, int words);

    [DllImport(Tess)] public static extern void TessMonitorSetCancelFunc(IntPtr monitor, CancelFunc cancel);

    [DllImport(Lept)] public static extern PixHandle pixRead([MarshalAs(UnmanagedType.LPUTF8Str)] string path);
    [DllImport(Lept)] public static extern PixHandle pixReadTiff([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int page);

    [DllImport(Lept)]
    public static extern int pixReadHeader([MarshalAs(UnmanagedType.LPUTF8Str)] string path, out int format, out int width, out int height, out int bitsPerSample, out int samplesPerPixel, out int hasColormap);

    [DllImport(Lept)]
    public static extern int readHeaderTiff([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int page, out int width, out int height, out int bitsPerSample, out int samplesPerPixel, out int resolution, out int hasColormap, out int format);

    [DllImport(Lept)] public static extern IntPtr fopenReadStream([MarshalAs(UnmanagedType.LPUTF8Str)] string path);
    [DllImport(Lept)] public static extern int tiffGetCount(IntPtr file, out int count);
    [DllImport("libc", EntryPoint = "fclose")] public static extern int FClose(IntPtr file);

    /// <summary>libc setenv: .NET's Environment.SetEnvironmentVariable never reaches native code on Unix.</summary>
    [DllImport("libc", EntryPoint = "setenv")]
    public static extern int SetEnv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);

    [DllImport(Lept)] public static extern int pixGetWidth(PixHandle pix);
    [DllImport(Lept)] public static extern int pixGetHeight(PixHandle pix);
    [DllImport(Lept)] public static extern int pixGetDepth(PixHandle pix);
    [DllImport(Lept)] public static extern int pixGetXRes(PixHandle pix);
    [DllImport(Lept)] public static extern PixHandle pixRotateOrth(PixHandle pix, int quads);
    [DllImport(Lept)] public static extern PixHandle pixScale(PixHandle pix, float scaleX, float scaleY);
    /// <summary>Rotates by <paramref name="radians"/>, clockwise as seen, about the centre; width and height 0 keep the size.</summary>
    [DllImport(Lept)] public static extern PixHandle pixRotate(PixHandle pix, float radians, int type, int incolor, int width, int height);

    public const int RotateAreaMap = 1;
    public const int BringInWhite = 1;

    [DllImport(Lept)] public static extern PixHandle pixFindSkewAndDeskew(PixHandle pix, int reductionFactor, out float angle, out float confidence);
    [DllImport(Lept)] public static extern PixHandle pixCreate(int width, int height, int depth);
    [DllImport(Lept)] public static extern int pixSetAllArbitrary(PixHandle pix, uint value);
    [DllImport(Lept)] public static extern int pixWrite([MarshalAs(UnmanagedType.LPUTF8Str)] string path, PixHandle pix, int format);

    [DllImport(Lept)]
    public static extern int pixWriteTiff([MarshalAs(UnmanagedType.LPUTF8Str)] string path, PixHandle pix, int compression, [MarshalAs(UnmanagedType.LPUTF8Str)] string mode);

    [DllImport(Lept)] public static extern void pixDestroy(ref IntPtr pix);

    /// <summary>Leptonica's stderr messages; 6 (L_SEVERITY_NONE) silences them: failures surface as our own reasons.</summary>
    [DllImport(Lept)] public static extern int setMsgSeverity(int severity);

    public const int SeverityNone = 6;

    /// <summary>Takes ownership of a UTF-8 string Tesseract allocated and frees it.</summary>
    public static string? TakeText(IntPtr text)
    {
        if (text == IntPtr.Zero)
        {
            return null;
        }

        try
        {
            return Marshal.PtrToStringUTF8(text);
        }
        finally
        {
            TessDeleteText(text);
        }
    }
}

/// <summary>A Leptonica PIX; destroyed exactly once.</summary>
internal sealed class PixHandle : SafeHandle
{
    public PixHandle() : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    public int Width => TesseractNative.pixGetWidth(this);

    public int Height => TesseractNative.pixGetHeight(this);

    protected override bool ReleaseHandle()
    {
        var pix = handle;
        TesseractNative.pixDestroy(ref pix);
        return true;
    }
}

/// <summary>A TessBaseAPI instance: ended and deleted when released.</summary>
internal sealed class TessApiHandle : SafeHandle
{
    public TessApiHandle() : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    public static TessApiHandle Create()
    {
        var api = new TessApiHandle();
        api.SetHandle(TesseractNative.TessBaseAPICreate());
        return api;
    }

    protected override bool ReleaseHandle()
    {
        TesseractNative.TessBaseAPIEnd(handle);
        TesseractNative.TessBaseAPIDelete(handle);
        return true;
    }
}

/// <summary>A result iterator over one recognised page.</summary>
internal sealed class TessIteratorHandle : SafeHandle
{
    public TessIteratorHandle() : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    public static TessIteratorHandle Wrap(IntPtr iterator)
    {
        var h = new TessIteratorHandle();
        h.SetHandle(iterator);
        return h;
    }

    protected override bool ReleaseHandle()
    {
        TesseractNative.TessResultIteratorDelete(handle);
        return true;
    }
}

/// <summary>A progress monitor carrying the recognition deadline.</summary>
internal sealed class TessMonitorHandle : SafeHandle
{
    public TessMonitorHandle() : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    public static TessMonitorHandle Create(TimeSpan deadline)
    {
        var h = new TessMonitorHandle();
        h.SetHandle(TesseractNative.TessMonitorCreate());
        TesseractNative.TessMonitorSetDeadlineMSecs(h.handle, (int)Math.Min(int.MaxValue, deadline.TotalMilliseconds));
        return h;
    }

    protected override bool ReleaseHandle()
    {
        TesseractNative.TessMonitorDelete(handle);
        return true;
    }
}
