using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace RagService.Api.Tests.Telemetry;

/// <summary>
/// The Prometheus endpoint, read over HTTP after real requests: request counts and latency per route,
/// search stage latency, ingestion steps, embedding throughput and the index gauges. Index names are unique
/// per test, since meters are process-wide and other tests' hosts run beside this one.
/// </summary>
public sealed class MetricsEndpointTests : IDisposable
{
    private readonly TempDirectory _data = new();

    [Fact]
    public async Task Metrics_report_requests_stages_ingestion_and_index_contents()
    {
        var index = "metrics-" + Guid.NewGuid().ToString("N")[..8];
        await using var host = new RagApiHost(_data.File("data"));
        using var client = host.CreateClient();
        await host.CreateIndexAsync(client, index);
        var file = _data.File("pumps.txt");
        await File.WriteAllTextAsync(file, "Pump maintenance\n\nThe coolant pump is inspected every 400 hours and its seals are replaced yearly.\n");
        await RagApiHost.UploadAsync(client, index, (file, "pumps"));
        Assert.Equal("ready", (await RagApiHost.WaitForFinalAsync(client, index, "pumps")).GetProperty("status").GetString());
        for (var i = 0; i < 3; i++)
        {
            await RagApiHost.SearchAsync(client, index, new { query = "coolant pump inspection" });
        }

        // ASP.NET Core records a request's duration when the request ends, which can be just after the client has
        // read the response: the last search may reach the histogram a moment later, so the scrape is repeated
        // (for at most 5 s) until the three searches are there.
        PrometheusText metrics;
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (true)
        {
            var response = await client.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            metrics = new PrometheusText(await response.Content.ReadAsStringAsync());
            if (metrics.Sum("http_server_request_duration_seconds_count", ("http_route", "/v1/indexes/{index}/search"), ("http_response_status_code", "200")) >= 3
                || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(100);
        }

        Assert.True(metrics.Sum("http_server_request_duration_seconds_count", ("http_route", "/v1/indexes/{index}/search"), ("http_response_status_code", "200")) >= 3);
        Assert.True(metrics.Sum("http_server_request_duration_seconds_bucket", ("http_route", "/v1/indexes/{index}/search"), ("le", "+Inf")) >= 3);
        Assert.True(metrics.Sum("rag_search_stage_duration_milliseconds_count", ("stage", "bm25")) >= 3);
        Assert.True(metrics.Sum("rag_ingestion_step_duration_milliseconds_count", ("step", "parse")) >= 1);
        Assert.True(metrics.Sum("rag_ingestion_step_duration_milliseconds_count", ("step", "embed")) >= 1);
        Assert.True(metrics.Sum("rag_ingestion_step_duration_milliseconds_count", ("step", "write")) >= 1);
        Assert.True(metrics.Sum("rag_embedding_chunks_total") >= 1);
        Assert.Equal(1, metrics.Sum("rag_ingestion_documents_total", ("index", index), ("outcome", "ready")));
        Assert.Equal(1, metrics.Sum("rag_index_documents", ("index", index), ("state", "ready")));
        Assert.Equal(0, metrics.Sum("rag_index_documents", ("index", index), ("state", "failed")));
        Assert.Equal(0, metrics.Sum("rag_ingestion_queue_depth", ("index", index)));
        Assert.True(metrics.Sum("rag_index_chunks", ("index", index)) >= 1);
        Assert.True(metrics.Sum("rag_index_size_bytes", ("index", index)) > 0);
    }

    [Fact]
    public async Task Index_description_counts_documents_by_state()
    {
        var index = "counts-" + Guid.NewGuid().ToString("N")[..8];
        await using var host = new RagApiHost(_data.File("data"));
        using var client = host.CreateClient();
        await host.CreateIndexAsync(client, index);
        var good = _data.File("good.txt");
        await File.WriteAllTextAsync(good, "Valve notes\n\nThe relief valve opens at 12 bar.\n");
        var empty = _data.File("empty.txt");
        await File.WriteAllTextAsync(empty, "   \n");
        await RagApiHost.UploadAsync(client, index, (good, "good"), (empty, "empty"));
        await RagApiHost.WaitForFinalAsync(client, index, "good");
        await RagApiHost.WaitForFinalAsync(client, index, "empty");

        var info = await client.GetFromJsonAsync<JsonElement>($"/v1/indexes/{index}", RagApiHost.Json);
        var documents = info.GetProperty("documents");

        Assert.Equal(1, documents.GetProperty("ready").GetInt32());
        Assert.Equal(1, documents.GetProperty("failed").GetInt32());
        Assert.Equal(0, documents.GetProperty("queued").GetInt32());
        Assert.Equal(0, documents.GetProperty("processing").GetInt32());
        Assert.Equal(2, documents.GetProperty("total").GetInt32());
        Assert.Equal(2, info.GetProperty("documentCount").GetInt32());
        Assert.True(documents.GetProperty("chunks").GetInt64() >= 1);
    }

    public void Dispose() => _data.Dispose();
}
