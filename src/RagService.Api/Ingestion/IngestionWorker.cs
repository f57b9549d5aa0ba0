using Microsoft.Extensions.Options;
using RagService.Api.Hosting;
using RagService.Indexing;

namespace RagService.Api.Ingestion;

/// <summary>
/// The background ingestion loop. Its queue is the catalog of each index, so a restart picks up
/// every document that was queued or half-done (chunk ids are deterministic, so redoing is safe).
/// </summary>
public sealed partial class IngestionWorker(
    IndexRegistry registry,
    DocumentIngestor ingestor,
    IngestionQueue queue,
    IOptions<RagOptions> options,
    ILogger<IngestionWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Let the host finish starting before the first (possibly long) batch.
        await Task.Yield();
        var settings = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            var worked = false;
            foreach (var store in registry.OpenAll())
            {
                // Broken indexes are left out of OpenAll: they wait for their repair and were reported when found.
                var name = store.Tenant + "/" + store.Name;
                try
                {
                    var report = await ingestor.IngestPendingAsync(store, settings.MaxDocumentsPerCommit, settings.IngestionParallelism, stoppingToken);
                    worked |= report.Ready + report.Failed > 0;
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (IndexUnavailableException e)
                {
                    LogIndexBroken(logger, name, e.Reason);
                }
                catch (Exception e) when (!registry.Exists(store.Name, store.Tenant))
                {
                    // Deleted while its batch ran: the delete waited for the batch's commit and closed the store; the rest is moot.
                    LogIndexDeleted(logger, name, e.GetType().Name);
                }
                catch (Exception e)
                {
                    // An index that cannot be processed must not stop the others.
                    LogIndexFailed(logger, e, name);
                }
            }

            if (!worked)
            {
                try
                {
                    await queue.WaitAsync(TimeSpan.FromSeconds(2), stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Index {Index} is broken; its ingestion waits for a repair: {Reason}")]
    private static partial void LogIndexBroken(ILogger logger, string index, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Index {Index} was deleted while its ingestion batch ran ({Exception}); the batch is dropped")]
    private static partial void LogIndexDeleted(ILogger logger, string index, string exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Ingestion of index {Index} failed; will retry")]
    private static partial void LogIndexFailed(ILogger logger, Exception exception, string index);
}
