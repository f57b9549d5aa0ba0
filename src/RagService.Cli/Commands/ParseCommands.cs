using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using RagService.Core.Documents;
using RagService.Evaluation.Parsing;
using RagService.Ingestion.Parsing;
using Spectre.Console;

namespace RagService.Cli.Commands;

/// <summary>
/// <c>rag parse</c> prints what the parsers make of one file; <c>rag eval-parse</c> scores the parsers
/// against the ground truth of a documents folder. Both run the same parsers as ingestion, in process.
/// </summary>
public static class ParseCommands
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static async Task<int> ParseAsync(CommandLine line, CancellationToken ct)
    {
        if (line.Positional.Count != 1)
        {
            throw new UsageException("Give one file to parse.");
        }

        var path = line.Positional[0];
        if (!File.Exists(path))
        {
            throw new UsageException($"'{path}' does not exist.");
        }

        var format = line.Get("format") ?? "md";
        if (format is not ("md" or "json" or "lines"))
        {
            throw new UsageException("--format must be md, json or lines.");
        }

        if (format == "lines")
        {
            // The PDF layout's raw lines with the typography headings are decided from: for tuning, not for ingestion.
            foreach (var text in RagService.Ingestion.Parsing.Pdf.PdfParser.DescribeLines(path,
                         new RagService.Ingestion.Parsing.Ocr.PdfPageOcr(new RagService.Ingestion.Parsing.Ocr.PageRecognizer(RagService.Ingestion.Parsing.Ocr.OcrEnginePool.Shared))))
            {
                Console.Out.WriteLine(text);
            }

            return 0;
        }

        var fileName = Path.GetFileName(path);
        var source = new DocumentSource(path, fileName, new FormatSniffer().Sniff(path, fileName));
        var tree = await DocumentParserRegistry.CreateDefault().ParseAsync(source, ct);
        var output = format == "json"
            ? JsonSerializer.Serialize(new { format = source.Format, tree.Title, tree.PageCount, tree.Language, tree.Blocks }, Json)
            : DocumentTreeMarkdown.Render(tree);
        Console.Out.Write(output);
        if (!output.EndsWith('\n'))
        {
            Console.Out.WriteLine();
        }

        return 0;
    }

    public static async Task<int> EvaluateAsync(CommandLine line, CancellationToken ct)
    {
        var dataset = line.Require("dataset");
        if (!Directory.Exists(dataset))
        {
            throw new UsageException($"'{dataset}' is not a folder.");
        }

        var cases = ParseDataset.Discover(dataset);
        if (line.Get("only") is { } only)
        {
            cases = cases.Where(c => c.Name.Contains(only, StringComparison.OrdinalIgnoreCase) || c.Category.Contains(only, StringComparison.OrdinalIgnoreCase)).ToList();
        }

        var split = line.Get("split") ?? "all";
        if (split is not ("all" or ParseSplit.Dev or ParseSplit.Test))
        {
            throw new UsageException($"--split takes dev, test or all (was '{split}').");
        }

        cases = cases.Where(c => ParseSplit.Includes(split, c)).ToList();
        if (cases.Count == 0)
        {
            throw new UsageException($"No ground-truthed documents found under '{dataset}'.");
        }

        var evaluator = new ParseEvaluator(new FormatSniffer(), DocumentParserRegistry.CreateDefault());
        var timeout = TimeSpan.FromSeconds(line.GetInt("timeout", 120));
        var results = new List<ParseCaseResult>();
        foreach (var parseCase in cases)
        {
            var result = await evaluator.RunAsync(parseCase, timeout, ct);
            results.Add(result);
            var s = result.Score;
            Console.Error.WriteLine(s is null
                ? $"{parseCase.Category,-28} {parseCase.Name,-50} FAILED: {result.Failure}"
                : string.Create(CultureInfo.InvariantCulture,
                    $"{parseCase.Category,-28} {parseCase.Name,-50} sim {s.TextSimilarity:0.000}  hF1 {s.HeadingF1?.ToString("0.000", CultureInfo.InvariantCulture) ?? "-"}  tables {s.TablesRecovered}/{s.TablesExpected}  {result.Elapsed.TotalMilliseconds:0} ms"));
        }

        var report = ParseReport.Render(results);
        if (line.Has("raw-ocr"))
        {
            // Raw Tesseract on the same scans at the same DPI, file by file in this run, beside our figures.
            var dpi = new RagService.Ingestion.Parsing.Ocr.OcrOptions().Dpi;
            var comparisons = new List<OcrComparison>();
            foreach (var result in results.Where(r => r.Tree is not null && r.Case.Mode.Ocr && r.Case.Name.EndsWith(".pdf", StringComparison.OrdinalIgnoreCase)))
            {
                comparisons.Add(await OcrBaseline.CompareAsync(result, result.Tree!, dpi, ct));
            }

            if (comparisons.Count > 0)
            {
                report += Environment.NewLine + OcrBaseline.Render(comparisons);
            }
        }

        if (line.Get("out") is { } outPath)
        {
            var header = $"<!-- rag eval-parse --dataset {dataset} --split {split} · {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC -->\n\n";
            var dir = Path.GetDirectoryName(Path.GetFullPath(outPath));
            if (dir is not null)
            {
                Directory.CreateDirectory(dir);
            }

            await File.WriteAllTextAsync(outPath, header + report, ct);
            AnsiConsole.MarkupLineInterpolated($"[green]Wrote {outPath}[/]");
        }
        else
        {
            Console.Out.Write(report);
        }

        return 0;
    }
}
