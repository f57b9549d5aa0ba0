using System.Globalization;
using System.Text.Json;
using RagService.Evaluation.Answers;
using RagService.Evaluation.Hosting;
using Spectre.Console;

namespace RagService.Cli.Commands;

/// <summary>
/// <c>rag eval-answers --dataset eval/answers</c>: answer quality measured as a client sees it. Starts the
/// real API on 127.0.0.1 over a fresh data folder (the CLI's configuration applies, so an LLM configured
/// there answers), renders and ingests the set's documents over HTTP, asks every question of the split
/// through <c>/ask</c>, and writes the figures (<see cref="AnswerMetrics"/>) as JSON, Markdown and a chart.
/// </summary>
public static class EvalAnswersCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static async Task<int> RunAsync(CommandLine line, CancellationToken ct)
    {
        var root = line.Get("dataset") ?? Path.Combine("eval", "answers");
        var documentsPath = Path.Combine(root, "documents.json");
        var questionsPath = Path.Combine(root, "questions.jsonl");
        if (!File.Exists(documentsPath) || !File.Exists(questionsPath))
        {
            throw new UsageException($"'{root}' must hold documents.json and questions.jsonl.");
        }

        var split = line.Get("split") ?? "test";
        if (split is not ("dev" or "test" or "all"))
        {
            throw new UsageException("--split must be dev, test or all.");
        }

        var documents = AnswerCorpus.Load(documentsPath);
        var questions = AnswerQuestion.Load(questionsPath).Where(q => split == "all" || q.Split == split).ToList();
        var work = Directory.CreateTempSubdirectory("rag-eval-answers-");
        try
        {
            await using var server = await LoopbackApiServer.StartAsync(CliHost.Configuration(line), new Dictionary<string, string?>
            {
                ["Rag:DataDirectory"] = Path.Combine(work.FullName, "data"),
                ["Logging:LogLevel:Default"] = "Warning",
            }, ct);
            using var http = RemoteService.CreateClient(server.BaseAddress, line.Get("api-key") ?? server.AdminKey);
            var evaluator = new AnswerEvaluator(http, "answers");
            AnsiConsole.MarkupLineInterpolated($"Rendering and ingesting {documents.Count} documents through {server.BaseAddress} …");
            var (files, ingestSeconds) = await evaluator.IngestAsync(documents, Path.Combine(work.FullName, "files"), ct);
            IReadOnlyList<AnswerOutcome> outcomes = [];
            await AnsiConsole.Progress().AutoClear(true).StartAsync(async progress =>
            {
                var task = progress.AddTask($"Questions ({split})", maxValue: questions.Count);
                outcomes = await evaluator.AskAllAsync(documents, files, questions, new Progress<int>(n => task.Value = n), ct);
            });

            var report = AnswerEvalReport.Create(Path.GetFullPath(root), split, files.Count, ingestSeconds, outcomes);
            Print(report);
            var outDir = line.Get("out") ?? Path.Combine("eval", "runs");
            Directory.CreateDirectory(outDir);
            var stem = Path.Combine(outDir, $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-answers-{split}");
            await File.WriteAllTextAsync(stem + ".json", JsonSerializer.Serialize(report, Json), ct);
            await File.WriteAllTextAsync(stem + ".md", report.ToMarkdown(), ct);
            AnswerChart.Save(stem + ".png", $"Answer quality, {split} ({report.GeneratedBy})", report);
            AnsiConsole.MarkupLineInterpolated($"Wrote {stem}.json, {stem}.md and {stem}.png");
            return 0;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static void Print(AnswerEvalReport report)
    {
        var table = new Table().Title($"Answer quality ({report.Split}, {report.GeneratedBy})").AddColumns(
            "group", "n", "accuracy", "cit. precision", "cit. recall", "section", "noAnswer P/R/F1", "median chars", "latency p50/p95 ms", "faithfulness");
        void Row(string group, AnswerMetrics m) => table.AddRow(group, m.Questions.ToString(CultureInfo.InvariantCulture), F(m.Accuracy), F(m.CitationPrecision),
            F(m.CitationRecall), F(m.SectionAccuracy), $"{F(m.NoAnswerPrecision)}/{F(m.NoAnswerRecall)}/{F(m.NoAnswerF1)}",
            m.MedianAnswerChars.ToString(CultureInfo.InvariantCulture), $"{m.MedianLatencyMs:0}/{m.P95LatencyMs:0}", m.Faithfulness is { } f ? F(f) : "–");
        Row("all", report.Overall);
        foreach (var (kind, m) in report.ByKind)
        {
            Row(kind, m);
        }

        foreach (var (language, m) in report.ByLanguage)
        {
            Row("lang " + language, m);
        }

        AnsiConsole.Write(table);
    }

    private static string F(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);
}
