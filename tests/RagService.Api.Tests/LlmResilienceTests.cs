using System.Net.Http.Json;
using System.Text.Json;
using RagService.Api.Tests.Telemetry;
using RagService.TestSupport;

namespace RagService.Api.Tests;

/// <summary>
/// The LLM's HTTP client retries 429 and 5xx with backoff (Microsoft.Extensions.Http.Resilience) and the
/// calls, tokens and failures show on /metrics. The provider is <see cref="FakeOpenAiServer"/> with scripted errors.
/// </summary>
public sealed class LlmResilienceTests : IDisposable
{
    private readonly TempDirectory _data = new();

    [Fact]
    public async Task A_429_and_a_503_are_retried_and_the_third_attempt_answers()
    {
        var model = "retry-model-" + Guid.NewGuid().ToString("N")[..6];
        using var server = new FakeOpenAiServer((_, _) => "Backups are kept for 35 days [1].");
        server.UpcomingFailures.Enqueue(429);
        server.UpcomingFailures.Enqueue(503);
        var (client, host) = await StartWithDocumentAsync(server, model);
        using (client)
        await using (host)
        {
            var answer = await AskAsync(client);

            Assert.Equal(model, answer.GetProperty("generatedBy").GetString());
            Assert.Equal(3, server.Attempts);
            var metrics = new PrometheusText(await client.GetStringAsync("/metrics"));
            Assert.Equal(1, metrics.Sum("rag_llm_calls_total", ("model", model)));
            Assert.Equal(10, metrics.Sum("rag_llm_tokens_total", ("model", model), ("kind", "input")));
            Assert.Empty(metrics.Values("rag_llm_failures_total", ("model", model)));
        }
    }

    [Fact]
    public async Task A_provider_that_keeps_failing_is_retried_then_the_answer_falls_back_and_the_failure_is_counted()
    {
        var model = "failing-model-" + Guid.NewGuid().ToString("N")[..6];
        using var server = new FakeOpenAiServer((_, _) => null);
        var (client, host) = await StartWithDocumentAsync(server, model);
        using (client)
        await using (host)
        {
            var answer = await AskAsync(client);

            Assert.NotEqual(model, answer.GetProperty("generatedBy").GetString());
            Assert.Equal(1 + 2, server.Attempts);
            var metrics = new PrometheusText(await client.GetStringAsync("/metrics"));
            Assert.Equal(1, metrics.Sum("rag_llm_failures_total", ("model", model), ("reason", "500")));
        }
    }

    public void Dispose() => _data.Dispose();

    private async Task<(HttpClient Client, RagApiHost Host)> StartWithDocumentAsync(FakeOpenAiServer server, string model)
    {
        var host = new RagApiHost(_data.File("data"), new Dictionary<string, string?>
        {
            ["Llm:Endpoint"] = server.Endpoint,
            ["Llm:Model"] = model,
            ["Llm:MaxRetries"] = "2",
            ["Llm:RetryDelay"] = "00:00:00.010",
        });
        var client = host.CreateClient();
        await host.CreateIndexAsync(client, "kb");
        var file = _data.File("backup.txt");
        await File.WriteAllTextAsync(file, "Backup policy\n\nBackups are kept for 35 days in the secondary region.\n");
        await RagApiHost.UploadAsync(client, "kb", (file, "backup"));
        await RagApiHost.WaitForFinalAsync(client, "kb", "backup");
        return (client, host);
    }

    private static async Task<JsonElement> AskAsync(HttpClient client)
    {
        var response = await client.PostAsJsonAsync("/v1/indexes/kb/ask", new { question = "How long are backups kept?" });
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>(RagApiHost.Json);
    }
}
