using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RagService.Indexing;

namespace RagService.Api.Hosting;

/// <summary>
/// At start: takes the data folder (the registry's lock: a second writer stops here, before anything is
/// changed), opens every index on its own so a broken one is reported at once and the others serve, and
/// once listening records the service's address beside the lock, so a refused CLI can say which --url to use.
/// </summary>
internal sealed partial class IndexStartup(
    IndexRegistry registry,
    IHostApplicationLifetime lifetime,
    IServer server,
    ILogger<IndexStartup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var (name, reason) in registry.CheckAll())
        {
            LogBroken(logger, name, reason);
        }

        lifetime.ApplicationStarted.Register(() =>
        {
            if (server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() is { } address)
            {
                registry.FolderLock.Describe(address);
            }
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Error, Message = "Index {Index} is broken and will answer 503 until repaired: {Reason}")]
    private static partial void LogBroken(ILogger logger, string index, string reason);
}

/// <summary>Degraded while any index is broken: the service runs, but not every index is whole.</summary>
internal sealed class IndexHealthCheck(IndexRegistry registry) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var broken = registry.Broken;
        return Task.FromResult(broken.Count == 0
            ? HealthCheckResult.Healthy($"{registry.Names().Count} indexes")
            : HealthCheckResult.Degraded(
                $"{broken.Count} broken: {string.Join("; ", broken.Select(b => $"{b.Key}: {b.Value}"))}",
                data: broken.ToDictionary(b => b.Key, b => (object)b.Value)));
    }
}
