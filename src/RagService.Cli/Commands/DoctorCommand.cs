using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using RagService.Api.Hosting;
using RagService.Core.Security;
using RagService.Indexing;
using RagService.Indexing.Maintenance;
using Spectre.Console;

namespace RagService.Cli.Commands;

/// <summary>
/// <c>rag doctor [--tenant T] [--index I] [--repair]</c>: checks each index's BM25 and vector index against its
/// catalog (missing, extra and stale chunks) and, with --repair, rebuilds both from the catalog's chunks and the
/// embedding cache. Without --tenant it checks every tenant's indexes (an --index alone is the default tenant's).
/// Runs in process on a data folder no service holds. Exit 1 while an index stays inconsistent.
/// </summary>
public static class DoctorCommand
{
    public static async Task<int> RunAsync(CommandLine line, CancellationToken ct)
    {
        await using var services = CliHost.Create(line);
        var registry = services.GetRequiredService<IndexRegistry>();
        var tenant = line.Get("tenant");
        if (tenant is not null && !IndexRegistry.IsValidName(tenant))
        {
            throw new UsageException($"Invalid tenant '{tenant}': use 1–64 lower-case letters, digits, '-' or '_'.");
        }

        IReadOnlyList<(string Tenant, string Name)> targets;
        if (line.Get("index") is { } only)
        {
            var owner = tenant ?? AccessScope.DefaultTenant;
            if (!registry.Exists(only, owner))
            {
                throw new UsageException($"There is no index '{only}' of tenant '{owner}' under the data folder.");
            }

            targets = [(owner, only)];
        }
        else
        {
            targets = (tenant is null ? registry.Tenants() : [tenant]).SelectMany(t => registry.Names(t).Select(n => (t, n))).ToList();
        }

        var table = new Table().AddColumns("tenant", "index", "catalog chunks", "side", "held", "missing", "extra", "stale", "state");
        var healthy = true;
        foreach (var (owner, name) in targets)
        {
            var report = await IndexDoctor.CheckAsync(registry, name, owner, ct);
            if (!report.Consistent && line.Has("repair"))
            {
                var model = services.GetRequiredService<EmbeddingModelProvider>().Get(registry.SettingsOf(name, owner).EmbeddingModel);
                AnsiConsole.MarkupLineInterpolated($"Rebuilding the BM25 and vector indexes of '{name}' (tenant '{owner}') from its catalog ({report.CatalogChunks} chunks)…");
                report = await IndexDoctor.RepairAsync(registry, name, owner, model, ct);
            }

            healthy &= report.Consistent;
            foreach (var side in new[] { report.Lexical, report.Vectors })
            {
                table.AddRow(
                    Markup.Escape(owner),
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
