using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RagService.Api.Tests.Telemetry;

namespace RagService.Api.Tests;

/// <summary>Past a deliberately tiny concurrency limit, searches are shed with 503, Retry-After and a problem, and counted.</summary>
public sealed class LoadSheddingTests : IDisposable
{
    private readonly TempDirectory _data = new();

    [Fact]
    public async Task Searches_past_one_slot_and_no_queue_are_shed_with_503_and_retry_after()
    {
        await using var host = new RagApiHost(_data.File("data"), new Dictionary<string, string?>
        {
            ["LoadShedding:SearchConcurrency"] = "1",
            ["LoadShedding:SearchQueue"] = "0",
            ["LoadShedding:RetryAfterSeconds"] = "7",
        });
        using var client = host.CreateClient();
        await host.CreateIndexAsync(client, "kb");
        var file = _data.File("pumps.txt");
        await File.WriteAllTextAsync(file, "Pump maintenance\n\nThe coolant pump is inspected every 400 hours.\n");
        await RagApiHost.UploadAsync(client, "kb", (file, "pumps"));
        await RagApiHost.WaitForFinalAsync(client, "kb", "pumps");

        var start = new TaskCompletionSource();
        var requests = Enumerable.Range(0, 40).Select(async i =>
        {
            await start.Task;
            return await client.PostAsJsonAsync("/v1/indexes/kb/search", new { query = $"coolant pump inspection {i}", trace = true });
        }).ToList();
        start.SetResult();
        var responses = await Task.WhenAll(requests);

        var shed = responses.Where(r => r.StatusCode == HttpStatusCode.ServiceUnavailable).ToList();
        Assert.NotEmpty(shed);
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable }));
        Assert.All(shed, r => Assert.Equal(TimeSpan.FromSeconds(7), r.Headers.RetryAfter?.Delta));
        var problem = await shed[0].Content.ReadFromJsonAsync<JsonElement>(RagApiHost.Json);
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
        Assert.Contains("search", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var metrics = new PrometheusText(await client.GetStringAsync("/metrics"));
        Assert.True(metrics.Sum("rag_http_requests_shed_total", ("policy", "search")) >= shed.Count);
    }

    [Fact]
    public async Task A_limit_of_zero_stops_the_start_naming_the_setting()
    {
        await using var host = new RagApiHost(_data.File("data"), new Dictionary<string, string?> { ["LoadShedding:SearchConcurrency"] = "0" });

        var error = Assert.ThrowsAny<Exception>(() => host.CreateClient());

        Assert.Contains("LoadShedding:SearchConcurrency", error.ToString(), StringComparison.Ordinal);
    }

    public void Dispose() => _data.Dispose();
}
