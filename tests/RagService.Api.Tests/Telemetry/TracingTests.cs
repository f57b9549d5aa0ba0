using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RagService.Api.Tests.Telemetry;

/// <summary>Spans per search stage and ingestion step inside the request's trace, and logs that carry the trace id.</summary>
public sealed class TracingTests : IDisposable
{
    private readonly TempDirectory _data = new();

    [Fact]
    public async Task A_search_request_has_a_span_per_stage_in_its_trace_and_ingestion_has_a_span_per_step()
    {
        var index = "traced-" + Guid.NewGuid().ToString("N")[..8];
        var stopped = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is "RagService.Retrieval" or "RagService.Ingestion" or "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Add,
        };
        ActivitySource.AddActivityListener(listener);
        await using var host = new RagApiHost(_data.File("data"));
        using var client = host.CreateClient();
        await host.CreateIndexAsync(client, index);
        var file = _data.File("valves.txt");
        await File.WriteAllTextAsync(file, "Valve notes\n\nThe relief valve opens at 12 bar and is tested monthly.\n");
        await RagApiHost.UploadAsync(client, index, (file, "valves"));
        await RagApiHost.WaitForFinalAsync(client, index, "valves");

        await RagApiHost.SearchAsync(client, index, new { query = "relief valve pressure" });

        // The server stops a request's activity after the response is written, so the client can hold the response a
        // moment before it is stopped (seen on a loaded CI machine): wait for it.
        var request = await StoppedAsync(stopped, a => a.Source.Name == "Microsoft.AspNetCore" && a.GetTagItem("http.route") as string == "/v1/indexes/{index}/search"
            && a.GetTagItem("url.path") as string == $"/v1/indexes/{index}/search");
        var stages = stopped.Where(a => a.Source.Name == "RagService.Retrieval" && a.TraceId == request.TraceId).ToList();
        Assert.Contains(stages, a => (string?)a.GetTagItem("rag.stage") == "bm25");
        Assert.Contains(stages, a => (string?)a.GetTagItem("rag.stage") == "dense");
        Assert.Contains(stages, a => (string?)a.GetTagItem("rag.stage") == "fusion");

        var batch = await StoppedAsync(stopped, a => a.OperationName == "ingest-batch" && (string?)a.GetTagItem("index") == index);
        var steps = stopped.Where(a => a.TraceId == batch.TraceId).Select(a => a.OperationName).ToHashSet();
        Assert.Superset(new HashSet<string> { "parse", "chunk", "embed", "write" }, steps);
    }

    [Fact]
    public async Task Logs_written_inside_a_span_carry_its_trace_id()
    {
        var index = "logged-" + Guid.NewGuid().ToString("N")[..8];
        var logs = new CapturingLoggerProvider();
        await using var host = new RagApiHost(_data.File("data"), new Dictionary<string, string?> { ["Logging:LogLevel:RagService"] = "Information" });
        await using var configured = host.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<ILoggerProvider>(logs)));
        using var client = configured.CreateClient();
        await host.CreateIndexAsync(client, index);
        var file = _data.File("valves.txt");
        await File.WriteAllTextAsync(file, "Valve notes\n\nThe relief valve opens at 12 bar.\n");
        await RagApiHost.UploadAsync(client, index, (file, "valves"));
        await RagApiHost.WaitForFinalAsync(client, index, "valves");

        var batchLog = Assert.Single(logs.Entries, e => e.Message.StartsWith("Indexed 1 documents into " + index, StringComparison.Ordinal));
        Assert.Matches("^[0-9a-f]{32}$", batchLog.Scope.GetValueOrDefault("TraceId") ?? "");
        Assert.Matches("^[0-9a-f]{16}$", batchLog.Scope.GetValueOrDefault("SpanId") ?? "");
    }

    /// <summary>The one stopped activity that matches, waiting up to 15 s for it to stop.</summary>
    private static async Task<Activity> StoppedAsync(ConcurrentBag<Activity> stopped, Func<Activity, bool> match)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!stopped.Any(match) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        return Assert.Single(stopped, a => match(a));
    }

    public void Dispose() => _data.Dispose();
}
