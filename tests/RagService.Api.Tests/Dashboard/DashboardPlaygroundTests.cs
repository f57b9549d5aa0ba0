using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using RagService.TestSupport;
using static Microsoft.Playwright.Assertions;

namespace RagService.Api.Tests.Dashboard;

/// <summary>
/// The playground's answers in a real browser against the real service: each [n] of an /ask answer opens the
/// cited page image with the cited chunk's box highlighted on the cited text.
/// </summary>
public sealed class DashboardPlaygroundTests
{
    private const string Index = "handbooks";

    [ChromiumFact]
    public async Task A_citation_in_the_answer_opens_the_cited_page_with_the_chunk_highlighted()
    {
        using var dir = new TempDirectory();
        await using var dashboard = await DashboardBrowser.StartAsync(dir);
        using var http = dashboard.CreateClient();
        await DashboardBrowser.IngestHandbookAsync(http, dir, Index);

        var page = await dashboard.OpenAsync();
        await DashboardBrowser.SignInAsync(page, DashboardBrowser.AdminKey);
        await page.GetByRole(AriaRole.Link, new() { Name = "Playground" }).ClickAsync();
        await page.GetByLabel("Query").FillAsync("How long are backups retained?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Ask" }).ClickAsync();

        var answer = page.Locator("#answer");
        await Expect(answer).ToContainTextAsync("35 days");
        var marker = answer.Locator("button.marker").First;
        await Expect(marker).ToHaveTextAsync("[1]");
        await Expect(page.Locator("li[data-citation='1']")).ToContainTextAsync($"page {TestDocuments.PdfBackupPage}");
        await Expect(page.Locator("#citation-viewer")).ToBeHiddenAsync();

        // The marker opens the cited page (page 2 of the handbook) with the cited chunk boxed on its text.
        await marker.ClickAsync();
        var viewer = page.Locator("#citation-viewer");
        await Expect(viewer.GetByRole(AriaRole.Heading)).ToContainTextAsync($"page {TestDocuments.PdfBackupPage}");
        await Expect(marker).ToHaveAttributeAsync("aria-pressed", "true");
        var box = viewer.Locator(".box.selected").First;
        await Expect(box).ToBeVisibleAsync();
        await DashboardBrowser.WaitForPageImageAsync(page);
        await DashboardBrowser.AssertBoxOnInkAsync(page, box);
        var chunks = await http.GetFromJsonAsync<System.Text.Json.JsonElement>($"v1/indexes/{Index}/documents/handbook/chunks");
        var citedId = await box.GetAttributeAsync("data-chunk");
        var cited = chunks.GetProperty("chunks").EnumerateArray().Single(c => c.GetProperty("chunkId").GetString() == citedId);
        Assert.Contains(TestDocuments.PdfBackupFact, cited.GetProperty("text").GetString(), StringComparison.Ordinal);
        await DashboardBrowser.ScreenshotAsync(page, "playground-ask");

        // Under the answer, how its sources were found: the search trace of the ask, the fusion step ranked them.
        var retrieval = page.Locator("#ask-retrieval");
        await Expect(page.Locator("#ask-retrieval > summary")).ToContainTextAsync("sources were retrieved (hybrid)");
        await page.Locator("#ask-retrieval > summary").ClickAsync();
        await Expect(retrieval.Locator("tr.trace-step[data-stage='fusion'] td.rank-change")).ToContainTextAsync("first ranking");
        await Expect(retrieval.Locator("tr.trace-leg")).ToHaveCountAsync(2);
        var lines = retrieval.Locator("#rank-chart g.hit-line");
        await Expect(lines.First).ToBeVisibleAsync();
        Assert.Equal(await retrieval.Locator("#rank-table tr.rank-row").CountAsync(), await lines.CountAsync());
        await page.EvaluateAsync("() => document.getElementById('ask-retrieval').scrollIntoView()");
        await DashboardBrowser.ScreenshotAsync(page, "playground-ask-trace");
        await DashboardBrowser.AssertAccessibleAsync(page);

