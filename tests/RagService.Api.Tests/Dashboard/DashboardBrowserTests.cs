using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using RagService.Evaluation.Hosting;
using static Microsoft.Playwright.Assertions;

namespace RagService.Api.Tests.Dashboard;

/// <summary>
/// The admin dashboard in a real browser (chromium via Playwright) against the real service on Kestrel over
/// loopback with authentication on: sign in with the admin key, read the overview, page the documents, run a
/// query in the playground and read its hits and trace. Screenshots at 1280×800 go to docs/dashboard/.
/// </summary>
public sealed class DashboardBrowserTests
{
    private const string AdminKey = DashboardBrowser.AdminKey;
    private const string Index = "policies";
    /// <summary>Two policies, a damaged PDF and 24 notes: more than one page of the documents table.</summary>
    private const int Documents = 27;

    [ChromiumFact]
    public async Task An_admin_signs_in_reads_the_overview_and_documents_and_queries_the_playground()
    {
        using var dir = new TempDirectory();
        await using var dashboard = await DashboardBrowser.StartAsync(dir);
        using var http = dashboard.CreateClient();
        var ids = await IngestAsync(http, dir);
        var page = await dashboard.OpenAsync();
        var consoleErrors = dashboard.ConsoleErrors;

        // A wrong key is refused by the API itself and the page says so.
        await page.GetByLabel("API key").FillAsync("not-a-key");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.Locator("#sign-in-error")).ToContainTextAsync("refused");
        await DashboardBrowser.ScreenshotAsync(page, "sign-in");
        await DashboardBrowser.AssertAccessibleAsync(page);

        await page.GetByLabel("API key").FillAsync(AdminKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        var row = page.Locator($"tr[data-index='{Index}']");
        await Expect(row).ToBeVisibleAsync();
        await Expect(row.Locator("td").Nth(1)).ToContainTextAsync("ok");
        await Expect(row.Locator("td").Nth(4)).ToHaveTextAsync($"{Documents - 1}"); // ready
        await Expect(row.Locator("td").Nth(5)).ToHaveTextAsync("1"); // failed
        await Expect(row.Locator("td").Nth(6)).ToHaveTextAsync($"{Documents}"); // documents
        await DashboardBrowser.ScreenshotAsync(page, "overview");
        await DashboardBrowser.AssertAccessibleAsync(page);

        // The documents come a page at a time from the server; both pages together hold every document once.
        await row.GetByRole(AriaRole.Link, new() { Name = Index }).ClickAsync();
        await Expect(page.Locator("#page-range")).ToHaveTextAsync($"1–25 of {Documents}");
        var seen = await DocumentIdsAsync(page);
        await DashboardBrowser.ScreenshotAsync(page, "documents");
        await DashboardBrowser.AssertAccessibleAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Next" }).ClickAsync();
        await Expect(page.Locator("#page-range")).ToHaveTextAsync($"26–{Documents} of {Documents}");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Next" })).ToBeDisabledAsync();
        seen.AddRange(await DocumentIdsAsync(page));
        Assert.Equal(ids.Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));

