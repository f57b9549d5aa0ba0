using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace RagService.Api.Tests.Dashboard;

/// <summary>
/// The overview's activity in a real browser against the real service: search rate and latency percentiles from
/// the service's own request metrics, the ingestion queue and throughput, and the recent failures with their reasons.
/// </summary>
public sealed partial class DashboardOverviewTests
{
    private const string Index = "activity";
    private const int Searches = 24;

    [ChromiumFact]
    public async Task The_overview_shows_the_last_hours_searches_with_percentiles_the_queue_and_the_recent_failures()
    {
        using var dir = new TempDirectory();
        await using var dashboard = await DashboardBrowser.StartAsync(dir);
        using var http = dashboard.CreateClient();
        (await http.PutAsJsonAsync($"v1/indexes/{Index}", new { })).EnsureSuccessStatusCode();
        var travel = dir.File("travel.md");
        await File.WriteAllTextAsync(travel, "# Travel policy\n\nInterns receive a daily meal allowance of 40 euros.\n");
        var broken = dir.File("broken.pdf");
        await File.WriteAllTextAsync(broken, "%PDF-1.7\nthis file was cut off before its first object");
        await RagApiHost.UploadAsync(http, Index, (travel, "travel"), (broken, "broken"));
        await RagApiHost.WaitForFinalAsync(http, Index, "travel");
        var failed = await RagApiHost.WaitForFinalAsync(http, Index, "broken");

        var slowest = 0.0;
        for (var i = 0; i < Searches; i++)
        {
            var clock = Stopwatch.StartNew();
            (await http.PostAsJsonAsync($"v1/indexes/{Index}/search", new { query = $"meal allowance {i}", topK = 3 })).EnsureSuccessStatusCode();
            slowest = Math.Max(slowest, clock.Elapsed.TotalMilliseconds);
        }

        var page = await dashboard.OpenAsync();
        await DashboardBrowser.SignInAsync(page, DashboardBrowser.AdminKey);

        // The searches, as the service's own request metrics counted them, with percentiles no slower than the client saw.
        var search = page.Locator("#stat-search");
        await Expect(search).ToContainTextAsync($"{Searches} in the last");
        var text = (await search.TextContentAsync())!;
        var p50 = Ms(text, "p50");
        var p95 = Ms(text, "p95");
        var p99 = Ms(text, "p99");
        Assert.True(p50 > 0 && p50 <= p95 && p95 <= p99, text);
        Assert.True(p99 <= slowest * 1.1 + 1, $"the server's p99 ({p99} ms) is at most the slowest search the client timed ({slowest:0.0} ms): {text}");
        var stats = await http.GetFromJsonAsync<JsonElement>("v1/stats");
        Assert.Equal(Searches, stats.GetProperty("search").GetProperty("count").GetInt32());
        Assert.Equal(0, stats.GetProperty("ask").GetProperty("count").GetInt32());
        await Expect(page.Locator("#stat-ask")).ToContainTextAsync("p50 –");

        // Minute by minute: the bars hold the same searches (they fell in one or two minutes), as the table under the chart says.
        var perMinute = stats.GetProperty("perMinute").EnumerateArray().ToList();
        Assert.Equal(Searches, perMinute.Sum(m => m.GetProperty("searches").GetInt32()));
        await Expect(page.Locator("svg#activity-chart rect.bar.search")).ToHaveCountAsync(perMinute.Count(m => m.GetProperty("searches").GetInt32() > 0));
        await page.Locator("#activity-table > summary").ClickAsync();
        var minuteRows = page.Locator("#activity-table tr.minute");
        var tabled = 0;
        for (var i = 0; i < await minuteRows.CountAsync(); i++)
        {
            tabled += int.Parse((await minuteRows.Nth(i).Locator("td").Nth(1).TextContentAsync())!, CultureInfo.InvariantCulture);
        }

        Assert.Equal(Searches, tabled);

        // Nothing is waiting; ingestion finished a ready and a failed document (at least: the counter is the process's).
        await Expect(page.Locator("#stat-queue .stat-value")).ToHaveTextAsync("0");
        var ingested = IngestedPattern().Match((await page.Locator("#stat-ingestion .stat-value").TextContentAsync())!);
        Assert.True(ingested.Success);
        Assert.True(int.Parse(ingested.Groups[1].Value, CultureInfo.InvariantCulture) >= 1 && int.Parse(ingested.Groups[2].Value, CultureInfo.InvariantCulture) >= 1);

        // The recent failure with its step and full reason, linking to the document.
        var failure = page.Locator("tr[data-failure='broken']");
        await Expect(failure).ToContainTextAsync(failed.GetProperty("failedStep").GetString()!);
        await Expect(failure).ToContainTextAsync(failed.GetProperty("error").GetString()!);
        await DashboardBrowser.ScreenshotAsync(page, "overview-activity");
        await DashboardBrowser.AssertAccessibleAsync(page);

        // A document queued behind the worker shows in the queue until it is done; the overview refreshes by itself.
        var more = Enumerable.Range(1, 6).Select(i =>
        {
            var path = dir.File($"note-{i}.md");
            File.WriteAllText(path, $"# Note {i}\n\nRoom {i} has a projector.\n");
            return (path, (string?)$"note-{i}");
        }).ToArray();
        await RagApiHost.UploadAsync(http, Index, more);
        await Expect(page.Locator("tr[data-index='activity'] td").Nth(4)).ToHaveTextAsync("7", new() { Timeout = 60_000 }); // ready, refreshed live
        await Expect(page.Locator("#stat-queue .stat-value")).ToHaveTextAsync("0");

        await failure.GetByRole(AriaRole.Link, new() { Name = "broken" }).ClickAsync();
        await Expect(page.Locator("#view")).ToContainTextAsync(failed.GetProperty("error").GetString()!);
        Assert.True(dashboard.ConsoleErrors.Count == 0, string.Join(Environment.NewLine, dashboard.ConsoleErrors));
    }

    private static double Ms(string text, string percentile)
    {
        var match = Regex.Match(text, percentile + @" ([0-9.]+) ms");
        Assert.True(match.Success, $"{percentile} in '{text}'");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^(\d+) ready · (\d+) failed$")]
    private static partial Regex IngestedPattern();
}
