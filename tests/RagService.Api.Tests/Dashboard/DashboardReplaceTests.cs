using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace RagService.Api.Tests.Dashboard;

/// <summary>
/// "Replace" on a row of the documents table: a new file goes up for that document id through the upload route
/// (with progress), becomes the document's next version with its tags and ACL kept, and is what a search finds.
/// </summary>
public sealed class DashboardReplaceTests
{
    private const string Index = "handbook";

    [ChromiumFact]
    public async Task An_admin_replaces_a_documents_file_and_the_new_version_keeps_its_tags_and_acl()
    {
        using var dir = new TempDirectory();
        await using var dashboard = await DashboardBrowser.StartAsync(dir);
        using var http = dashboard.CreateClient();
        (await http.PutAsJsonAsync($"v1/indexes/{Index}", new { })).EnsureSuccessStatusCode();
        var first = dir.File("parking.md");
        await File.WriteAllTextAsync(first, "# Parking\n\nThe car park opens at seven in the morning.\n");
        using (var form = new MultipartFormDataContent())
        {
            form.Add(new ByteArrayContent(await File.ReadAllBytesAsync(first)), "files", "parking.md");
            form.Add(new StringContent("parking"), "documentId");
            form.Add(new StringContent("team:facilities"), "tags");
            form.Add(new StringContent("group:facilities, user:ana"), "acl");
            Assert.Equal(System.Net.HttpStatusCode.Accepted, (await http.PostAsync($"v1/indexes/{Index}/documents", form)).StatusCode);
        }

        Assert.Equal("ready", (await RagApiHost.WaitForFinalAsync(http, Index, "parking")).GetProperty("status").GetString());

        var page = await dashboard.OpenAsync();
        await DashboardBrowser.SignInAsync(page, DashboardBrowser.AdminKey);
        await page.GotoAsync(new Uri(dashboard.Server.BaseAddress, $"admin/#/indexes/{Index}/documents").ToString());
        await page.GetByRole(AriaRole.Button, new() { Name = "Replace parking" }).ClickAsync();
        var replace = page.Locator("tr[data-replace='parking']");
        await Expect(replace).ToBeVisibleAsync();
        var upload = replace.GetByRole(AriaRole.Button, new() { Name = "Upload" });
        await Expect(upload).ToBeDisabledAsync(); // nothing chosen yet
        await replace.GetByLabel("New file for parking").SetInputFilesAsync(new FilePayload
        {
            Name = "parking-2027.md",
            MimeType = "text/markdown",
            Buffer = Encoding.UTF8.GetBytes("# Parking\n\nFrom 2027 the car park opens at six in the morning and has twelve chargers.\n"),
        });
        await upload.ClickAsync();
        await Expect(replace.Locator("progress")).ToHaveAttributeAsync("value", "100");
        await Expect(replace.Locator(".upload-state")).ToContainTextAsync("queued");

        // The row reaches ready again with no reload, as version 2 of the same document.
        var row = page.Locator("tr[data-document='parking']");
        await Expect(row).ToContainTextAsync("parking-2027.md", new() { Timeout = 60_000 });
        await Expect(row.Locator(".state")).ToHaveTextAsync("ready", new() { Timeout = 60_000 });
        await replace.ScrollIntoViewIfNeededAsync();
        await DashboardBrowser.ScreenshotAsync(page, "documents-replace");
        await DashboardBrowser.AssertAccessibleAsync(page);
        var status = await http.GetFromJsonAsync<JsonElement>($"v1/indexes/{Index}/documents/parking");
        Assert.Equal(2, status.GetProperty("version").GetInt32());
        Assert.Equal("facilities", status.GetProperty("tags").GetProperty("team").GetString());
        Assert.Equal(["group:facilities", "user:ana"], status.GetProperty("acl").EnumerateArray().Select(a => a.GetString()).Order(StringComparer.Ordinal));
        var hits = await RagApiHost.SearchAsync(http, Index, new { query = "car park chargers", mode = "bm25" });
        var top = hits.GetProperty("hits")[0];
        Assert.Contains("twelve chargers", top.GetProperty("chunk").GetProperty("text").GetString(), StringComparison.Ordinal);

        // The same file again changes nothing: the route says so, and the version stays 2.
        await replace.GetByLabel("New file for parking").SetInputFilesAsync(new FilePayload
        {
            Name = "parking-2027.md",
            MimeType = "text/markdown",
            Buffer = Encoding.UTF8.GetBytes("# Parking\n\nFrom 2027 the car park opens at six in the morning and has twelve chargers.\n"),
        });
        await replace.GetByRole(AriaRole.Button, new() { Name = "Upload" }).ClickAsync();
        await Expect(replace.Locator(".upload-state")).ToContainTextAsync("unchanged");
        Assert.Equal(2, (await http.GetFromJsonAsync<JsonElement>($"v1/indexes/{Index}/documents/parking")).GetProperty("version").GetInt32());
        await replace.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();
        await Expect(replace).ToBeHiddenAsync();

        // Keyboard focus survives the live refresh (the table is rendered anew every 10 s when idle): a row's
        // button, and a row's link, are focused again in the new table.
        foreach (var control in new[] { row.GetByRole(AriaRole.Button, new() { Name = "Tags & ACL of parking" }), row.GetByRole(AriaRole.Link, new() { Name = "parking" }) })
        {
            await control.FocusAsync();
            var before = await page.EvaluateAsync<string>("document.activeElement.outerHTML");
            await page.EvaluateAsync("document.querySelector('#view table').dataset.before = 'yes'");
            await page.WaitForFunctionAsync("() => !document.querySelector('#view table[data-before]')", null, new() { Timeout = 30_000 });
            Assert.True(await control.EvaluateAsync<bool>("node => node === document.activeElement"), $"focus is back on {before}");
        }

        Assert.True(dashboard.ConsoleErrors.Count == 0, string.Join(Environment.NewLine, dashboard.ConsoleErrors));
    }
}
