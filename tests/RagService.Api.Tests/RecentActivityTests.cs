using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using RagService.Api.Telemetry;

namespace RagService.Api.Tests;

/// <summary>The overview's last hour of metrics: rates and nearest-rank percentiles from this host's request meter, by minute.</summary>
public sealed class RecentActivityTests
{
    [Fact]
    public void Search_latencies_of_this_host_give_the_counts_and_percentiles_of_the_last_hour_and_older_minutes_drop_out()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var others = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var clock = new ManualClock(new DateTimeOffset(2026, 12, 6, 12, 0, 30, TimeSpan.Zero));
        using var activity = new RecentActivity(services.GetRequiredService<IMeterFactory>(), clock);
        var requests = Duration(services);
        var otherHost = Duration(others);

        // 100 searches of 1..100 ms; one ask that failed (500); a search on another host, not counted here.
        for (var ms = 1; ms <= 100; ms++)
        {
            requests.Record(ms / 1000.0, Route(RecentActivity.SearchRoute), Status(200));
        }

        requests.Record(0.250, Route(RecentActivity.AskRoute), Status(500));
        requests.Record(0.005, Route("/v1/indexes/{index}/documents"), Status(200));
        otherHost.Record(9.0, Route(RecentActivity.SearchRoute), Status(200));

        clock.Now = clock.Now.AddMinutes(10);
        var snapshot = activity.Snapshot();
        Assert.Equal(100, snapshot.Search.Count);
        Assert.Equal(0, snapshot.Search.Errors);
        // Nearest rank to within one bound (10 %): the 50th value is 50 ms, the 95th 95 ms, the 99th 99 ms.
        Assert.InRange(snapshot.Search.P50Ms!.Value, 50, 55);
        Assert.InRange(snapshot.Search.P95Ms!.Value, 95, 104.5);
        Assert.InRange(snapshot.Search.P99Ms!.Value, 99, 109);
        Assert.Equal((1, 1), (snapshot.Ask.Count, snapshot.Ask.Errors));
        Assert.Equal(10, snapshot.Minutes, 1);

        // Minute by minute: 12:00 to 12:10, the first holding every request, the others none.
        Assert.Equal(11, snapshot.PerMinute.Count);
        Assert.Equal(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero), snapshot.PerMinute[0].Start);
        Assert.Equal(new DateTimeOffset(2026, 12, 6, 12, 10, 0, TimeSpan.Zero), snapshot.PerMinute[^1].Start);
        Assert.Equal((100L, 1L, 1L), (snapshot.PerMinute[0].Search.Count, snapshot.PerMinute[0].Ask.Count, snapshot.PerMinute[0].Ask.Errors));
        Assert.InRange(snapshot.PerMinute[0].Search.P95Ms!.Value, 95, 104.5);
        Assert.All(snapshot.PerMinute.Skip(1), m => Assert.Equal((0L, 0L, (double?)null), (m.Search.Count, m.Ask.Count, m.Search.P95Ms)));

        // A minute over an hour old is out of the window; a new one counts alone.
        clock.Now = clock.Now.AddMinutes(55);
        requests.Record(0.002, Route(RecentActivity.SearchRoute), Status(200));
        snapshot = activity.Snapshot();
        Assert.Equal(1, snapshot.Search.Count);
        Assert.InRange(snapshot.Search.P99Ms!.Value, 2, 2.2);
        Assert.Equal(0, snapshot.Ask.Count);
        Assert.Null(snapshot.Ask.P50Ms);
        Assert.Equal(RecentActivity.WindowMinutes, snapshot.Minutes);
        Assert.Equal(RecentActivity.WindowMinutes, snapshot.PerMinute.Count);
        Assert.Equal(1, snapshot.PerMinute[^1].Search.Count);
        Assert.Equal(1, snapshot.PerMinute.Sum(m => m.Search.Count));
    }

    private static Histogram<double> Duration(IServiceProvider services) =>
        services.GetRequiredService<IMeterFactory>().Create("Microsoft.AspNetCore.Hosting").CreateHistogram<double>("http.server.request.duration", "s");

    private static KeyValuePair<string, object?> Route(string route) => new("http.route", route);

    private static KeyValuePair<string, object?> Status(int status) => new("http.response.status_code", status);

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
