using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RagService.Api.Hosting;
using RagService.Api.Ingestion;
using RagService.Api.Querying;
using RagService.Evaluation.FollowUps;
using RagService.Indexing;
using RagService.Retrieval.FollowUps;
using Spectre.Console;

namespace RagService.Cli.Commands;

/// <summary>
/// <c>rag eval-followups --dataset eval/followups</c>: follow-up retrieval hit@5 with and without rewriting
/// (<see cref="FollowUpEvaluation"/>), printed and written as JSON and Markdown.
/// </summary>
public static class EvalFollowUpsCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static async Task<int> RunAsync(CommandLine line, CancellationToken ct)
    {
        var dataset = line.Get("dataset") ?? Path.Combine("eval", "followups");
        if (!File.Exists(Path.Combine(dataset, "followups.jsonl")) || !Directory.Exists(Path.Combine(dataset, "docs")))
        {
            throw new UsageException($"'{dataset}' must hold followups.jsonl and a docs folder.");
        }

        await using var services = CliHost.Create(line);
        var rag = services.GetRequiredService<IOptions<RagOptions>>().Value;
        var evaluation = new FollowUpEvaluation(services.GetRequiredService<IndexRegistry>(), services.GetRequiredService<EmbeddingModelProvider>(),
            services.GetRequiredService<DocumentIngestor>(), services.GetRequiredService<SearchService>(), services.GetRequiredService<AskService>(), rag);
        var report = await evaluation.MeasureAsync(dataset, line.Get("model") ?? rag.DefaultEmbeddingModel, services.GetRequiredService<IFollowUpRewriter>(), ct);

        var table = new Table().Title($"Follow-up retrieval, {report.Pairs} pairs, hybrid top 5").AddColumns("query", "hit@1", "hit@5", "MRR@5");
        foreach (var v in report.Variants)
        {
            table.AddRow(v.Variant, v.HitAt1.ToString("0.000", CultureInfo.InvariantCulture), $"{v.HitAt5.ToString("0.000", CultureInfo.InvariantCulture)} ({v.HitsAt5}/{v.Pairs})",
                v.Mrr5.ToString("0.000", CultureInfo.InvariantCulture));
        }

        AnsiConsole.Write(table);
        var outDir = line.Get("out") ?? Path.Combine("eval", "runs");
        Directory.CreateDirectory(outDir);
        var stem = Path.Combine(outDir, $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-followups-{report.Model}");
        await File.WriteAllTextAsync(stem + ".json", JsonSerializer.Serialize(report, Json), ct);
        await File.WriteAllTextAsync(stem + ".md", FollowUpReportMarkdown.Render(report), ct);
        AnsiConsole.MarkupLineInterpolated($"Wrote {stem}.json and {stem}.md");
        return ExitCodes.Success;
    }
}
