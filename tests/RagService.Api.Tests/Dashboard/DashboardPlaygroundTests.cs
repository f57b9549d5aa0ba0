using System.Net.Http.Json;
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
        (await http.PutAsJsonAsync($"v1/indexes/{Index}", new { })).EnsureSuccessStatusCode();
        var pdf = dir.File("handbook.pdf");
        TestDocuments.WritePdf(pdf);
        await RagApiHost.UploadAsync(http, Index, (pdf, "handbook"));
        Assert.Equal("ready", (await RagApiHost.WaitForFinalAsync(http, Index, "handbook")).GetProperty("status").GetString());

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
        await DashboardBrowser.AssertAccessibleAsync(page);

        // The viewer's link opens the document's page at the same chunk.
        await viewer.GetByRole(AriaRole.Link, new() { Name = "Open the document at this chunk" }).ClickAsync();
        await Expect(page.Locator("#page-number")).ToHaveTextAsync($"Page {TestDocuments.PdfBackupPage} of {TestDocuments.PdfPageCount}");
        await Expect(page.Locator($"tr.chunk[data-chunk='{cited.GetProperty("chunkId").GetString()}'] button")).ToHaveAttributeAsync("aria-pressed", "true");
        Assert.True(dashboard.ConsoleErrors.Count == 0, string.Join(Environment.NewLine, dashboard.ConsoleErrors));
    }
}
