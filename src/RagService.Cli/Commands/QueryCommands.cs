using Microsoft.Extensions.DependencyInjection;
using RagService.Api.Hosting;
using RagService.Api.Querying;
using RagService.Core.Answers;
using RagService.Core.Search;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace RagService.Cli.Commands;

/// <summary><c>rag search</c> and <c>rag ask</c> against an index in the data folder.</summary>
public static class QueryCommands
{
    public static async Task<int> SearchAsync(CommandLine line, CancellationToken ct)
    {
        var query = string.Join(' ', line.Positional);
        if (string.IsNullOrWhiteSpace(query))
        {
            throw new UsageException("Give the query as an argument.");
        }

        if (line.Get("url") is not null)
        {
            return await SearchRemoteAsync(line, query, ct);
        }

        await using var services = CliHost.Create(line);
        var store = IndexSetup.OpenExisting(services, line.Require("index"));
        var request = new SearchRequest { Query = query, TopK = line.GetInt("top-k", 10), Mode = ParseMode(line.Get("mode")), IncludeTrace = line.Has("trace") };
        var response = await services.GetRequiredService<SearchService>().SearchAsync(store, request, ct);
        var table = new Table().AddColumns("#", "score", "bm25", "dense", "document", "section", "pages", "text");
        var rank = 0;
        foreach (var hit in response.Hits)
        {
            var c = hit.Chunk;
            table.AddRow(
                (++rank).ToString(System.Globalization.CultureInfo.InvariantCulture),
                hit.Score.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture),
                hit.Scores.Bm25Rank?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-",
                hit.Scores.DenseRank?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-",
                Markup.Escape(c.FileName ?? c.DocumentId),
                Markup.Escape(string.Join(" > ", c.SectionPath)),
                c.PageStart == c.PageEnd ? $"{c.PageStart}" : $"{c.PageStart}-{c.PageEnd}",
                Markup.Escape(Shorten(c.Text, 160)));
        }

        AnsiConsole.Write(table);
        return 0;
    }

    public static async Task<int> AskAsync(CommandLine line, CancellationToken ct)
    {
        var question = string.Join(' ', line.Positional);
        if (string.IsNullOrWhiteSpace(question))
        {
            throw new UsageException("Give the question as an argument.");
        }

        if (line.Get("url") is not null)
        {
            return await AskRemoteAsync(line, question, ct);
        }

        await using var services = CliHost.Create(line);
        var store = IndexSetup.OpenExisting(services, line.Require("index"));
        var request = new SearchRequest { Query = question, TopK = line.GetInt("top-k", 8), Mode = ParseMode(line.Get("mode")) };
        var response = await services.GetRequiredService<SearchService>().SearchAsync(store, request, ct);
        var answer = await services.GetRequiredService<IAnswerGenerator>().GenerateAsync(question, response.Hits, ct);
        AnsiConsole.WriteLine(answer.Text);
        AnsiConsole.WriteLine();
        foreach (var c in answer.Citations)
        {
            AnsiConsole.MarkupLineInterpolated($"[bold][[{c.Marker}]][/] {c.FileName ?? c.DocumentId}, {string.Join(" > ", c.SectionPath)}{Pages(c.PageStart, c.PageEnd)}");
        }

        return answer.NoAnswer ? ExitCodes.NoAnswer : ExitCodes.Success;
    }

    /// <summary>", p. 3" or ", pp. 3-4"; nothing for a citation of a format without pages.</summary>
    private static string Pages(int? start, int? end) =>
        start is null ? string.Empty : start == end ? $", p. {start}" : $", pp. {start}-{end}";

    private static int? Page(JsonElement citation, string name) =>
        citation.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : null;

    /// <summary><c>rag search --url</c>: <c>POST /v1/indexes/{index}/search</c> of a running service, printed as in process.</summary>
    private static async Task<int> SearchRemoteAsync(CommandLine line, string query, CancellationToken ct)
    {
        var index = line.Require("index");
        var mode = ParseMode(line.Get("mode")).ToString().ToLowerInvariant();
        using var http = RemoteService.CreateClient(line);
        var response = await RemoteService.PostAsync(http, $"v1/indexes/{Uri.EscapeDataString(index)}/search",
            new { query, topK = line.GetInt("top-k", 10), mode, trace = line.Has("trace") }, ct);
        var table = new Table().AddColumns("#", "score", "bm25", "dense", "document", "section", "pages", "text");
        var rank = 0;
        foreach (var hit in response.GetProperty("hits").EnumerateArray())
        {
            var c = hit.GetProperty("chunk");
            var scores = hit.GetProperty("scores");
            var (start, end) = (c.GetProperty("pageStart").GetInt32(), c.GetProperty("pageEnd").GetInt32());
            table.AddRow(
                (++rank).ToString(CultureInfo.InvariantCulture),
                hit.GetProperty("score").GetDouble().ToString("0.0000", CultureInfo.InvariantCulture),
                RankOrDash(scores, "bm25Rank"),
                RankOrDash(scores, "denseRank"),
                Markup.Escape(Text(c, "fileName") ?? c.GetProperty("documentId").GetString() ?? ""),
                Markup.Escape(string.Join(" > ", c.GetProperty("sectionPath").EnumerateArray().Select(s => s.GetString()))),
                start == end ? $"{start}" : $"{start}-{end}",
                Markup.Escape(Shorten(c.GetProperty("text").GetString() ?? "", 160)));
        }

        AnsiConsole.Write(table);
        return ExitCodes.Success;
    }

    /// <summary><c>rag ask --url</c>: <c>POST /v1/indexes/{index}/ask</c> of a running service, printed as in process.</summary>
    private static async Task<int> AskRemoteAsync(CommandLine line, string question, CancellationToken ct)
    {
        var index = line.Require("index");
        var mode = ParseMode(line.Get("mode")).ToString().ToLowerInvariant();
        using var http = RemoteService.CreateClient(line);
        var answer = await RemoteService.PostAsync(http, $"v1/indexes/{Uri.EscapeDataString(index)}/ask",
            new { question, topK = line.GetInt("top-k", 8), mode }, ct);
        AnsiConsole.WriteLine(answer.GetProperty("answer").GetString() ?? "");
        AnsiConsole.WriteLine();
        foreach (var c in answer.GetProperty("citations").EnumerateArray())
        {
            var sections = string.Join(" > ", c.GetProperty("sectionPath").EnumerateArray().Select(s => s.GetString()));
            AnsiConsole.MarkupLineInterpolated($"[bold][[{c.GetProperty("marker")}]][/] {Text(c, "fileName") ?? Text(c, "documentId")}, {sections}{Pages(Page(c, "pageStart"), Page(c, "pageEnd"))}");
        }

        return answer.GetProperty("noAnswer").GetBoolean() ? ExitCodes.NoAnswer : ExitCodes.Success;
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string RankOrDash(JsonElement scores, string name) =>
        scores.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32().ToString(CultureInfo.InvariantCulture) : "-";

    internal static SearchMode ParseMode(string? mode) =>
        mode is null ? SearchMode.Hybrid
        : Enum.TryParse<SearchMode>(mode, ignoreCase: true, out var m) ? m
        : throw new UsageException("--mode must be bm25, dense or hybrid.");

    private static string Shorten(string text, int max)
    {
        var flat = text.ReplaceLineEndings(" ");
        return flat.Length <= max ? flat : flat[..max] + "…";
    }
}
