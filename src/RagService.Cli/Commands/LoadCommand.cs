using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using RagService.Cli.Load;
using Spectre.Console;

namespace RagService.Cli.Commands;

/// <summary>
/// <c>rag load</c>: a bounded load test of a running service on loopback. N clients search for D seconds with
/// the queries of a BEIR queries file, optionally while a batch from a BEIR corpus is ingested into a scratch
/// index; reports QPS, p50/p95/p99 and errors by status, and a Markdown row for docs/benchmarks.md.
/// Exit 1 when any search failed.
/// </summary>
public static class LoadCommand
{
    private const int MaxClients = 64;
    private const int MaxSeconds = 600;

    public static async Task<int> RunAsync(CommandLine line, CancellationToken ct)
    {
        var baseAddress = LoopbackTarget.Parse(line.Require("url"));
        var index = line.Require("index");
        var clients = line.GetInt("clients", 1);
        var seconds = line.GetInt("duration", 30);
        if (clients is < 1 or > MaxClients || seconds is < 1 or > MaxSeconds)
        {
            throw new UsageException($"--clients must be 1–{MaxClients} and --duration 1–{MaxSeconds} seconds.");
        }

        var queries = ReadQueries(line.Require("queries"));
        var duration = TimeSpan.FromSeconds(seconds);
        using var http = RemoteService.CreateClient(baseAddress, line.Get("api-key"));
        http.Timeout = TimeSpan.FromSeconds(60);

        var corpus = line.Get("ingest-corpus");
        var ingestIndex = line.Get("ingest-index") ?? "load-ingest";
        var ingestion = corpus is null
            ? Task.FromResult(0)
            : IngestionLoad.RunAsync(http, ingestIndex, corpus, line.GetInt("ingest-docs", 1000), duration, ct);
        var result = await SearchLoad.RunAsync(http, index, queries, clients, duration, line.Get("mode") ?? "hybrid", ct);
        var uploaded = await ingestion;

        var table = new Table().AddColumns("clients", "requests", "QPS", "p50 ms", "p95 ms", "p99 ms", "errors");
        table.AddRow(
            clients.ToString(CultureInfo.InvariantCulture), result.Requests.ToString(CultureInfo.InvariantCulture), result.QueriesPerSecond.ToString("0.0", CultureInfo.InvariantCulture),
            result.Percentile(50).ToString("0", CultureInfo.InvariantCulture), result.Percentile(95).ToString("0", CultureInfo.InvariantCulture),
            result.Percentile(99).ToString("0", CultureInfo.InvariantCulture), result.Errors.ToString(CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"Outcomes: {string.Join(", ", result.ByOutcome.Select(kv => $"{kv.Key} × {kv.Value}"))}");
        var ingestNote = "no";
        if (corpus is not null)
        {
            var counts = await http.GetFromJsonAsync<JsonElement>(new Uri($"v1/indexes/{Uri.EscapeDataString(ingestIndex)}", UriKind.Relative), ct);
            var documents = counts.GetProperty("documents");
            ingestNote = $"yes ({documents.GetProperty("ready").GetInt32()} of {uploaded} ready at the end)";
            AnsiConsole.MarkupLineInterpolated($"Ingestion beside it: {uploaded} documents uploaded to '{ingestIndex}', {documents.GetProperty("ready").GetInt32()} ready and {documents.GetProperty("queued").GetInt32() + documents.GetProperty("processing").GetInt32()} still queued or processing when the load stopped.");
        }

        Console.WriteLine(result.MarkdownRow(ingestNote));
        return result.Errors == 0 ? ExitCodes.Success : ExitCodes.Failure;
    }

    /// <summary>The query texts of a BEIR queries.jsonl (<c>{"_id":…,"text":…}</c> per line).</summary>
    private static List<string> ReadQueries(string path)
    {
        if (!File.Exists(path))
        {
            throw new UsageException($"No queries file at '{path}' (a BEIR queries.jsonl).");
        }

        var queries = File.ReadLines(path).Where(l => l.Length > 0).Select(l =>
        {
            using var doc = JsonDocument.Parse(l);
            return doc.RootElement.GetProperty("text").GetString() ?? string.Empty;
        }).Where(q => q.Length > 0).ToList();
        return queries.Count > 0 ? queries : throw new UsageException($"'{path}' holds no queries.");
    }
}
