using Microsoft.Extensions.DependencyInjection;
using RagService.Api.Hosting;
using RagService.Api.Querying;
using RagService.Core.Answers;
using RagService.Core.Search;
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

        await using var services = CliHost.Create(line);
        var store = IndexSetup.OpenExisting(services, line.Require("index"));
        var request = new SearchRequest { Query = question, TopK = line.GetInt("top-k", 8), Mode = ParseMode(line.Get("mode")) };
        var response = await services.GetRequiredService<SearchService>().SearchAsync(store, request, ct);
        var answer = await services.GetRequiredService<IAnswerGenerator>().GenerateAsync(question, response.Hits, ct);
        AnsiConsole.WriteLine(answer.Text);
        AnsiConsole.WriteLine();
        foreach (var c in answer.Citations)
        {
            var pages = c.PageStart == c.PageEnd ? $"p. {c.PageStart}" : $"pp. {c.PageStart}-{c.PageEnd}";
            AnsiConsole.MarkupLineInterpolated($"[bold][[{c.Marker}]][/] {c.FileName ?? c.DocumentId}, {string.Join(" > ", c.SectionPath)}, {pages}");
        }

        return answer.NoAnswer ? 3 : 0;
    }

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