        // The viewer's link opens the document's page at the same chunk.
        await viewer.GetByRole(AriaRole.Link, new() { Name = "Open the document at this chunk" }).ClickAsync();
        await Expect(page.Locator("#page-number")).ToHaveTextAsync($"Page {TestDocuments.PdfBackupPage} of {TestDocuments.PdfPageCount}");
        await Expect(page.Locator($"tr.chunk[data-chunk='{cited.GetProperty("chunkId").GetString()}'] button")).ToHaveAttributeAsync("aria-pressed", "true");
        Assert.True(dashboard.ConsoleErrors.Count == 0, string.Join(Environment.NewLine, dashboard.ConsoleErrors));
    }

    [ChromiumFact]
    public async Task Copy_as_curl_and_as_csharp_give_the_request_the_page_sent_with_the_key_as_a_variable()
    {
        using var dir = new TempDirectory();
        await using var dashboard = await DashboardBrowser.StartAsync(dir);
        using var http = dashboard.CreateClient();
        (await http.PutAsJsonAsync($"v1/indexes/{Index}", new { })).EnsureSuccessStatusCode();
        var notes = dir.File("notes.md");
        await File.WriteAllTextAsync(notes, "# Backups\n\nBackups are kept for 35 days in the second region.\n\n# Parking\n\nThe garage opens at 7.\n");
        await RagApiHost.UploadAsync(http, Index, (notes, "notes"));
        Assert.Equal("ready", (await RagApiHost.WaitForFinalAsync(http, Index, "notes")).GetProperty("status").GetString());

        var page = await dashboard.OpenAsync();
        await page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new() { Origin = dashboard.Server.BaseAddress.GetLeftPart(UriPartial.Authority) });
        await DashboardBrowser.SignInAsync(page, DashboardBrowser.AdminKey);
        await page.GetByRole(AriaRole.Link, new() { Name = "Playground" }).ClickAsync();
        const string query = "How long are backups kept? It's \"35 days\"";
        await page.GetByLabel("Query").FillAsync(query);
        await page.GetByLabel("Mode").SelectOptionAsync("bm25");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(page.Locator("#request")).ToContainTextAsync($"POST /v1/indexes/{Index}/search");
        await Expect(page.Locator("#results table").First).ToBeVisibleAsync();

        // curl: the snippet on the page is what went to the clipboard; the key is a variable, never the key.
        await page.GetByRole(AriaRole.Button, new() { Name = "Copy as curl" }).ClickAsync();
        var snippet = page.Locator("#request-snippet");
        await Expect(snippet).ToContainTextAsync("curl -X POST");
        var curl = (await snippet.TextContentAsync())!;
        Assert.Equal(curl, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        Assert.Contains("$RAG_API_KEY", curl, StringComparison.Ordinal);
        Assert.DoesNotContain(DashboardBrowser.AdminKey, curl, StringComparison.Ordinal);
        await DashboardBrowser.ScreenshotAsync(page, "playground-copy");
        await DashboardBrowser.AssertAccessibleAsync(page);

        // Run by a shell with the key in the variable, it sends the same request: the same hits come back.
        var fromCurl = JsonDocument.Parse(await RunAsync("bash", ["-c", curl + " --silent --show-error --fail"], DashboardBrowser.AdminKey)).RootElement;
        var shownIds = await page.Locator("#results tr[data-chunk]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.chunk)");
        var curlIds = fromCurl.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("chunk").GetProperty("chunkId").GetString()!).ToArray();
        Assert.NotEmpty(curlIds);
        Assert.Equal(curlIds, shownIds);
        Assert.Equal("bm25", fromCurl.GetProperty("mode").GetString());

        // C#: the same URL, header variable and body, byte for byte (a raw string literal keeps the quotes as they are).
        await page.GetByRole(AriaRole.Button, new() { Name = "Copy as C#" }).ClickAsync();
        await Expect(snippet).ToContainTextAsync("new HttpClient");
        var csharp = (await snippet.TextContentAsync())!;
        Assert.Equal(csharp, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        Assert.DoesNotContain(DashboardBrowser.AdminKey, csharp, StringComparison.Ordinal);
        Assert.Contains("Environment.GetEnvironmentVariable(\"RAG_API_KEY\")", csharp, StringComparison.Ordinal);
        Assert.Contains($"PostAsync(\"v1/indexes/{Index}/search\"", csharp, StringComparison.Ordinal);
        // The body as the page wrote it (JSON.stringify: quotes as \", nothing else escaped here): in curl single-quoted
        // for the shell, in C# a raw string literal of three quotes (the body's longest run of quotes is two).
        var body = JsonSerializer.Serialize(new { query, mode = "bm25", topK = 10, trace = true },
            new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        Assert.Contains($"--data-raw '{body.Replace("'", "'\\''", StringComparison.Ordinal)}'", curl, StringComparison.Ordinal);
        Assert.Contains($"StringContent(\"\"\"{body}\"\"\",", csharp, StringComparison.Ordinal);
        Assert.Equal(query, JsonDocument.Parse(body).RootElement.GetProperty("query").GetString());
        Assert.True(dashboard.ConsoleErrors.Count == 0, string.Join(Environment.NewLine, dashboard.ConsoleErrors));
    }

    private static async Task<string> RunAsync(string file, string[] arguments, string key)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["RAG_API_KEY"] = key;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{file} exited {process.ExitCode}: {await error}");
        return await output;
    }
}