        // The failed document shows its step and reason, on whichever page it is.
        if (await page.Locator("tr[data-document='broken']").CountAsync() == 0)
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "Previous" }).ClickAsync();
        }

        var broken = page.Locator("tr[data-document='broken']");
        await Expect(broken.Locator(".state")).ToHaveTextAsync("failed");
        Assert.False(string.IsNullOrWhiteSpace(await broken.Locator("td.failed-step").TextContentAsync()), "the failed step is shown");
        Assert.False(string.IsNullOrWhiteSpace(await broken.Locator("td.failure").TextContentAsync()), "the failure reason is shown");

        // A document uploaded while the last page is open appears there and reaches ready with no reload.
        var next = page.GetByRole(AriaRole.Button, new() { Name = "Next" });
        if (await next.IsEnabledAsync())
        {
            await next.ClickAsync();
        }

        await Expect(page.Locator("#page-range")).ToHaveTextAsync($"26–{Documents} of {Documents}");
        var late = Write(dir, "late.md", "# Late note\n\nThe archive room is in the basement.\n");
        await RagApiHost.UploadAsync(http, Index, (late, "late"));
        await Expect(page.Locator("tr[data-document='late'] .state")).ToHaveTextAsync("ready", new() { Timeout = 60_000 });
        await Expect(page.Locator("#page-range")).ToHaveTextAsync($"26–{Documents + 1} of {Documents + 1}");

        await page.GetByRole(AriaRole.Link, new() { Name = "Query this index" }).ClickAsync();
        await page.GetByLabel("Query").FillAsync("meal allowance for interns");
        await page.GetByLabel("Mode").SelectOptionAsync("hybrid");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        var firstHit = page.Locator("tr.hit").First;
        await Expect(firstHit).ToContainTextAsync("travel.md");
        await Expect(firstHit).ToContainTextAsync("40 euros");
        Assert.True(await page.Locator("tr.trace-step").CountAsync() > 0, "the playground shows the search trace's steps");
        await DashboardBrowser.ScreenshotAsync(page, "playground");
        await DashboardBrowser.AssertAccessibleAsync(page);
        await StageSwitchesAndRankMovementAsync(page, http);
        await StageDefaultsInSettingsAsync(page, http);
        await PhoneWidthAsync(page);

        // Signing out forgets the key: the next visit asks for one again.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByLabel("API key")).ToBeVisibleAsync();
        Assert.Null(await page.EvaluateAsync<string?>("sessionStorage.getItem('rag-api-key')"));

        // The refused key's 401 on sign-in is the only error the browser logs.
        Assert.All(consoleErrors, e => Assert.Contains("401", e, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_dashboard_is_served_without_a_key_with_a_policy_that_runs_only_its_own_script()
    {
        using var dir = new TempDirectory();
        await using var server = await LoopbackApiServer.StartAsync(null, new Dictionary<string, string?>
        {
            ["Rag:DataDirectory"] = dir.File("data"),
            ["Rag:Auth:AdminKey"] = AdminKey,
            ["Logging:LogLevel:Default"] = "Warning",
        }, default);
        using var anonymous = new HttpClient { BaseAddress = server.BaseAddress };

        var shell = await anonymous.GetAsync("admin/");
        shell.EnsureSuccessStatusCode();
        Assert.Equal("text/html", shell.Content.Headers.ContentType?.MediaType);
        Assert.Contains("script-src 'self'", shell.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Contains("/admin/app.js", await shell.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Assert.Equal("text/javascript", (await anonymous.GetAsync("admin/app.js")).Content.Headers.ContentType?.MediaType);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await anonymous.GetAsync("admin/secrets.json")).StatusCode);
        // The shell holds no data: the API behind it still refuses a caller without a key.
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await anonymous.GetAsync("v1/indexes")).StatusCode);
    }

    /// <summary>
    /// The playground offers every stage switch the search API accepts, at the index's defaults; a switch turned
    /// off goes into the request and the trace; the trace's rank-movement chart and its text alternative show each
    /// hit's rank after each stage.
    /// </summary>
    private static async Task StageSwitchesAndRankMovementAsync(IPage page, HttpClient http)
    {
        var openApi = await http.GetFromJsonAsync<JsonElement>("openapi/v1.json");
        var accepted = openApi.GetProperty("components").GetProperty("schemas").GetProperty("SearchStages").GetProperty("properties")
            .EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal);
        var shown = await page.Locator("#stage-panel [data-switch]").EvaluateAllAsync<string[]>("inputs => inputs.map(i => i.dataset.switch)");
        Assert.Equal(accepted, shown.Order(StringComparer.Ordinal));

        await page.Locator("#stage-panel > summary").ClickAsync();
        // No LLM is configured here: its stages say they cannot run; near-duplicate suppression can.
        await Expect(page.Locator(".stage-switch[data-unavailable] [data-switch='llmRerank']")).ToHaveCountAsync(1);
        await Expect(page.Locator(".stage-switch[data-unavailable] [data-switch='deduplicate']")).ToHaveCountAsync(0);
        var dedup = page.GetByLabel("Near-duplicate suppression");
        await Expect(dedup).ToBeCheckedAsync(); // the index has no defaults of its own: the service's, on
        await dedup.UncheckAsync();
        await Expect(page.Locator("#stages-summary")).ToHaveTextAsync("Stages: 1 changed (deduplicate off)");
        await DashboardBrowser.ScreenshotAsync(page, "playground-stages");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(page.Locator("#trace-settings dt:text-is('hygiene') + dd")).ToHaveTextAsync("off");
        await page.GetByRole(AriaRole.Button, new() { Name = "Copy as curl" }).ClickAsync();
        await Expect(page.Locator("#request-snippet")).ToContainTextAsync("\"stages\":{\"deduplicate\":false}");

        var hits = await page.Locator("tr.hit").CountAsync();
        var chart = page.Locator("svg#rank-chart");
        await Expect(chart.Locator("g.hit-line")).ToHaveCountAsync(Math.Min(10, hits));
        await Expect(chart).ToHaveAccessibleNameAsync($"Rank of the top {Math.Min(10, hits)} hits after each stage");
        await Expect(chart).ToHaveAccessibleDescriptionAsync(new Regex(@"^1\. travel\.md: BM25 \d+, dense \d+, fusion \d+, .*final 1\. 2\. "));
        await Expect(page.Locator("#rank-table tr.rank-row")).ToHaveCountAsync(Math.Min(10, hits));
        await Expect(page.Locator("tr.trace-step[data-stage='fusion'] td.rank-change")).ToContainTextAsync("first ranking");
        await page.Locator("#rank-movement").EvaluateAsync("section => section.scrollIntoView({ block: 'start' })");
        await DashboardBrowser.ScreenshotAsync(page, "playground-trace");
        await DashboardBrowser.AssertAccessibleAsync(page);
    }

    /// <summary>An admin gives the index a stage default on the settings page; the API and the playground have it, then it is cleared.</summary>
    private static async Task StageDefaultsInSettingsAsync(IPage page, HttpClient http)
    {
        await page.GetByRole(AriaRole.Link, new() { Name = "Settings" }).ClickAsync();
        var editor = page.Locator("#stage-defaults-form");
        await editor.GetByLabel("MMR", new() { Exact = true }).SelectOptionAsync("true");
        await editor.GetByRole(AriaRole.Button, new() { Name = "Save defaults" }).ClickAsync();
        await Expect(page.Locator("#stage-defaults-status")).ToContainTextAsync($"Saved: {Index} has 1 stage default");
        await Expect(page.Locator("#stage-defaults tr[data-stage='mmr'] td.effective")).ToHaveTextAsync("on");
        var info = await http.GetFromJsonAsync<JsonElement>($"v1/indexes/{Index}");
        Assert.True(info.GetProperty("stages").GetProperty("mmr").GetBoolean());
        await page.Locator("#stage-defaults").ScrollIntoViewIfNeededAsync();
        await DashboardBrowser.ScreenshotAsync(page, "settings-stages");
        await DashboardBrowser.AssertAccessibleAsync(page);

        // The playground starts at the index's new default.
        await page.GetByRole(AriaRole.Link, new() { Name = "Playground" }).ClickAsync();
        await page.Locator("#stage-panel > summary").ClickAsync();
        await Expect(page.GetByLabel("MMR", new() { Exact = true })).ToBeCheckedAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "Settings" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Use the service's settings" }).ClickAsync();
        await Expect(page.Locator("#stage-defaults tr[data-stage='mmr'] td.effective")).ToHaveTextAsync("off");
        info = await http.GetFromJsonAsync<JsonElement>($"v1/indexes/{Index}");
        Assert.Equal(JsonValueKind.Null, info.GetProperty("stages").ValueKind);
    }

    /// <summary>The elements wider than the window, for a failure's message: tag, id or class, and width.</summary>
    private const string Widest = "() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)"
        + ".slice(-5).map(e => `${e.tagName.toLowerCase()}#${e.id}.${e.className?.baseVal ?? e.className} ${Math.round(e.getBoundingClientRect().right)}px`).join('; ')";

    /// <summary>At a phone's 390×844 the overview and the playground fit the width: the nav wraps, wide tables scroll inside their frame.</summary>
    private static async Task PhoneWidthAsync(IPage page)
    {
        await page.SetViewportSizeAsync(390, 844);
        const string fits = "document.documentElement.scrollWidth <= window.innerWidth";
        await page.GetByRole(AriaRole.Link, new() { Name = "Overview" }).ClickAsync();
        await Expect(page.Locator($"tr[data-index='{Index}']")).ToBeVisibleAsync();
        Assert.True(await page.EvaluateAsync<bool>(fits), "the overview fits a phone's width");
        await DashboardBrowser.ScreenshotAsync(page, "overview-phone");

        await page.GetByRole(AriaRole.Link, new() { Name = "Playground" }).ClickAsync();
        await page.GetByLabel("Query").FillAsync("meal allowance for interns");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(page.Locator("tr.hit").First).ToContainTextAsync("travel.md");
        await Expect(page.Locator("svg#rank-chart")).ToBeVisibleAsync();
        Assert.True(await page.EvaluateAsync<bool>(fits), "the playground fits a phone's width");
        await DashboardBrowser.ScreenshotAsync(page, "playground-phone");
        await DashboardBrowser.AssertAccessibleAsync(page);

        // The other pages, at the same width: the documents table, a document (outline, chunks, page image), keys and settings.
        await page.EvaluateAsync($"location.hash = '#/indexes/{Index}/documents'");
        await Expect(page.Locator("tr[data-document='travel']")).ToBeVisibleAsync();
        await DashboardBrowser.ScreenshotAsync(page, "documents-phone");
        Assert.True(await page.EvaluateAsync<bool>(fits), "the documents page fits a phone's width: " + await page.EvaluateAsync<string>(Widest));
        await page.EvaluateAsync($"location.hash = '#/indexes/{Index}/documents/travel'");
        await Expect(page.Locator("tr.chunk").First).ToBeVisibleAsync();
        await DashboardBrowser.ScreenshotAsync(page, "document-phone");
        Assert.True(await page.EvaluateAsync<bool>(fits), "a document's page fits a phone's width: " + await page.EvaluateAsync<string>(Widest));
        foreach (var (link, heading) in new[] { ("Keys", "Keys"), ("Settings", "Settings") })
        {
            await page.GetByRole(AriaRole.Link, new() { Name = link, Exact = true }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync(heading);
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            Assert.True(await page.EvaluateAsync<bool>(fits), $"the {link} page fits a phone's width");
            await DashboardBrowser.AssertAccessibleAsync(page);
        }

        await page.SetViewportSizeAsync(1280, 800);
    }

    /// <summary>Ingests the index's <see cref="Documents"/> documents and waits until each is final; returns their ids.</summary>
    private static async Task<List<string>> IngestAsync(HttpClient http, TempDirectory dir)
    {
        (await http.PutAsJsonAsync($"v1/indexes/{Index}", new { })).EnsureSuccessStatusCode();
        var files = new List<(string Path, string? DocumentId)>
        {
            (Write(dir, "travel.md", "# Travel policy\n\n## Meals\n\nThe daily meal allowance is 60 euros for employees. Interns receive a daily meal allowance of 40 euros.\n"), "travel"),
            (Write(dir, "leave.md", "# Leave policy\n\n## Annual leave\n\nEmployees receive twenty-five days of annual leave a year.\n"), "leave"),
            (Write(dir, "broken.pdf", "%PDF-1.7\nthis file was cut off before its first object"), "broken"),
        };
        for (var i = 1; files.Count < Documents; i++)
        {
            files.Add((Write(dir, $"note-{i:D2}.md", $"# Note {i}\n\nMeeting room {i} has {i + 3} chairs and a whiteboard.\n"), $"note-{i:D2}"));
        }

        await RagApiHost.UploadAsync(http, Index, [.. files]);
        foreach (var (_, id) in files)
        {
            var expected = id == "broken" ? "failed" : "ready";
            Assert.Equal(expected, (await RagApiHost.WaitForFinalAsync(http, Index, id!)).GetProperty("status").GetString());
        }

        return [.. files.Select(f => f.DocumentId!)];
    }

    private static string Write(TempDirectory dir, string name, string text)
    {
        var path = dir.File(name);
        File.WriteAllText(path, text);
        return path;
    }

    private static async Task<List<string>> DocumentIdsAsync(IPage page) =>
        [.. (await page.Locator("tr[data-document]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.document)"))];
}
