using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using RagService.TestSupport;
using static Microsoft.Playwright.Assertions;

namespace RagService.Api.Tests.Dashboard;

/// <summary>
/// Uploading and fixing documents in the dashboard, in a real browser against the real service: a PDF and a
/// scanned PNG dropped on the documents page (a synthetic drop event carrying real files) go up one request each
/// with their own progress, documentId, tags and ACL and reach ready while the page watches; then a document's
/// tags and ACL are changed, a failed one is retried and deleted.
/// </summary>
public sealed class DashboardUploadTests
{
    private const string Index = "inbox";

    [ChromiumFact]
    public async Task Files_dropped_on_the_documents_page_upload_with_progress_and_reach_ready_and_the_row_actions_work()
    {
        using var dir = new TempDirectory();
        await using var dashboard = await DashboardBrowser.StartAsync(dir);
        using var http = dashboard.CreateClient();
        (await http.PutAsJsonAsync($"v1/indexes/{Index}", new { })).EnsureSuccessStatusCode();
        var pdf = dir.File("handbook.pdf");
        TestDocuments.WritePdf(pdf);
        var scan = ScannedPng.Write(dir.File("parking.png"));

        var page = await dashboard.OpenAsync();
        await DashboardBrowser.SignInAsync(page, DashboardBrowser.AdminKey);
        await page.Locator($"tr[data-index='{Index}']").GetByRole(AriaRole.Link, new() { Name = Index }).ClickAsync();
        await Expect(page.Locator("#page-range")).ToHaveTextAsync("0–0 of 0");

        await DropAsync(page, ("handbook.pdf", "application/pdf", pdf), ("parking.png", "image/png", scan));
        var files = page.Locator("#upload-list li");
        await Expect(files).ToHaveCountAsync(2);
        await page.GetByLabel("documentId for handbook.pdf").FillAsync("handbook");
        await page.GetByLabel("documentId for parking.png").FillAsync("parking");
        await page.GetByLabel("Tags (key:value, comma-separated)").FillAsync("team:ops, year:2026");
        await page.GetByLabel("ACL (user:…, group:…, tenant)").FillAsync("group:ops");
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload", Exact = true }).ClickAsync();

        // Each file has its own progress bar, full once its request is answered, and the id the service gave it.
        foreach (var (name, id) in new[] { ("handbook.pdf", "handbook"), ("parking.png", "parking") })
        {
            var entry = files.Filter(new() { HasText = name });
            await Expect(entry.Locator("progress")).ToHaveAttributeAsync("value", "100");
            await Expect(entry.Locator(".upload-state")).ToContainTextAsync(id);
        }

        // The table shows them arriving and reaching ready with no reload; tags and ACL are the ones given.
        foreach (var id in new[] { "handbook", "parking" })
        {
            var row = page.Locator($"tr[data-document='{id}']");
            await Expect(row.Locator(".state")).ToHaveTextAsync("ready", new() { Timeout = 120_000 });
            await Expect(row).ToContainTextAsync("team:ops, year:2026");
            await Expect(row).ToContainTextAsync("group:ops");
        }

        await Expect(page.Locator("#page-range")).ToHaveTextAsync("1–2 of 2");
        var parking = await Status(http, "parking");
        Assert.Equal("parking.png", parking.GetProperty("fileName").GetString());
        Assert.Equal("group:ops", Assert.Single(parking.GetProperty("acl").EnumerateArray()).GetString());
        await DashboardBrowser.ScreenshotAsync(page, "upload");
        await DashboardBrowser.AssertAccessibleAsync(page);

        // Tags and ACL changed in place (PATCH: no new version).
        await page.GetByRole(AriaRole.Button, new() { Name = "Tags & ACL of parking" }).ClickAsync();
        var editor = page.Locator("tr[data-editor='parking']");
        await editor.GetByLabel("Tags (key:value, comma-separated)").FillAsync("team:facilities");
        await editor.GetByLabel("ACL (user:…, group:…, tenant)").FillAsync("group:facilities, user:ana");
        await DashboardBrowser.AssertAccessibleAsync(page);
        await editor.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(editor).ToHaveCountAsync(0);
        await Expect(page.Locator("tr[data-document='parking']")).ToContainTextAsync("team:facilities");
        parking = await Status(http, "parking");
        Assert.Equal(["group:facilities", "user:ana"], parking.GetProperty("acl").EnumerateArray().Select(a => a.GetString()).Order(StringComparer.Ordinal));
        Assert.Equal("facilities", parking.GetProperty("tags").GetProperty("team").GetString());
        Assert.Equal(1, parking.GetProperty("version").GetInt32());

        // A failed document is retried (a new version, failing again for the same reason) and then deleted.
        var broken = dir.File("broken.pdf");
        await File.WriteAllTextAsync(broken, "%PDF-1.7\nthis file was cut off before its first object");
        await RagApiHost.UploadAsync(http, Index, (broken, "broken"));
        var brokenRow = page.Locator("tr[data-document='broken']");
        await Expect(brokenRow.Locator(".state")).ToHaveTextAsync("failed", new() { Timeout = 60_000 });
        await brokenRow.GetByRole(AriaRole.Button, new() { Name = "Retry broken" }).ClickAsync();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await Status(http, "broken")) is var status && (status.GetProperty("version").GetInt32() < 2 || status.GetProperty("status").GetString() != "failed"))
        {
            Assert.True(DateTime.UtcNow < deadline, "the retried document reaches a second version and fails again");
            await Task.Delay(200);
        }

        await Expect(brokenRow.Locator(".state")).ToHaveTextAsync("failed", new() { Timeout = 60_000 });
        await brokenRow.GetByRole(AriaRole.Button, new() { Name = "Delete broken" }).ClickAsync();
        await DashboardBrowser.AssertAccessibleAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm delete broken" }).ClickAsync();
        await Expect(brokenRow).ToHaveCountAsync(0);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"v1/indexes/{Index}/documents/broken")).StatusCode);

        Assert.True(dashboard.ConsoleErrors.Count == 0, string.Join(Environment.NewLine, dashboard.ConsoleErrors));
    }

    [ChromiumFact]
    public async Task A_reader_is_offered_no_upload_and_no_document_actions()
    {
        using var dir = new TempDirectory();
        await using var dashboard = await DashboardBrowser.StartAsync(dir);
        using var http = dashboard.CreateClient();
        (await http.PutAsJsonAsync($"v1/indexes/{Index}", new { })).EnsureSuccessStatusCode();
        var note = dir.File("note.md");
        await File.WriteAllTextAsync(note, "# Note\n\nThe lift is serviced on Mondays.\n");
        await RagApiHost.UploadAsync(http, Index, (note, "note"));
        await RagApiHost.WaitForFinalAsync(http, Index, "note");
        var created = await (await http.PostAsJsonAsync("v1/keys", new { name = "reader", role = "reader" })).Content.ReadFromJsonAsync<JsonElement>();

        var page = await dashboard.OpenAsync();
        await DashboardBrowser.SignInAsync(page, created.GetProperty("key").GetString()!);
        await page.Locator($"tr[data-index='{Index}']").GetByRole(AriaRole.Link, new() { Name = Index }).ClickAsync();
        await Expect(page.Locator("tr[data-document='note'] .state")).ToHaveTextAsync("ready");
        await Expect(page.Locator("#drop-zone")).ToHaveCountAsync(0);
        await Expect(page.Locator("tr[data-document='note'] button")).ToHaveCountAsync(0);
    }

    /// <summary>Drops real files on the drop zone: a DataTransfer built in the page from the files' bytes.</summary>
    private static async Task DropAsync(IPage page, params (string Name, string Type, string Path)[] files)
    {
        var payload = files.Select(f => new { name = f.Name, type = f.Type, data = Convert.ToBase64String(File.ReadAllBytes(f.Path)) }).ToArray();
        await page.Locator("#drop-zone").EvaluateAsync("""
            (zone, files) => {
              const transfer = new DataTransfer();
              for (const f of files) {
                const bytes = Uint8Array.from(atob(f.data), c => c.charCodeAt(0));
                transfer.items.add(new File([bytes], f.name, { type: f.type }));
              }
              zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
              zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
            }
            """, payload);
    }

    private static async Task<JsonElement> Status(HttpClient http, string id) =>
        await http.GetFromJsonAsync<JsonElement>($"v1/indexes/{Index}/documents/{id}");
}
