using Microsoft.Extensions.DependencyInjection;
using RagService.Indexing;
using RagService.Indexing.Maintenance;
using Spectre.Console;

namespace RagService.Cli.Commands;

/// <summary><c>rag restore SNAPSHOT --index NEW</c>: a snapshot written by <c>POST /v1/indexes/{index}/snapshot</c> becomes a new index, in process.</summary>
public static class RestoreCommand
{
    public static async Task<int> RunAsync(CommandLine line, CancellationToken ct)
    {
        var snapshot = line.Positional.FirstOrDefault() ?? throw new UsageException("Name the snapshot folder.");
        var index = line.Require("index");
        await using var services = CliHost.Create(line);
        var registry = services.GetRequiredService<IndexRegistry>();
        IndexStore store;
        try
        {
            store = IndexSnapshots.Restore(registry, Path.GetFullPath(snapshot), index);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }

        AnsiConsole.MarkupLineInterpolated($"[green]Restored[/] index '{index}': {await store.Jobs.CountAsync(ct)} documents, {store.Vectors.Count} vectors.");
        return ExitCodes.Success;
    }
}
