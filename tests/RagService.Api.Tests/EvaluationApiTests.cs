using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RagService.Api.EvalRuns;
using RagService.Api.Hosting;
using RagService.Evaluation.Hosting;
using RagService.Evaluation.Retrieval;

namespace RagService.Api.Tests;

/// <summary>
/// <c>/v1/eval/runs</c>: runs made by the real evaluator over HTTP and written by the real writer are listed, read
/// back (every metric as written) and drilled into per query; the system admin only; names never leave the folder.
/// </summary>
public sealed class EvaluationApiTests
{
    private const string AdminKey = "evaluation-admin-key-0123456789abcdef";

    [Fact]
    public async Task Runs_are_listed_read_back_and_drilled_into_by_the_system_admin_only()
    {
        using var dir = new TempDirectory();
        var runs = dir.File("runs");
        await using var server = await LoopbackApiServer.StartAsync(null, new Dictionary<string, string?>
        {
            ["Rag:DataDirectory"] = dir.File("data"),
            ["Rag:Auth:AdminKey"] = AdminKey,
            ["Rag:Evaluation:RunsDirectory"] = runs,
            ["Logging:LogLevel:Default"] = "Warning",
        }, default);
        using var http = server.CreateClient();

        // No folder yet: an empty list that says where runs are read from.
        var empty = await http.GetFromJsonAsync<JsonElement>("v1/eval/runs");
        Assert.Equal(Path.GetFullPath(runs), empty.GetProperty("directory").GetString());
        Assert.Equal(0, empty.GetProperty("runs").GetArrayLength());

        var dataset = await EvalRunFixture.PrepareAsync(http, dir.File("beir"));
        var (report, name) = await EvalRunFixture.RunAsync(http, dataset, runs, new DateTimeOffset(2026, 1, 2, 9, 0, 0, TimeSpan.Zero));
        var (_, olderName) = await EvalRunFixture.RunAsync(http, dataset, runs, new DateTimeOffset(2026, 1, 1, 9, 0, 0, TimeSpan.Zero), maxQueries: 2);
        // A run as rag eval wrote them before it recorded each query's outcome.
        var legacy = Path.GetFileName(await EvalRunFiles.WriteAsync(report with
        {
            Modes = [.. report.Modes.Select(m => m with { PerQuery = null })], QueryTexts = null, At = new DateTimeOffset(2025, 12, 31, 9, 0, 0, TimeSpan.Zero),
        }, runs, default));
        await File.WriteAllTextAsync(Path.Combine(runs, "broken.json"), "{ \"dataset\": ");
        // A run outside the folder: what a name that climbs out of it would reach.
        await File.WriteAllTextAsync(dir.File("outside.json"),
            (await File.ReadAllTextAsync(Path.Combine(runs, name + ".json"))).Replace("\"dataset\": \"mini\"", "\"dataset\": \"outside-secret\"", StringComparison.Ordinal));

        // The list: newest first, the unreadable file last with its reason.
        var list = (await http.GetFromJsonAsync<JsonElement>("v1/eval/runs")).GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal([name, olderName, legacy, "broken"], list.Select(r => r.GetProperty("name").GetString()));
        Assert.False(list[2].GetProperty("perQuery").GetBoolean());
        Assert.Equal("20260102-090000-mini-test-" + report.EmbeddingModel, name);
        var newest = list[0];
        Assert.Equal((4, 2, true), (newest.GetProperty("queries").GetInt32(), newest.GetProperty("modes").GetInt32(), newest.GetProperty("perQuery").GetBoolean()));
        var best = report.Modes.MaxBy(m => m.Metrics.At(10).Ndcg)!;
        Assert.Equal(best.Mode, newest.GetProperty("bestMode").GetString());
        Assert.Equal(best.Metrics.At(10).Ndcg, newest.GetProperty("bestNdcg10").GetDouble(), 12);
        Assert.Contains("cannot be read as a run", list[3].GetProperty("error").GetString(), StringComparison.Ordinal);

        // The run: every metric at every cutoff and the latency, as written.
        var run = await http.GetFromJsonAsync<JsonElement>($"v1/eval/runs/{name}");
        Assert.Equal(("mini", "test", 4), (run.GetProperty("dataset").GetString(), run.GetProperty("split").GetString(), run.GetProperty("queries").GetInt32()));
        Assert.StartsWith("HTTP POST", run.GetProperty("transport").GetString(), StringComparison.Ordinal);
        var modes = run.GetProperty("modes").EnumerateArray().ToList();
        Assert.Equal(["bm25", "hybrid"], modes.Select(m => m.GetProperty("mode").GetString()));
        foreach (var (written, read) in report.Modes.Zip(modes))
        {
            Assert.Equal(written.Metrics.QueryCount, read.GetProperty("queryCount").GetInt32());
            var cutoffs = read.GetProperty("metrics").EnumerateArray().ToList();
            Assert.Equal(written.Metrics.Metrics.Select(m => m.K), cutoffs.Select(c => c.GetProperty("k").GetInt32()));
            foreach (var (w, r) in written.Metrics.Metrics.Zip(cutoffs))
            {
                Assert.Equal([w.Ndcg, w.Mrr, w.Recall, w.Precision, w.Hit],
                    new[] { "ndcg", "mrr", "recall", "precision", "hit" }.Select(p => r.GetProperty(p).GetDouble()));
            }

            Assert.Equal(written.Latency.P50Ms, read.GetProperty("latency").GetProperty("p50Ms").GetDouble());
            Assert.Equal(written.Latency.P99Ms, read.GetProperty("latency").GetProperty("p99Ms").GetDouble());
        }

        // BM25's drill-down: what the set was built to give.
        var bm25 = await QueriesAsync(http, name, "mode=bm25&limit=500");
        Assert.Equal(4, bm25.GetProperty("total").GetInt32());
        var byId = bm25.GetProperty("queries").EnumerateArray().ToDictionary(q => q.GetProperty("id").GetString()!);
        Assert.Equal("how long are database backups retained", byId["q1"].GetProperty("text").GetString());
        Assert.Equal([("d1", 1, (int?)1, false)], Relevant(byId["q1"]));
        Assert.Equal((1.0, 1.0, 0), (byId["q1"].GetProperty("ndcg10").GetDouble(), byId["q1"].GetProperty("reciprocalRank10").GetDouble(), byId["q1"].GetProperty("missed").GetInt32()));
        Assert.Equal([("d2", 1, (int?)1, false), ("d5", 1, (int?)null, true)], Relevant(byId["q2"])); // d5 shares no word with the query
        Assert.Equal(1, byId["q2"].GetProperty("missed").GetInt32());
        Assert.Equal("d2", byId["q2"].GetProperty("top")[0].GetString());
        Assert.Equal([("d5", 2, (int?)1, false)], Relevant(byId["q3"]));
        Assert.Equal([("d3", 1, (int?)null, true)], Relevant(byId["q4"])); // nothing shares a word with it
        Assert.Equal((0, 0.0), (byId["q4"].GetProperty("retrieved").GetInt32(), byId["q4"].GetProperty("ndcg10").GetDouble()));
        Assert.Equal(report.Modes[0].Metrics.At(10).Ndcg, byId.Values.Average(q => q.GetProperty("ndcg10").GetDouble()), 12);

        // Filtered, ordered and paged on the server.
        Assert.Equal(["q2", "q4"], Ids(await QueriesAsync(http, name, "mode=bm25&missed=true")));
        Assert.Equal("q4", Ids(await QueriesAsync(http, name, "mode=bm25&order=worst"))[0]);
        var second = await QueriesAsync(http, name, "mode=bm25&offset=1&limit=1");
        Assert.Equal((4, 1), (second.GetProperty("total").GetInt32(), second.GetProperty("offset").GetInt32()));
        Assert.Equal(["q2"], Ids(second));
        // Another row, and the first row when none is named.
        var hybrid = await QueriesAsync(http, name, "mode=hybrid&limit=500");
        Assert.Equal(report.Modes[1].PerQuery!.Select(q => q.Id), Ids(hybrid));
        Assert.Equal(report.Modes[1].PerQuery!.Select(q => q.Ndcg10), hybrid.GetProperty("queries").EnumerateArray().Select(q => q.GetProperty("ndcg10").GetDouble()));
        Assert.Equal("bm25", (await QueriesAsync(http, name, "")).GetProperty("mode").GetString());

        // Errors are ProblemDetails: an unknown run or row, an unreadable file, a bad page.
        await AssertProblemAsync(http, "v1/eval/runs/20990101-000000-nothing", HttpStatusCode.NotFound, "Run not found");
        await AssertProblemAsync(http, $"v1/eval/runs/{name}/queries?mode=dense", HttpStatusCode.NotFound, "Mode not found");
        await AssertProblemAsync(http, "v1/eval/runs/broken", HttpStatusCode.NotFound, "Run not readable");
        await AssertProblemAsync(http, $"v1/eval/runs/{legacy}/queries", HttpStatusCode.NotFound, "No per-query outcomes");
        var legacyRun = await http.GetFromJsonAsync<JsonElement>($"v1/eval/runs/{legacy}");
        Assert.All(legacyRun.GetProperty("modes").EnumerateArray(), m => Assert.False(m.GetProperty("perQuery").GetBoolean()));
        await AssertProblemAsync(http, $"v1/eval/runs/{name}/queries?limit=0", HttpStatusCode.BadRequest, "Bad request");
        await AssertProblemAsync(http, $"v1/eval/runs/{name}/queries?order=best", HttpStatusCode.BadRequest, "Bad request");

        // A name that would leave the folder is refused, whichever way it is spelled; the run outside is never read.
        foreach (var path in new[] { "..%2Foutside", "..%5Coutside", "%2E%2E%2Foutside", "..%252Foutside", ".hidden", "..%2Foutside/queries" })
        {
            using var response = await http.GetAsync($"v1/eval/runs/{path}");
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"{path}: {(int)response.StatusCode} {body}");
            Assert.DoesNotContain("outside-secret", body, StringComparison.Ordinal);
        }

