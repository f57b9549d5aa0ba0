using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using RagService.Evaluation.Hosting;
using static Microsoft.Playwright.Assertions;

namespace RagService.Api.Tests.Dashboard;

/// <summary>
/// The documents table sorted and filtered by the server (the list route's order, state, name, tag and failedStep
/// parameters), with the choice kept in the page's address, in a real browser against the real service.
/// </summary>
public sealed class DashboardDocumentListTests
{
    private const string Index = "library";

    [ChromiumFact]
    public async Task The_documents_table_sorts_and_filters_on_the_server_and_keeps_the_choice_in_the_address()
    {
        using var dir = new TempDirectory();
        // A file over 20 kB is refused at upload (its failed step): the test's documents are far smaller.
        await using var dashboard = await DashboardBrowser.StartAsync(dir, new Dictionary<string, string?> { ["Rag:MaxUploadBytes"] = "20000" });
        using var http = dashboard.CreateClient();
        (await http.PutAsJsonAsync($"v1/indexes/{Index}", new { })).EnsureSuccessStatusCode();
        string Write(string name, string text)
        {
            var path = dir.File(name);
            File.WriteAllText(path, text);
            return path;
        }

        // Three HR documents of different lengths, one finance document, one damaged PDF.
        var hr = await RagApiHost.PostFilesAsync(http, Index, ["dept:hr"],
            (Write("Travel.md", "# Travel policy\n\n## Meals\n\nThe daily meal allowance is 60 euros.\n\n## Trains\n\nSecond class for trips under four hours.\n"), "travel-policy"),
            (Write("leave.md", "# Leave policy\n\nEmployees receive twenty-five days of annual leave a year.\n"), "leave-policy"),
            (Write("onboarding.md", "# Onboarding\n\nNew staff get a laptop on their first day.\n"), "onboarding"));
        Assert.Equal(System.Net.HttpStatusCode.Accepted, hr.StatusCode);
        var finance = await RagApiHost.PostFilesAsync(http, Index, ["dept:finance"],
            (Write("budget.md", "# Budget\n\nThe travel budget is reviewed every quarter.\n"), "budget"));
        Assert.Equal(System.Net.HttpStatusCode.Accepted, finance.StatusCode);
        await RagApiHost.UploadAsync(http, Index, (Write("broken.pdf", "%PDF-1.7\nthis file was cut off before its first object"), "broken"));
        foreach (var id in new[] { "travel-policy", "leave-policy", "onboarding", "budget", "broken" })
        {
            Assert.Equal(id == "broken" ? "failed" : "ready", (await RagApiHost.WaitForFinalAsync(http, Index, id)).GetProperty("status").GetString());
        }

        var page = await dashboard.OpenAsync();
        await DashboardBrowser.SignInAsync(page, DashboardBrowser.AdminKey);
        await page.Locator($"tr[data-index='{Index}']").GetByRole(AriaRole.Link, new() { Name = Index }).ClickAsync();
        await Expect(page.Locator("#page-range")).ToHaveTextAsync("1–5 of 5");
        var rows = page.Locator("tbody tr[data-document]");
        async Task<string[]> Shown() => [.. await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.document)")];

        // Sort by file name (case ignored), then the other way round: the header says which.
        await page.GetByRole(AriaRole.Button, new() { Name = "File", Exact = true }).ClickAsync();
        await Expect(page.Locator("th[aria-sort='ascending']")).ToContainTextAsync("File");
        Assert.Equal(["broken", "budget", "leave-policy", "onboarding", "travel-policy"], await Shown());
        Assert.Contains("order=name", page.Url, StringComparison.Ordinal);
        await page.GetByRole(AriaRole.Button, new() { Name = "File", Exact = true }).ClickAsync();
        await Expect(page.Locator("th[aria-sort='descending']")).ToContainTextAsync("File");
        Assert.Equal(["travel-policy", "onboarding", "leave-policy", "budget", "broken"], await Shown());

        // By chunks, most first: the table holds what the API answers for the same order.
        await page.GetByRole(AriaRole.Button, new() { Name = "Chunks", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Chunks", Exact = true }).ClickAsync();
        await Expect(page.Locator("th[aria-sort='descending']")).ToContainTextAsync("Chunks");
        var byChunks = await http.GetFromJsonAsync<JsonElement>($"v1/indexes/{Index}/documents?order=-chunks");
        var expected = byChunks.GetProperty("documents").EnumerateArray().Select(d => d.GetProperty("documentId").GetString()!).ToArray();
        Assert.Equal(expected, await Shown());
        var counts = byChunks.GetProperty("documents").EnumerateArray().Select(d => d.GetProperty("chunkCount").GetInt32()).ToList();
        Assert.Equal(counts.OrderDescending(), counts);
        Assert.Equal("broken", expected[^1]); // no chunks

        // By state: pipeline order, ready before failed.
        await page.GetByRole(AriaRole.Button, new() { Name = "State", Exact = true }).ClickAsync();
        await Expect(rows.Last).ToHaveAttributeAsync("data-document", "broken");

        // Filters: a tag (key:value) and a name; the server counts what matches.
        await page.GetByLabel("Tag", new() { Exact = true }).FillAsync("dept:hr");
        await page.GetByLabel("Name contains", new() { Exact = true }).FillAsync("POLICY");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter", Exact = true }).ClickAsync();
        await Expect(page.Locator("#page-range")).ToHaveTextAsync("1–2 of 2 matching");
        Assert.Equal(["leave-policy", "travel-policy"], (await Shown()).Order(StringComparer.Ordinal));
        await page.GetByLabel("Tag", new() { Exact = true }).FillAsync("dept");
        await page.GetByLabel("Name contains", new() { Exact = true }).FillAsync("");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter", Exact = true }).ClickAsync();
        await Expect(page.Locator("#page-range")).ToHaveTextAsync("1–4 of 4 matching");

        // The state filter, from the address alone: a fresh tab opened on it shows the same table, sort included.
        await page.GetByLabel("Tag", new() { Exact = true }).FillAsync("");
        await page.GetByLabel("State", new() { Exact = true }).SelectOptionAsync("failed");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter", Exact = true }).ClickAsync();
        await Expect(page.Locator("#page-range")).ToHaveTextAsync("1–1 of 1 matching");
        Assert.Equal(["broken"], await Shown());
        var address = page.Url;
        Assert.Contains("state=failed", address, StringComparison.Ordinal);
        Assert.Contains("order=state", address, StringComparison.Ordinal);
        var second = await dashboard.OpenAsync();
        await DashboardBrowser.SignInAsync(second, DashboardBrowser.AdminKey);
        await second.GotoAsync(address);
        await Expect(second.Locator("#page-range")).ToHaveTextAsync("1–1 of 1 matching");
        await Expect(second.GetByLabel("State", new() { Exact = true })).ToHaveValueAsync("failed");
        await Expect(second.Locator("th[aria-sort='ascending']")).ToContainTextAsync("State");

        // Back to everything, sorted by file name, for the screenshot.
        await page.GetByRole(AriaRole.Link, new() { Name = "Clear filters" }).ClickAsync();
        await Expect(page.Locator("#page-range")).ToHaveTextAsync("1–5 of 5");
        await page.GetByRole(AriaRole.Button, new() { Name = "File", Exact = true }).ClickAsync();
        await Expect(page.Locator("th[aria-sort='ascending']")).ToContainTextAsync("File");
        await DashboardBrowser.ScreenshotAsync(page, "documents-sorted");
        await DashboardBrowser.AssertAccessibleAsync(page);

        // The failed step, a select of the steps: a file over the per-file limit fails at upload, the damaged PDF in parsing.
        await RagApiHost.UploadAsync(http, Index, (Write("huge.md", "# Huge\n\n" + new string('x', 30_000)), "huge"), (Write("small.md", "# Small\n\nA short note.\n"), "small"));
        Assert.Equal("upload", (await RagApiHost.WaitForFinalAsync(http, Index, "huge")).GetProperty("failedStep").GetString());
        Assert.Equal("ready", (await RagApiHost.WaitForFinalAsync(http, Index, "small")).GetProperty("status").GetString());
        await page.GetByLabel("Failed step", new() { Exact = true }).SelectOptionAsync("parsing");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter", Exact = true }).ClickAsync();
        await Expect(page.Locator("#page-range")).ToHaveTextAsync("1–1 of 1 matching");
        Assert.Equal(["broken"], await Shown());
        await page.GetByLabel("Failed step", new() { Exact = true }).SelectOptionAsync("upload");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter", Exact = true }).ClickAsync();
        await Expect(page.Locator("#page-range")).ToHaveTextAsync("1–1 of 1 matching");
        Assert.Equal(["huge"], await Shown());
        await Expect(page.Locator("tr[data-document='huge'] td.failed-step")).ToHaveTextAsync("upload");
        Assert.Contains("failedStep=upload", page.Url, StringComparison.Ordinal);
        await DashboardBrowser.AssertAccessibleAsync(page);
        await page.GetByLabel("Failed step", new() { Exact = true }).SelectOptionAsync("embedding");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter", Exact = true }).ClickAsync();
        await Expect(page.Locator("#page-range")).ToHaveTextAsync("0–0 of 0 matching");
        await page.GetByRole(AriaRole.Link, new() { Name = "Clear filters" }).ClickAsync();
        await Expect(page.Locator("#page-range")).ToHaveTextAsync("1–7 of 7");
        await Expect(page.GetByLabel("Failed step", new() { Exact = true })).ToHaveValueAsync("");

        // The route refuses what it cannot do with a ProblemDetails.
        var bad = await http.GetAsync($"v1/indexes/{Index}/documents?order=size");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("size", (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, (await http.GetAsync($"v1/indexes/{Index}/documents?tag=:hr")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, (await http.GetAsync($"v1/indexes/{Index}/documents?failedStep=ocr")).StatusCode);
        Assert.True(dashboard.ConsoleErrors.Count == 0, string.Join(Environment.NewLine, dashboard.ConsoleErrors));
    }
}
