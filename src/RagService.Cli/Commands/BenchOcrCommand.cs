using System.Diagnostics;
using System.Globalization;
using RagService.Core.Documents;
using RagService.Evaluation.Parsing;
using RagService.Evaluation.Synthetic;
using RagService.Ingestion.Parsing.Ocr;
using RagService.Ingestion.Parsing.Pdf;

namespace RagService.Cli.Commands;

/// <summary>
/// <c>rag bench-ocr</c>: scanned-PDF throughput and memory through the real <see cref="PdfParser"/>
/// with OCR (pdftoppm, orientation detection, deskew, Tesseract, layout), in this process. It writes an
/// image-only PDF of <c>--pages</c> dense A4 pages first, in a child process (<c>--write FILE</c> is that
/// step alone), or reads <c>--file</c>; then it parses the PDF once,
/// cold, and prints the working set as pages go by: memory that is the same after page 10 and at the
/// end is what page-by-page streaming means. Run each size in its own process.
/// </summary>
public static class BenchOcrCommand
{
    public static async Task<int> RunAsync(CommandLine line, CancellationToken ct)
    {
        var pages = line.GetInt("pages", 20);
        var dpi = line.GetInt("dpi", 300);
        var scanDpi = line.GetInt("scan-dpi", dpi);
        var languages = line.Get("languages") ?? "auto";
        // Pages of the document recognised at once; unset: the engine pool's size (the core count).
        int? concurrentPages = line.Get("concurrent-pages") is null ? null : line.GetInt("concurrent-pages", 1);
        if (pages < 1 || dpi < 50 || scanDpi < 50 || concurrentPages < 1)
        {
            throw new UsageException("--pages and --concurrent-pages must be at least 1, --dpi and --scan-dpi at least 50.");
        }

        if (line.Get("write") is { } target)
        {
            // The generating half of a run, in a process of its own (see below).
            var distinct = await SyntheticScanPdf.WriteAsync(target, pages, scanDpi, ct);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote {pages} scanned pages ({distinct} distinct page images at {scanDpi} dpi) to {target}, {new FileInfo(target).Length / 1024.0:0} KB"));
            return 0;
        }

        var path = line.Get("file");
        var generated = path is null;
        if (path is null)
        {
            // PdfPig's writer decodes every PNG it embeds; done in this process, that would set the
            // peak working set before the first page is parsed. A child process writes the file.
            path = Path.Combine(Path.GetTempPath(), $"rag-bench-ocr-{pages}-{Environment.ProcessId}.pdf");
            var clock = Stopwatch.StartNew();
            await WriteInChildAsync(path, pages, scanDpi, ct);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"generated in a child process in {clock.Elapsed.TotalSeconds:0.0} s"));
        }

        try
        {
            using var pool = new OcrEnginePool(new OcrOptions { Languages = languages, Dpi = dpi, MaxConcurrentPages = concurrentPages });
            var probe = new MeasuringPageOcr(new PdfPageOcr(new PageRecognizer(pool)));
            var parser = new PdfParser(probe, pool.Options.LowConfidenceThreshold);

            GC.Collect();
            GC.WaitForPendingFinalizers();
            var process = Process.GetCurrentProcess();
            process.Refresh();
            var baseline = process.WorkingSet64;
            var cpu = process.TotalProcessorTime;
            var children = ChildCpu();
            var watch = Stopwatch.StartNew();
            probe.Start(watch);
            var tree = await parser.ParseAsync(new DocumentSource(path, Path.GetFileName(path), DocumentFormat.Pdf), ct);
            watch.Stop();
            process.Refresh();
            var parseCpu = (process.TotalProcessorTime - cpu).TotalSeconds;
            var childCpu = ChildCpu() - children;
            var recognised = Math.Max(1, probe.Pages);
            var steady = probe.Pages > 1 ? (probe.Pages - 1) / (watch.Elapsed - probe.FirstPageDone).TotalSeconds : double.NaN;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"pages {tree.PageCount}  OCR'd {probe.Pages}  blocks {tree.Blocks.Count}  seconds {watch.Elapsed.TotalSeconds:0.00}  " +
                $"pages/s {tree.PageCount / watch.Elapsed.TotalSeconds:0.000} (after page 1: {steady:0.000})  " +
                $"CPU s/page {parseCpu / recognised:0.00} in-process + {childCpu / recognised:0.00} pdftoppm  " +
                $"peak working set {process.PeakWorkingSet64 / 1048576.0:0} MB (peak after page 10: {Mb(probe.PeakAfterTenth)}; before parse {baseline / 1048576.0:0} MB)  " +
                $"dpi {dpi}  languages {languages}  pages at once {probe.MaxConcurrentPages}  cores {Environment.ProcessorCount}  load average {LoadAverage()}"));

            if (line.Has("raw-tesseract"))
            {
                // The same file, pages and DPI read by pdftoppm and the tesseract command alone, right after ours.
                var rawLanguages = string.Equals(languages, "auto", StringComparison.OrdinalIgnoreCase) ? pool.Options.LatinLanguages : languages;
                var rawChildren = ChildCpu();
                var rawWatch = Stopwatch.StartNew();
                var text = await OcrBaseline.RecogniseWithTesseractAsync(path, dpi, rawLanguages, ct);
                rawWatch.Stop();
                var rawCpu = ChildCpu() - rawChildren;
                var ours = tree.PageCount / watch.Elapsed.TotalSeconds;
                var raw = tree.PageCount / rawWatch.Elapsed.TotalSeconds;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"raw tesseract (pdftoppm + one tesseract process, -l {rawLanguages}): seconds {rawWatch.Elapsed.TotalSeconds:0.00}  pages/s {raw:0.000}  " +
                    $"CPU s/page {rawCpu / Math.Max(1, tree.PageCount):0.00}  characters {text.Length}  ours/raw pages/s {ours / raw:0.00}  load average {LoadAverage()}"));
            }
        }
        finally
        {
            if (generated)
            {
                File.Delete(path);
            }
        }

        return 0;
    }

    /// <summary>Runs <c>rag bench-ocr --write</c> in a new process of this same program.</summary>
    private static async Task WriteInChildAsync(string path, int pages, int scanDpi, CancellationToken ct)
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        var start = new ProcessStartInfo(host) { UseShellExecute = false };
        // Under "dotnet rag.dll" the host is dotnet and the program is the entry assembly; the apphost is both.
        if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            start.ArgumentList.Add(typeof(BenchOcrCommand).Assembly.Location);
        }

        foreach (var argument in new[] { "bench-ocr", "--pages", pages.ToString(CultureInfo.InvariantCulture),
                     "--scan-dpi", scanDpi.ToString(CultureInfo.InvariantCulture), "--write", path })
        {
            start.ArgumentList.Add(argument);
        }

        using var child = Process.Start(start) ?? throw new InvalidOperationException("could not start the generator");
        await child.WaitForExitAsync(ct);
        if (child.ExitCode != 0)
        {
            throw new DocumentRejectedException($"generating the scanned PDF failed (exit code {child.ExitCode})");
        }
    }

    private static string Mb(long? bytes) => bytes is { } b ? string.Create(CultureInfo.InvariantCulture, $"{b / 1048576.0:0} MB") : "n/a (under 10 pages)";

    /// <summary>CPU seconds of waited-for children (pdftoppm), from /proc/self/stat; 0 where there is no /proc.</summary>
    private static double ChildCpu()
    {
        try
        {
            var stat = File.ReadAllText("/proc/self/stat");
            // Fields after the parenthesised command name; cutime and cstime are fields 16 and 17.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
            return ticks / 100.0; // USER_HZ is 100 on Linux
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 0;
        }
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "n/a";
        }
    }

    /// <summary>
    /// Passes pages to the real OCR (as many at once as it allows) and prints the time and working set
    /// after the 1st, 10th and every 50th page recognised.
    /// </summary>
    private sealed class MeasuringPageOcr(IPageOcr inner) : IPageOcr
    {
        private Stopwatch _clock = new();
        private int _pages;
        private long _firstPageDoneTicks;
        private long _peakAfterTenth = -1;

        public int MaxConcurrentPages => inner.MaxConcurrentPages;

        public int Pages => Volatile.Read(ref _pages);

        public TimeSpan FirstPageDone => TimeSpan.FromTicks(Interlocked.Read(ref _firstPageDoneTicks));

        public long? PeakAfterTenth => Interlocked.Read(ref _peakAfterTenth) is >= 0 and var peak ? peak : null;

        public void Start(Stopwatch clock) => _clock = clock;

        public OcrPage RecognizePdfPage(string pdfPath, int pageNumber, CancellationToken cancellationToken)
        {
            var page = inner.RecognizePdfPage(pdfPath, pageNumber, cancellationToken);
            // Pages are recognised on several threads: the count is of pages done, in the order they finish.
            var done = Interlocked.Increment(ref _pages);
            if (done == 1)
            {
                Interlocked.Exchange(ref _firstPageDoneTicks, _clock.Elapsed.Ticks);
            }

            using var process = Process.GetCurrentProcess();
            if (done == 10)
            {
                Interlocked.Exchange(ref _peakAfterTenth, process.PeakWorkingSet64);
            }

            if (done is 1 or 10 || done % 50 == 0)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {done} pages done (page {pageNumber}): {_clock.Elapsed.TotalSeconds:0.0} s, working set {process.WorkingSet64 / 1048576.0:0} MB, peak so far {process.PeakWorkingSet64 / 1048576.0:0} MB, {page.Lines.Count} lines"));
            }

            return page;
        }
    }
}
