using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RagService.Api.EvalRuns;
using RagService.Api.Hosting;
using RagService.Evaluation.Hosting;

namespace RagService.Api.Tests;

/// <summary>
/// <c>POST /v1/eval/runs</c>: a run started over HTTP on a BEIR folder the test writes, its corpus ingested by the
/// service's own worker, followed on <c>/v1/eval/runs/active</c> to the end, and read back as any run: the metrics are the
/// ones the set was built to give (<see cref="EvalRunFixture"/>), computed here by hand. One run at a time; the system
/// admin only; the dataset path never leaves the configured roots.
/// </summary>
public sealed class EvalRunStartTests
{
    private const string AdminKey = "eval-start-admin-key-0123456789abcdef";

    [Fact]
    public async Task A_run_started_over_http_ingests_through_the_worker_reports_progress_and_writes_the_expected_metrics()
    {
        using var dir = new TempDirectory();
        using var elsewhere = new TempDirectory();
        var roots = dir.File("datasets");
        var runs = dir.File("runs");
        await using var server = await LoopbackApiServer.StartAsync(null, new Dictionary<string, string?>
        {
            ["Rag:DataDirectory"] = dir.File("data"),
            ["Rag:Auth:AdminKey"] = AdminKey,
            ["Rag:Evaluation:RunsDirectory"] = runs,
            ["Rag:Evaluation:DatasetRoots:0"] = roots,
            ["Logging:LogLevel:Default"] = "Warning",
        }, default);
        using var http = server.CreateClient();
        Assert.Equal(HttpStatusCode.NoContent, (await http.GetAsync("v1/eval/runs/active")).StatusCode);

        // The corpus is a named pipe: the run blocks reading it until the test writes it, so "while one runs" is certain.
        var folder = Path.Combine(roots, "mini");
        await EvalRunFixture.WriteAsync(folder, withCorpus: false);
        EvalRunFixture.MakePipe(Path.Combine(folder, "corpus.jsonl"));
        var fed = false;
        try
        {
            // Paths that are not under the roots, or not BEIR folders, are refused before anything runs.
            await EvalRunFixture.WriteAsync(elsewhere.Path);
            await AssertRefusedAsync(http, new { dataset = elsewhere.Path }, "under");
            await AssertRefusedAsync(http, new { dataset = Path.Combine(roots, "..", "datasets", "mini") }, "'..'");
            await AssertRefusedAsync(http, new { dataset = "../mini" }, "'..'");
            await AssertRefusedAsync(http, new { dataset = "mini", split = "dev" }, "qrels/dev.tsv");
            await AssertRefusedAsync(http, new { dataset = "mini", mode = "fast" }, "'mode'");
            await AssertRefusedAsync(http, new { dataset = "mini", maxQueries = 0 }, "'maxQueries'");

            using (var started = await http.PostAsJsonAsync("v1/eval/runs", new { dataset = "mini", mode = "bm25" }))
            {
                Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
                Assert.Equal("/v1/eval/runs/active", started.Headers.Location?.OriginalString);
                var body = await started.Content.ReadFromJsonAsync<JsonElement>();
                Assert.Equal(("running", "mini", "test", "bm25"), (body.GetProperty("state").GetString(), body.GetProperty("name").GetString(),
                    body.GetProperty("split").GetString(), body.GetProperty("mode").GetString()));
                Assert.Equal(Path.GetFullPath(folder), body.GetProperty("dataset").GetString());
            }

            // One at a time: 409 while the first waits for its corpus.
            using (var second = await http.PostAsJsonAsync("v1/eval/runs", new { dataset = "mini" }))
            {
                Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
                Assert.Equal("application/problem+json", second.Content.Headers.ContentType?.MediaType);
                Assert.Equal("A run is running", (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
            }

            // The system admin only, on every route; no key is 401.
            await SecurityHttp.CreateTenantAsync(http, "acme");
            foreach (var key in new[] { await SecurityHttp.CreateKeyAsync(http, "default", "reader"), await SecurityHttp.CreateKeyAsync(http, "default", "admin"),
                await SecurityHttp.CreateKeyAsync(http, "acme", "admin"), null })
            {
                using var other = new HttpClient { BaseAddress = server.BaseAddress };
                if (key is not null)
                {
                    other.DefaultRequestHeaders.Add("X-Api-Key", key);
                }

                var expected = key is null ? HttpStatusCode.Unauthorized : HttpStatusCode.Forbidden;
                Assert.Equal(expected, (await other.PostAsJsonAsync("v1/eval/runs", new { dataset = "mini" })).StatusCode);
                Assert.Equal(expected, (await other.GetAsync("v1/eval/runs/active")).StatusCode);
                Assert.Equal(expected, (await other.DeleteAsync("v1/eval/runs/active")).StatusCode);
            }

            // Feed the corpus; the worker ingests it, the run queries it. Progress moves through the phases to the end.
            var phases = new List<string>();
            fed = true;
            var feeding = EvalRunFixture.FeedPipeAsync(Path.Combine(folder, "corpus.jsonl"));
            var done = await PollAsync(http, phases);
            Assert.Equal("succeeded", done.GetProperty("state").GetString());
            await feeding;
            Assert.Equal(("done", 0, 0), (done.GetProperty("phase").GetString(), done.GetProperty("failedDocuments").GetInt32(), done.GetProperty("errors").GetArrayLength()));
            Assert.True(done.GetProperty("finished").GetDateTimeOffset() >= done.GetProperty("started").GetDateTimeOffset());
            // The phases come in their order (polling may miss the short ones, never reorder them).
            string[] order = ["storing", "ingesting", "querying", "writing", "done"];
            Assert.Equal("storing", phases[0]);
            Assert.Equal(phases.Select(p => Array.IndexOf(order, p)).Order(), phases.Select(p => Array.IndexOf(order, p)));

            // The run is listed and reads back like any other: BM25's outcome on this set, by hand.
            var name = done.GetProperty("run").GetString()!;
            var list = (await http.GetFromJsonAsync<JsonElement>("v1/eval/runs")).GetProperty("runs").EnumerateArray().ToList();
            Assert.Equal(name, list.Single().GetProperty("name").GetString());
            Assert.True(File.Exists(Path.Combine(runs, name + ".md")));
            var run = await http.GetFromJsonAsync<JsonElement>($"v1/eval/runs/{name}");
            Assert.Equal(("mini", 4, "in-process SearchService", done.GetProperty("index").GetString()),
                (run.GetProperty("dataset").GetString(), run.GetProperty("queries").GetInt32(), run.GetProperty("transport").GetString(), run.GetProperty("index").GetString()));
            var bm25 = run.GetProperty("modes").EnumerateArray().Single();
            Assert.Equal("bm25", bm25.GetProperty("mode").GetString());
            var at10 = bm25.GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("k").GetInt32() == 10);
            // q1, q3: their one relevant document first (1, 1); q2: d2 first, d5 not retrieved (DCG 1, ideal 1 + 1/log2 3);
            // q4: nothing retrieved (0).
            var q2 = 1 / (1 + (1 / Math.Log2(3)));
            Assert.Equal((1 + q2 + 1 + 0) / 4, at10.GetProperty("ndcg").GetDouble(), 12);
            Assert.Equal((1 + 0.5 + 1 + 0) / 4, at10.GetProperty("recall").GetDouble(), 12);
            Assert.Equal((1 + 1 + 1 + 0) / 4.0, at10.GetProperty("mrr").GetDouble(), 12);
            var queries = (await http.GetFromJsonAsync<JsonElement>($"v1/eval/runs/{name}/queries?limit=500")).GetProperty("queries").EnumerateArray()
                .ToDictionary(q => q.GetProperty("id").GetString()!);
            Assert.Equal("xylophone quartet rehearsal", queries["q4"].GetProperty("text").GetString());
            Assert.Equal(1, queries["q2"].GetProperty("missed").GetInt32());

            // A second run of the same folder (its corpus a plain file now) reuses the index (nothing left to ingest) and honours maxQueries.
            File.Delete(Path.Combine(folder, "corpus.jsonl"));
            await File.WriteAllLinesAsync(Path.Combine(folder, "corpus.jsonl"), EvalRunFixture.CorpusLines());
            using (var again = await http.PostAsJsonAsync("v1/eval/runs", new { dataset = Path.GetFullPath(folder), mode = "bm25", maxQueries = 2, name = "mini-two" }))
            {
                Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
            }

            var second2 = await PollAsync(http, []);
            Assert.Equal("succeeded", second2.GetProperty("state").GetString());
            var two = await http.GetFromJsonAsync<JsonElement>($"v1/eval/runs/{second2.GetProperty("run").GetString()}");
            Assert.Equal(("mini-two", 2), (two.GetProperty("dataset").GetString(), two.GetProperty("queries").GetInt32()));

            // A broken dataset ends its run with the reason; the service goes on.
            var broken = Path.Combine(roots, "broken");
            await EvalRunFixture.WriteAsync(broken);
            await File.AppendAllTextAsync(Path.Combine(broken, "queries.jsonl"), "{ not json\n");
            (await http.PostAsJsonAsync("v1/eval/runs", new { dataset = "broken" })).EnsureSuccessStatusCode();
            var failed = await PollAsync(http, []);
            Assert.Equal("failed", failed.GetProperty("state").GetString());
            Assert.Contains("queries.jsonl:5", failed.GetProperty("error").GetString(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("alive")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await http.DeleteAsync("v1/eval/runs/active")).StatusCode);

            // Cancelled while it waits for its corpus: it ends as cancelled once it reads again, and writes no run.
            var held = Path.Combine(roots, "held");
            await EvalRunFixture.WriteAsync(held, withCorpus: false);
            EvalRunFixture.MakePipe(Path.Combine(held, "corpus.jsonl"));
            (await http.PostAsJsonAsync("v1/eval/runs", new { dataset = "held" })).EnsureSuccessStatusCode();
            using (var cancel = await http.DeleteAsync("v1/eval/runs/active"))
            {
                Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
            }

            var ended = PollAsync(http, []);
            await EvalRunFixture.FeedPipeAsync(Path.Combine(held, "corpus.jsonl"), release: ended);
            var cancelled = await ended;
            Assert.Equal(("cancelled", "Cancelled.", JsonValueKind.Null), (cancelled.GetProperty("state").GetString(), cancelled.GetProperty("error").GetString(),
                cancelled.GetProperty("run").ValueKind));
            Assert.Equal(2, (await http.GetFromJsonAsync<JsonElement>("v1/eval/runs")).GetProperty("runs").GetArrayLength());

            var paths = (await http.GetFromJsonAsync<JsonElement>("openapi/v1.json")).GetProperty("paths");
            Assert.True(paths.GetProperty("/v1/eval/runs").TryGetProperty("post", out _));
            Assert.True(paths.GetProperty("/v1/eval/runs/active").TryGetProperty("get", out _));
            Assert.True(paths.GetProperty("/v1/eval/runs/active").TryGetProperty("delete", out _));
        }
        finally
        {
            if (!fed)
            {
                // A failed assertion before the corpus was written: an empty one lets the waiting run end.
                _ = Task.Run(() => File.WriteAllText(Path.Combine(folder, "corpus.jsonl"), ""));
            }
        }
    }

    [Fact]
    public void A_dataset_must_be_a_beir_folder_under_a_configured_root_and_outside_the_data_folder()
    {
        using var dir = new TempDirectory();
        using var elsewhere = new TempDirectory();
        var roots = dir.File("datasets");
        Write(Path.Combine(roots, "ok"));
        Write(elsewhere.Path);
        var options = new RagOptions { DataDirectory = dir.File("data"), Evaluation = { DatasetRoots = [roots] } };

        // No roots: nothing is read.
        Assert.Null(EvalRunRequests.Check(Path.Combine(roots, "ok"), null, null, null, null, new RagOptions(), out var none));
        Assert.Contains("Rag:Evaluation:DatasetRoots", none, StringComparison.Ordinal);

        var ok = EvalRunRequests.Check("ok", null, null, null, null, options, out _)!;
        Assert.Equal((Path.Combine(roots, "ok"), "ok", "test", "hybrid", (int?)null), (ok.Dataset, ok.Label, ok.Split, ok.Mode, ok.MaxQueries));
        Assert.Equal(ok, EvalRunRequests.Check(Path.Combine(roots, "ok") + "/", "test", "HYBRID", null, null, options, out _));

        Refused(options, elsewhere.Path, "under");
        Refused(options, Path.Combine(roots, "ok", "..", "ok"), "'..'");
        Refused(options, "ok/../ok", "'..'");
        Refused(options, "ok\\..\\ok", "'..'");
        Refused(options, "", "required");
        Refused(options, roots + "-sibling/ok", "under"); // a prefix of the root's name is not the root
        Refused(options, "missing", "not a BEIR folder");
        Refused(options, "ok", "'split'", split: "../test");

        // The data folder is not readable through a root that holds it.
        var wide = new RagOptions { DataDirectory = dir.File("data"), Evaluation = { DatasetRoots = [dir.Path] } };
        Write(Path.Combine(dir.File("data"), "copy"));
        Refused(wide, Path.Combine(dir.File("data"), "copy"), "data folder");
        Refused(wide, "data/copy", "data folder");

        // A link under a root leads nowhere outside it: a linked folder, a linked file.
        Directory.CreateSymbolicLink(Path.Combine(roots, "linked"), elsewhere.Path);
        Refused(options, "linked", "links outside");
        Write(Path.Combine(roots, "half"));
        File.Delete(Path.Combine(roots, "half", "corpus.jsonl"));
        File.CreateSymbolicLink(Path.Combine(roots, "half", "corpus.jsonl"), Path.Combine(elsewhere.Path, "corpus.jsonl"));
        Refused(options, "half", "links outside");

        static void Write(string folder) => EvalRunFixture.WriteAsync(folder).GetAwaiter().GetResult();

        static void Refused(RagOptions options, string dataset, string reason, string? split = null)
        {
            Assert.Null(EvalRunRequests.Check(dataset, split, null, null, null, options, out var refusal));
            Assert.Contains(reason, refusal, StringComparison.Ordinal);
        }
    }

    private static async Task AssertRefusedAsync(HttpClient http, object body, string reason)
    {
        using var response = await http.PostAsJsonAsync("v1/eval/runs", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(reason, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    /// <summary>Polls <c>/v1/eval/runs/active</c> until the run ends, recording each phase seen; at most two minutes.</summary>
    private static async Task<JsonElement> PollAsync(HttpClient http, List<string> phases)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var state = await http.GetFromJsonAsync<JsonElement>("v1/eval/runs/active");
            phases.Add(state.GetProperty("phase").GetString()!);
            var done = state.GetProperty("done").GetInt32();
            var total = state.GetProperty("total").GetInt32();
            Assert.True(total == 0 || done <= total, $"{done}/{total}");
            if (state.GetProperty("state").GetString() != "running")
            {
                return state;
            }

            Assert.True(deadline.Elapsed < TimeSpan.FromMinutes(2), "The run did not end within two minutes: " + state);
            await Task.Delay(50);
        }
    }
}
