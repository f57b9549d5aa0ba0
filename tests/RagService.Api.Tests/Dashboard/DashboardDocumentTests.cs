using System.Net.Http.Json;
using Microsoft.Playwright;
using RagService.TestSupport;
using static Microsoft.Playwright.Assertions;

namespace RagService.Api.Tests.Dashboard;

/// <summary>
/// A document's page in the dashboard, in a real browser against the real service: its outline, its chunks with
/// section path, pages and tokens, and the page image with the chunk's boxes drawn where its text is.
/// </summary>
public sealed class DashboardDocumentTests
{
    private const string Index = "handbooks";

    [ChromiumFact]
    public async Task A_document_shows_its_outline_and_chunks_and_a_chosen_chunk_boxed_on_its_page_image()
    {
        using var dir = new TempDirectory();
        await using var dashboard = await DashboardBrowser.StartAsync(dir);
        using var http = dashboard.CreateClient();
        (await http.PutAsJsonAsync($"v1/indexes/{Index}", new { })).EnsureSuccessStatusCode();
        var pdf = dir.File("handbook.pdf");
        TestDocuments.WritePdf(pdf);
        var scan = ScannedPng.Write(dir.File("parking.png"));
        await RagApiHost.UploadAsync(http, Index, (pdf, "handbook"), (scan, "parking"));
        Assert.Equal("ready", (await RagApiHost.WaitForFinalAsync(http, Index, "handbook")).GetProperty("status").GetString());
        Assert.Equal("ready", (await RagApiHost.WaitForFinalAsync(http, Index, "parking")).GetProperty("status").GetString());

        var page = await dashboard.OpenAsync();
        await DashboardBrowser.SignInAsync(page, DashboardBrowser.AdminKey);
        await page.Locator($"tr[data-index='{Index}']").GetByRole(AriaRole.Link, new() { Name = Index }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "handbook", Exact = true }).ClickAsync();

        // The outline: the handbook's headings in reading order, each with its page.
        var outline = page.Locator("#outline");
        await Expect(outline).ToContainTextAsync(TestDocuments.PdfTitle);
        await Expect(outline.Locator("li", new() { HasText = TestDocuments.PdfBackupHeading })).ToContainTextAsync($"p. {TestDocuments.PdfBackupPage}");
        await Expect(page.Locator("#page-number")).ToHaveTextAsync($"Page 1 of {TestDocuments.PdfPageCount}");

        // The chunk that holds the backup fact: its section path, pages and tokens, and its box on page 2.
        var chunk = page.Locator("tr.chunk", new() { HasText = TestDocuments.PdfBackupFact });
        await Expect(chunk).ToContainTextAsync(TestDocuments.PdfBackupHeading);
        await Expect(chunk.Locator("td").Nth(2)).ToHaveTextAsync($"{TestDocuments.PdfBackupPage}");
        Assert.True(int.Parse((await chunk.Locator("td").Nth(3).TextContentAsync())!, System.Globalization.CultureInfo.InvariantCulture) > 0, "the chunk's token count is shown");
        await chunk.GetByRole(AriaRole.Button).ClickAsync();
        await Expect(page.Locator("#page-number")).ToHaveTextAsync($"Page {TestDocuments.PdfBackupPage} of {TestDocuments.PdfPageCount}");
        await Expect(chunk.GetByRole(AriaRole.Button)).ToHaveAttributeAsync("aria-pressed", "true");
        var chunkId = await chunk.GetAttributeAsync("data-chunk");
        var selected = page.Locator($".page-frame .box.selected[data-chunk='{chunkId}']");
        await Expect(selected.First).ToBeVisibleAsync();
        await DashboardBrowser.WaitForPageImageAsync(page);
        await DashboardBrowser.AssertBoxOnInkAsync(page, selected.First);
        Assert.Contains($"chunk={chunkId}", page.Url, StringComparison.Ordinal); // the address opens this chunk again
        await page.EvaluateAsync("window.scrollTo(0, 0)");
        await DashboardBrowser.ScreenshotAsync(page, "document");
        await DashboardBrowser.AssertAccessibleAsync(page);

        // A scanned PNG: its page is the image itself, with its OCR confidence and the OCR'd chunk boxed on it.
        await page.GotoAsync(new Uri(dashboard.Server.BaseAddress, $"admin/#/indexes/{Index}/documents/parking").ToString());
        await Expect(page.Locator(".doc-meta")).ToContainTextAsync("OCR confidence");
        await Expect(page.Locator("#outline")).ToContainTextAsync(ScannedPng.Heading);
        var scanned = page.Locator("tr.chunk", new() { HasText = "garage" });
        await scanned.GetByRole(AriaRole.Button).ClickAsync();
        var scannedBox = page.Locator($".page-frame .box.selected[data-chunk='{await scanned.GetAttributeAsync("data-chunk")}']").First;
        await Expect(scannedBox).ToBeVisibleAsync();
        await DashboardBrowser.WaitForPageImageAsync(page);
        await DashboardBrowser.AssertBoxOnInkAsync(page, scannedBox);
        await DashboardBrowser.ScreenshotAsync(page, "document-scan");
        await DashboardBrowser.AssertAccessibleAsync(page);

        Assert.True(dashboard.ConsoleErrors.Count == 0, string.Join(Environment.NewLine, dashboard.ConsoleErrors));
    }
}