        await AssertProblemAsync(http, "v1/eval/runs/..%2Foutside", HttpStatusCode.BadRequest, "Bad request");

        // The system admin only: a reader and another tenant's admin get 403, no key 401.
        await SecurityHttp.CreateTenantAsync(http, "acme");
        var keys = new string?[] { await SecurityHttp.CreateKeyAsync(http, "default", "reader"), await SecurityHttp.CreateKeyAsync(http, "acme", "admin"), null };
        foreach (var key in keys)
        {
            using var other = new HttpClient { BaseAddress = server.BaseAddress };
            if (key is not null)
            {
                other.DefaultRequestHeaders.Add("X-Api-Key", key);
            }

            foreach (var route in new[] { "v1/eval/runs", $"v1/eval/runs/{name}", $"v1/eval/runs/{name}/queries" })
            {
                Assert.Equal(key is null ? HttpStatusCode.Unauthorized : HttpStatusCode.Forbidden, (await other.GetAsync(route)).StatusCode);
            }
        }

        var paths = (await http.GetFromJsonAsync<JsonElement>("openapi/v1.json")).GetProperty("paths");
        foreach (var route in new[] { "/v1/eval/runs", "/v1/eval/runs/{run}", "/v1/eval/runs/{run}/queries" })
        {
            Assert.True(paths.TryGetProperty(route, out _), $"{route} is in OpenAPI");
        }
    }

    [Fact]
    public void Run_names_never_leave_the_runs_folder_which_resolves_against_the_working_directory()
    {
        using var dir = new TempDirectory();
        Assert.Equal(Path.Combine(Environment.CurrentDirectory, "eval", "runs"), new EvalRunStore(Options.Create(new RagOptions()), NullLogger<EvalRunStore>.Instance).Directory);
        var store = new EvalRunStore(Options.Create(new RagOptions { Evaluation = { RunsDirectory = dir.File("runs") } }), NullLogger<EvalRunStore>.Instance);
        Assert.Empty(store.List()); // no folder yet

        foreach (var bad in new[] { "..", "../outside", "a/b", "a\\b", ".hidden", "", "x..y", "/etc/passwd", "a%2Fb", "a b", new string('a', 201) })
        {
            Assert.False(EvalRunStore.IsValidName(bad), bad);
            Assert.Throws<ArgumentException>(() => store.Find(bad));
        }

        Assert.True(EvalRunStore.IsValidName("20260101-000000-beir-scifact-test-bge-small-en-v1.5"));
        Assert.Null(store.Find("20260101-000000-nothing"));
    }

    private static async Task<JsonElement> QueriesAsync(HttpClient http, string run, string query) =>
        await http.GetFromJsonAsync<JsonElement>($"v1/eval/runs/{run}/queries?{query}");

    private static string[] Ids(JsonElement page) => [.. page.GetProperty("queries").EnumerateArray().Select(q => q.GetProperty("id").GetString()!)];

    private static List<(string, int, int?, bool)> Relevant(JsonElement query) =>
        query.GetProperty("relevant").EnumerateArray().Select(r => (r.GetProperty("documentId").GetString()!, r.GetProperty("grade").GetInt32(),
            r.GetProperty("rank").ValueKind == JsonValueKind.Null ? (int?)null : r.GetProperty("rank").GetInt32(), r.GetProperty("missed").GetBoolean())).ToList();

    private static async Task AssertProblemAsync(HttpClient http, string path, HttpStatusCode status, string title)
    {
        using var response = await http.GetAsync(path);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(title, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
    }
}
