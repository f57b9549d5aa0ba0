using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace RagService.Api.Tests.Dashboard;

/// <summary>
/// The evaluation page: two runs made by the real evaluator over HTTP (<see cref="EvalRunFixture"/>) are listed; one
/// opens with its metrics table and ablation chart holding what the API answers, its per-query drill-down shows the
/// relevant document BM25 missed, and the other run is compared with it side by side; a run started from the page's form
/// shows its progress and is listed when it ends. The system admin only.
/// </summary>
public sealed class DashboardEvaluationTests
{
    [ChromiumFact]
    public async Task Runs_open_with_their_metrics_chart_and_drill_down_and_compare_side_by_side()
    {
        using var dir = new TempDirectory();
        var runs = dir.File("runs");
        await using var dashboard = await DashboardBrowser.StartAsync(dir, new Dictionary<string, string?>
        {
            ["Rag:Evaluation:RunsDirectory"] = runs,
            ["Rag:Evaluation:DatasetRoots:0"] = dir.File("datasets"),
        });
        using var http = dashboard.CreateClient();
        var dataset = await EvalRunFixture.PrepareAsync(http, dir.File("beir"));
        var (_, name) = await EvalRunFixture.RunAsync(http, dataset, runs, new DateTimeOffset(2026, 1, 2, 9, 0, 0, TimeSpan.Zero));
        var (_, older) = await EvalRunFixture.RunAsync(http, dataset, runs, new DateTimeOffset(2026, 1, 1, 9, 0, 0, TimeSpan.Zero), maxQueries: 2);
        var run = await http.GetFromJsonAsync<JsonElement>($"v1/eval/runs/{name}");
        var other = await http.GetFromJsonAsync<JsonElement>($"v1/eval/runs/{older}");

        var page = await dashboard.OpenAsync();
        await DashboardBrowser.SignInAsync(page, DashboardBrowser.AdminKey);
        await page.GetByRole(AriaRole.Link, new() { Name = "Evaluation", Exact = true }).ClickAsync();
        await Expect(page.Locator("tr[data-run]")).ToHaveCountAsync(2);
        Assert.Equal([name, older], await page.Locator("tr[data-run]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.run)"));

        // The metrics table and the chart hold the API's numbers, row by row.
        await page.GetByRole(AriaRole.Link, new() { Name = name, Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Evaluation: mini (test)" })).ToBeVisibleAsync();
        foreach (var mode in run.GetProperty("modes").EnumerateArray())
        {
            var label = mode.GetProperty("mode").GetString()!;
            var row = page.Locator($"table[aria-label='Metrics of mini (test)'] tr[data-mode='{label}']");
            await Expect(row.Locator("td[data-metric='nDCG@10']")).ToHaveTextAsync(Score(At(mode, 10, "ndcg")));
            await Expect(row.Locator("td[data-metric='Recall@100']")).ToHaveTextAsync(Score(At(mode, 100, "recall")));
            await Expect(row.Locator("td[data-metric='MRR@10']")).ToHaveTextAsync(Score(At(mode, 10, "mrr")));
            var bars = page.Locator($"#ablation-chart g[data-mode='{label}'] rect");
            await Expect(bars).ToHaveCountAsync(2);
            await Expect(bars.First).ToHaveAttributeAsync("data-value", Score(At(mode, 10, "ndcg")));
            await Expect(bars.Last).ToHaveAttributeAsync("data-value", Score(At(mode, 10, "recall")));
        }

        // The drill-down (the first row, bm25): q2's second relevant document was never retrieved, its first came first.
        var q2 = page.Locator("#drill tr[data-query='q2']");
        await Expect(q2).ToContainTextAsync("paid holiday allowance of employees");
        await Expect(q2.Locator("li[data-doc='d5']")).ToHaveClassAsync("missed");
        await Expect(q2.Locator("li[data-doc='d5']")).ToContainTextAsync("not retrieved");
        await Expect(q2.Locator("li[data-doc='d2']")).ToContainTextAsync("rank 1");
        await Expect(page.Locator("#query-range")).ToHaveTextAsync("1–4 of 4");
        await DashboardBrowser.ScreenshotAsync(page, "evaluation");
        await DashboardBrowser.AssertAccessibleAsync(page);

        // Only the queries with a miss, worst first; the choice is kept in the address.
        await page.GetByLabel("Only queries that missed a relevant document in the top 10").CheckAsync();
        await page.GetByLabel("Order").SelectOptionAsync("worst");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show", Exact = true }).ClickAsync();
        await Expect(page.Locator("#query-range")).ToHaveTextAsync("1–2 of 2 with a miss");
        Assert.Equal(["q4", "q2"], await page.Locator("#drill tr[data-query]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.query)"));
        Assert.Contains("missed=1", page.Url, StringComparison.Ordinal);
        await page.EvaluateAsync("() => document.getElementById('drill').scrollIntoView()");
        await DashboardBrowser.ScreenshotAsync(page, "evaluation-queries");

        // Compared with the older run: each row's this/other/Δ, the delta being this minus other.
        await page.GetByRole(AriaRole.Link, new() { Name = $"Compare {name} with {older}" }).ClickAsync();
        await Expect(page.Locator("#comparison")).ToBeVisibleAsync();
        var bm25 = run.GetProperty("modes")[0];
        var otherBm25 = other.GetProperty("modes")[0];
        var delta = At(bm25, 10, "ndcg") - At(otherBm25, 10, "ndcg");
        Assert.True(Math.Abs(delta) > 1e-9, "the two runs differ (the older one has two queries)");
        var cell = page.Locator("#comparison tr[data-mode='bm25'] td[data-delta='nDCG@10']");
        await Expect(cell).ToHaveTextAsync($"{(delta > 0 ? "+" : "−")}{Score(Math.Abs(delta))}");
        await Expect(cell).ToHaveClassAsync(delta > 0 ? "num delta better" : "num delta worse");
        await page.EvaluateAsync("() => document.getElementById('comparison').scrollIntoView()");
        await DashboardBrowser.ScreenshotAsync(page, "evaluation-compare");
        await DashboardBrowser.AssertAccessibleAsync(page);

        // A run started from the form: its progress shows while its corpus (a named pipe) waits for the test to write it,
        // then the worker ingests it, the queries run, and the new run is listed and opens like the others.
        var folder = Path.Combine(dir.File("datasets"), "mini");
        await EvalRunFixture.WriteAsync(folder, withCorpus: false);
        EvalRunFixture.MakePipe(Path.Combine(folder, "corpus.jsonl"));
        await page.GetByRole(AriaRole.Link, new() { Name = "Evaluation", Exact = true }).ClickAsync();
        await page.GetByLabel("Dataset path").FillAsync(folder);
        await page.GetByLabel("Mode").SelectOptionAsync("bm25");
        await page.GetByLabel("Max queries (optional)").FillAsync("3");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start run" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Progressbar, new() { Name = "Run in progress" })).ToBeVisibleAsync();
        await Expect(page.Locator("#eval-progress-status")).ToContainTextAsync("Reading the corpus into index eval-mini-");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Start run" })).ToBeDisabledAsync();
        await DashboardBrowser.AssertAccessibleAsync(page);
        var feeding = EvalRunFixture.FeedPipeAsync(Path.Combine(folder, "corpus.jsonl"));
        await Expect(page.Locator("#eval-progress-status")).ToContainTextAsync("Run written", new() { Timeout = 120_000 });
        await feeding;
        var started = (await http.GetFromJsonAsync<JsonElement>("v1/eval/runs/active")).GetProperty("run").GetString()!;
        await Expect(page.Locator("tr[data-run]")).ToHaveCountAsync(3);
        await Expect(page.Locator($"tr[data-run='{started}']")).ToContainTextAsync("mini");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Start run" })).ToBeEnabledAsync();
        await DashboardBrowser.ScreenshotAsync(page, "evaluation-start");
        await DashboardBrowser.AssertAccessibleAsync(page);
        await page.GetByRole(AriaRole.Link, new() { Name = "Open it" }).ClickAsync();
        var startedRun = await http.GetFromJsonAsync<JsonElement>($"v1/eval/runs/{started}");
        Assert.Equal(3, startedRun.GetProperty("queries").GetInt32());
        await Expect(page.Locator("table[aria-label='Metrics of mini (test)'] tr[data-mode='bm25'] td[data-metric='nDCG@10']"))
            .ToHaveTextAsync(Score(At(startedRun.GetProperty("modes")[0], 10, "ndcg")));

        // A reader has no Evaluation link and is told so at the address.
        var readerKey = await SecurityHttp.CreateKeyAsync(http, "default", "reader");
        var reader = await dashboard.OpenAsync();
        await DashboardBrowser.SignInAsync(reader, readerKey);
        await Expect(reader.Locator("#nav-evaluation")).ToBeHiddenAsync();
        await reader.GotoAsync(new Uri(dashboard.Server.BaseAddress, "admin/#/evaluation").ToString());
        await Expect(reader.Locator("#view")).ToContainTextAsync("Only the system admin reads evaluation runs.");
        Assert.True(dashboard.ConsoleErrors.Count == 0, string.Join(Environment.NewLine, dashboard.ConsoleErrors));
    }

    private static double At(JsonElement mode, int k, string metric) =>
        mode.GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("k").GetInt32() == k).GetProperty(metric).GetDouble();

    /// <summary>As the page writes a score: four decimals.</summary>
    private static string Score(double value) => value.ToString("0.0000", CultureInfo.InvariantCulture);
}
