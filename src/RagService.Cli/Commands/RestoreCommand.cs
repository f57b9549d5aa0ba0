using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RagService.Api.Hosting;
using RagService.Api.Security;
using RagService.Core.Security;
using RagService.Indexing;
using RagService.Indexing.Maintenance;
using Spectre.Console;

namespace RagService.Cli.Commands;

/// <summary>
/// <c>rag restore SNAPSHOT --index NEW [--tenant T]</c>: a snapshot written by <c>POST /v1/indexes/{index}/snapshot</c>
/// becomes a new index of the tenant (default: the default tenant), in that tenant's folder, in process.
/// </summary>
public static class RestoreCommand
{
    public static async Task<int> RunAsync(CommandLine line, CancellationToken ct)
    {
        var snapshot = line.Positional.FirstOrDefault() ?? throw new UsageException("Name the snapshot folder.");
        var index = line.Require("index");
        var tenant = line.Get("tenant") ?? AccessScope.DefaultTenant;
        await using var services = CliHost.Create(line);
        var registry = services.GetRequiredService<IndexRegistry>();
        if (!IsKnownTenant(tenant, registry, services.GetRequiredService<IOptions<RagOptions>>().Value))
        {
            throw new UsageException($"Unknown tenant '{tenant}': create it first (PUT /v1/tenants/{tenant} as the system admin).");
        }

        IndexStore store;
        try
        {
            store = IndexSnapshots.Restore(registry, Path.GetFullPath(snapshot), index, tenant);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }

        AnsiConsole.MarkupLineInterpolated($"[green]Restored[/] index '{index}' of tenant '{tenant}': {await store.Jobs.CountAsync(ct)} documents, {store.Vectors.Count} vectors.");
        return ExitCodes.Success;
    }

    /// <summary>The default tenant, one that has indexes on disk, or one the service's key store lists (a mistyped name is none of these).</summary>
    private static bool IsKnownTenant(string tenant, IndexRegistry registry, RagOptions options)
    {
        if (!IndexRegistry.IsValidName(tenant))
        {
            return false;
        }

        if (tenant == AccessScope.DefaultTenant || registry.Tenants().Contains(tenant, StringComparer.Ordinal))
        {
            return true;
        }

        var secrets = Path.Combine(Path.GetFullPath(options.DataDirectory), "secrets");
        return File.Exists(Path.Combine(secrets, "keys.db")) && new ApiKeyStore(secrets).TenantExists(tenant);
    }
}
