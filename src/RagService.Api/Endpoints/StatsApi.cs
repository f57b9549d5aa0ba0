using RagService.Api.Contracts;
using RagService.Api.Security;
using RagService.Api.Telemetry;

namespace RagService.Api.Endpoints;

/// <summary><c>/v1/stats</c>: the last hour of the service's own metrics, read by the dashboard's overview (admins).</summary>
public static class StatsApi
{
    public static RouteGroupBuilder MapStatsApi(this RouteGroupBuilder v1)
    {
        v1.MapGet("/stats", Get).WithTags("Stats").RequireAuthorization(RagPolicies.Admin)
            .WithSummary("Search and ask rate and latency percentiles, and ingestion throughput, over the last hour (this process's own metrics)");
        return v1;
    }

    internal static ServiceStatsDto Get(RecentActivity activity)
    {
        var s = activity.Snapshot();
        RequestStatsDto Of(RequestWindow w) => new(w.Count, w.Errors, Math.Round(w.Count / s.Minutes, 2), w.P50Ms, w.P95Ms, w.P99Ms);
        return new ServiceStatsDto(s.Since, Math.Round(s.Minutes, 1), Of(s.Search), Of(s.Ask),
            new IngestionStatsDto(s.DocumentsReady, s.DocumentsFailed, Math.Round(s.DocumentsReady / s.Minutes, 2)))
        {
            PerMinute = [.. s.PerMinute.Select(m => new MinuteStatsDto(m.Start, m.Search.Count, m.Search.Errors, m.Search.P95Ms, m.Ask.Count, m.Ask.Errors, m.Ask.P95Ms, m.DocumentsReady, m.DocumentsFailed))],
        };
    }
}
