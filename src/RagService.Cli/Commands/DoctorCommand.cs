using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using RagService.Api.Hosting;
using RagService.Indexing;
using RagService.Indexing.Maintenance;
using Spectre.Console;

namespace RagService.Cli.Commands;

/// <summary>
/// <c>rag doctor [--index I] [--repair]</c>: checks each index's BM25 and vector index against its catalog
/// (missing, extra and stale chunks) and, with --repair, rebuilds both from the catalog's chunks and the
/// embedding cache. Runs in process on a data folder no service holds. Exit 1 while an index stays inconsistent.
/// </summary>
public static class DoctorCommand
{
    public static async Task<int> RunAsync(CommandLine line, CancellationToken ct)
    {
        await using var services = CliHost.Create(line);
        var registry = services.GetRequiredService<IndexRegistry>();
        var names = line.Get("index") is { } index ? [index] : registry.Names();
        if (line.Get("index") is { } only && !registry.Exists(only))
        {
            throw new UsageException($"There is no index '{only}' under the data folder.");
        }

        var table = new Table().AddColumns("index", "catalog chunks", "side", "held", "missing", "extra", "stale", "state");
        var healthy = true;
        foreach (var name in names)
        {
            var report = await IndexDoctor.CheckAsync(registry, name, ct);
            if (!report.Consistent && line.Has("repair"))
            {
                var model = services.GetRequiredService<EmbeddingModelProvider>().Get(registry.SettingsOf(name).EmbeddingModel);
                AnsiConsole.MarkupLineInterpolated($"Rebuilding the BM25 and vector indexes of '{name}' from its catalog ({report.CatalogChunks} chunks)…");
                report = await IndexDoctor.RepairAsync(registry, name, model, ct);
            }

            healthy &= report.Consistent;
            foreach (var side in new[] { report.Lexical, report.Vectors })
            {
                table.AddRow(
                    Markup.Escape(name),
                    report.CatalogChunks.ToString(CultureInfo.InvariantCulture),
                    side.Name,
                    side.Held.ToString(CultureInfo.InvariantCulture),
                    side.Missing.ToString(CultureInfo.InvariantCulture),
                    side.Extra.ToString(CultureInfo.InvariantCulture),
                    side.Stale.ToString(CultureInfo.InvariantCulture),
                    Markup.Escape(side.OpenError is { } error ? $"cannot open: {error}" : side.Consistent ? "ok" : "inconsistent"));
            }
        }

        AnsiConsole.Write(table);
        if (!healthy)
        {
            AnsiConsole.MarkupLine("[red]Inconsistent.[/] Run again with --repair to rebuild the derived indexes from the catalog (no document is parsed again).");
        }

        return healthy ? ExitCodes.Success : ExitCodes.Failure;
    }
}
