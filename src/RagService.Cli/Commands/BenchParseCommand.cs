using System.Diagnostics;
using System.Globalization;
using RagService.Core.Documents;
using RagService.Evaluation.Synthetic;
using RagService.Ingestion.Parsing.Pdf;

namespace RagService.Cli.Commands;

/// <summary>
/// <c>rag bench-parse</c>: text-PDF parsing throughput and peak memory. Without <c>--file</c> it writes
/// a synthetic policy PDF of <c>--pages</c> pages first. Run it once per size, in a fresh process each
/// time, to compare peaks: memory that stays flat between 100 and 500 pages is what streaming means.
/// </summary>
public static class BenchParseCommand
{
    public static async Task<int> RunAsync(CommandLine line, CancellationToken ct)
    {
        var pages = line.GetInt("pages", 500);
        var path = line.Get("file");
        var generated = path is null;
        if (path is null)
        {
            path = Path.Combine(Path.GetTempPath(), $"rag-bench-{pages}-{Environment.ProcessId}.pdf");
            await File.WriteAllBytesAsync(path, SyntheticPolicyPdf.Build(pages), ct);
        }

        try
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var before = Process.GetCurrentProcess();
            before.Refresh();
            var baseline = before.WorkingSet64;
            var watch = Stopwatch.StartNew();
            var tree = await new PdfParser().ParseAsync(new DocumentSource(path, Path.GetFileName(path), DocumentFormat.Pdf), ct);
            watch.Stop();
            var process = Process.GetCurrentProcess();
            process.Refresh();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"pages {tree.PageCount}  blocks {tree.Blocks.Count}  tables {tree.Blocks.Count(b => b.Kind == BlockKind.Table)}  " +
                $"seconds {watch.Elapsed.TotalSeconds:0.00}  pages/s {tree.PageCount / watch.Elapsed.TotalSeconds:0.0}  " +
                $"peak working set {process.PeakWorkingSet64 / 1048576.0:0} MB (before parse {baseline / 1048576.0:0} MB)  " +
                $"file {new FileInfo(path).Length / 1024.0:0} KB  cores {Environment.ProcessorCount}"));
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
}
