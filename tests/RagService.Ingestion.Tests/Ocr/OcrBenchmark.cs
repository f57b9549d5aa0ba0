using System.Diagnostics;
using RagService.Core.Documents;
using RagService.Ingestion.Parsing.Ocr;
using RagService.Ingestion.Parsing.Pdf;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;
using Xunit.Abstractions;

namespace RagService.Ingestion.Tests.Ocr;

using DocumentFormat = RagService.Core.Documents.DocumentFormat;

/// <summary>Attribute for the OCR throughput run: skipped unless RAG_OCR_BENCH=1 (it takes minutes).</summary>
public sealed class OcrBenchmarkFactAttribute : FactAttribute
{
    public OcrBenchmarkFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("RAG_OCR_BENCH") != "1")
        {
            Skip = "OCR benchmark: set RAG_OCR_BENCH=1 to run it";
        }
    }
}

/// <summary>
/// OCR throughput on dense A4 pages at 300 dpi, end to end (pdftoppm, orientation, deskew,
/// recognition, layout), as figures for docs/benchmarks.md, "OCR".
/// </summary>
public sealed class OcrBenchmark(ITestOutputHelper output) : IDisposable
{
    private const int Pages = 4;
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    /// <summary>A full A4 page: 46 lines of 11 pt Helvetica, the kind of page a scanned policy has.</summary>
    private string DenseScannedPdf()
    {
        var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        var page = builder.AddPage(PageSize.A4);
        var y = 790.0;
        for (var i = 0; y > 50; i++, y -= 15)
        {
            var sentence = OcrFixtures.Sentences[i % OcrFixtures.Sentences.Length];
            page.AddText($"{i + 1}. {sentence} Clause {i * 7 % 31} applies.", 11, new PdfPoint(50, y), font);
        }

        var text = _files.Write("dense.pdf", builder.Build());
        var png = OcrFixtures.Rasterise(text, _files.PathFor("dense.png"), dpi: 300);
        return _files.Write("dense-scan.pdf", OcrFixtures.ScannedPdf(Enumerable.Repeat(png, Pages).ToArray()));
    }

    [OcrBenchmarkFact]
    public async Task Ocr_pages_per_second_on_a4_300_dpi()
    {
        var pdf = DenseScannedPdf();
        using var pool = new OcrEnginePool(new OcrOptions { Languages = "eng" });
        var parser = new PdfParser(new PdfPageOcr(new PageRecognizer(pool)));
        var source = new DocumentSource(pdf, "dense-scan.pdf", DocumentFormat.Pdf);

        // Warm-up: engine start-up and JIT are paid once per process, not per page.
        await parser.ParseAsync(source, CancellationToken.None);

        // CPU seconds (this process plus the pdftoppm children) are reported beside wall time: on a
        // machine shared with other work, CPU time per page is what says what two free cores can do.
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var tree = await parser.ParseAsync(source, CancellationToken.None);
        var sequential = clock.Elapsed.TotalSeconds;
        process.Refresh();
        var cpuPerPage = (process.TotalProcessorTime - cpu).TotalSeconds / Pages;
        output.WriteLine($"load average before: {File.ReadAllText("/proc/loadavg").Trim()}");
        output.WriteLine($"one document, pages one after another: {Pages} pages in {sequential:0.00} s = {Pages / sequential:0.00} pages/s wall ({tree.Blocks.Count} blocks); {cpuPerPage:0.00} CPU s/page in-process");

        cpu = process.TotalProcessorTime;
        clock.Restart();
        await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(() => parser.ParseAsync(source, CancellationToken.None))));
        var parallel = clock.Elapsed.TotalSeconds;
        process.Refresh();
        var cpuPerPageParallel = (process.TotalProcessorTime - cpu).TotalSeconds / (2 * Pages);
        output.WriteLine($"two documents at once (2 engines): {2 * Pages} pages in {parallel:0.00} s = {2 * Pages / parallel:0.00} pages/s wall; {cpuPerPageParallel:0.00} CPU s/page in-process => about {2 / cpuPerPageParallel:0.00} pages/s on 2 free cores");
        output.WriteLine($"load average after: {File.ReadAllText("/proc/loadavg").Trim()}");

        var png = _files.PathFor("dense.png");
        foreach (var languages in new[] { "eng", "chi_sim+eng" })
        {
            using var langPool = new OcrEnginePool(new OcrOptions { Languages = languages, MaxEngines = 1 });
            var recognizer = new PageRecognizer(langPool);
            clock.Restart();
            using (langPool.Rent(languages, CancellationToken.None))
            {
            }

            var startup = clock.Elapsed.TotalMilliseconds;
            using var pix = TesseractNative.pixRead(png);
            clock.Restart();
            var page = recognizer.Recognize(pix, 1, 300, CancellationToken.None);
            output.WriteLine($"{languages}: engine start-up {startup:0} ms, one A4 page (OSD + deskew + recognition) {clock.Elapsed.TotalMilliseconds:0} ms, {page.Lines.Count} lines");
        }
    }

    [OcrBenchmarkFact]
    public async Task Peak_memory_does_not_grow_with_the_number_of_scanned_pages()
    {
        var png = OcrFixtures.ScanPng(_files, dpi: 150);
        using var pool = new OcrEnginePool(new OcrOptions { Languages = "eng" });
        var parser = new PdfParser(new PdfPageOcr(new PageRecognizer(pool)));
        var process = Process.GetCurrentProcess();
        foreach (var pages in new[] { 5, 40 })
        {
            var pdf = _files.Write($"scan{pages}.pdf", OcrFixtures.ScannedPdf(Enumerable.Repeat(png, pages).ToArray()));
            var clock = Stopwatch.StartNew();
            var tree = await parser.ParseAsync(new DocumentSource(pdf, "scan.pdf", DocumentFormat.Pdf), CancellationToken.None);
            process.Refresh();
            output.WriteLine($"{pages} scanned pages (A4 at 300 dpi, {new FileInfo(pdf).Length / 1024} KB file): {clock.Elapsed.TotalSeconds:0.0} s, {tree.Blocks.Count} blocks, process peak working set so far {process.PeakWorkingSet64 / 1048576} MB");
        }
    }
}
