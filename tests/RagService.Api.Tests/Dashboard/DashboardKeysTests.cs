using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace RagService.Api.Tests.Dashboard;

/// <summary>
/// Keys and tenants in the dashboard, in a real browser against the real service: an admin creates a key (shown
/// once), a reader signed in with it is not offered the page, and the admin's revocation refuses its next request.
/// </summary>
public sealed class DashboardKeysTests
{
    [ChromiumFact]
    public async Task An_admin_creates_a_key_shown_once_and_revokes_it_and_the_next_request_with_it_gets_401()
    {
        using var dir = new TempDirectory();
        await using var dashboard = await DashboardBrowser.StartAsync(dir);
        var admin = await dashboard.OpenAsync();
        await DashboardBrowser.SignInAsync(admin, DashboardBrowser.AdminKey);

        await admin.GetByRole(AriaRole.Link, new() { Name = "Keys" }).ClickAsync();
        await admin.GetByLabel("Name").FillAsync("night-batch reader");
        await admin.GetByLabel("Role").SelectOptionAsync("reader");
        await admin.GetByLabel("User (optional)").FillAsync("ana");
        await admin.GetByLabel("Groups (comma-separated)").FillAsync("finance, audit");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();

        var shown = admin.Locator("#new-key");
        await Expect(shown).ToBeVisibleAsync();
        var key = (await shown.TextContentAsync())!.Trim();
        Assert.False(string.IsNullOrEmpty(key));
        var row = admin.Locator("tr[data-key]", new() { HasText = "night-batch reader" });
        await Expect(row).ToContainTextAsync("reader");
        await Expect(row).ToContainTextAsync("finance, audit");
        await DashboardBrowser.ScreenshotAsync(admin, "keys");
        await DashboardBrowser.AssertAccessibleAsync(admin);

        // The key is real: the API answers it, as the reader it was made for.
        using var withKey = new HttpClient { BaseAddress = dashboard.Server.BaseAddress };
        withKey.DefaultRequestHeaders.Add("X-Api-Key", key);
        var who = await withKey.GetFromJsonAsync<JsonElement>("v1/me");
        Assert.Equal("reader", who.GetProperty("role").GetString());
        Assert.Equal("ana", who.GetProperty("user").GetString());

        // Shown once: after the page is left and opened again the key is nowhere in it.
        await admin.GetByRole(AriaRole.Link, new() { Name = "Overview" }).ClickAsync();
        await admin.GetByRole(AriaRole.Link, new() { Name = "Keys" }).ClickAsync();
        await Expect(row).ToBeVisibleAsync();
        Assert.DoesNotContain(key, await admin.ContentAsync(), StringComparison.Ordinal);

        // What a reader may not do is not offered: no Keys link, and the page itself says so.
        var reader = await dashboard.OpenAsync();
        await DashboardBrowser.SignInAsync(reader, key);
        await Expect(reader.GetByRole(AriaRole.Link, new() { Name = "Overview" })).ToBeVisibleAsync();
        await Expect(reader.GetByRole(AriaRole.Link, new() { Name = "Keys" })).ToBeHiddenAsync();
        await reader.EvaluateAsync("location.hash = '#/keys'");
        await Expect(reader.Locator("#view")).ToContainTextAsync("Only an admin key manages keys");

        // Revoked with a confirmation: the row goes and the next request with the key is refused.
        await row.GetByRole(AriaRole.Button, new() { Name = "Revoke night-batch reader" }).ClickAsync();
        await DashboardBrowser.AssertAccessibleAsync(admin);
        await admin.GetByRole(AriaRole.Button, new() { Name = "Confirm revoke night-batch reader" }).ClickAsync();
        await Expect(row).ToHaveCountAsync(0);
        Assert.Equal(HttpStatusCode.Unauthorized, (await withKey.GetAsync("v1/indexes")).StatusCode);

        // The reader's open tab is signed out by the API's 401 on its next call.
        await reader.EvaluateAsync("location.hash = '#/overview'");
        await Expect(reader.Locator("#sign-in-error")).ToContainTextAsync("refused");
        Assert.Null(await reader.EvaluateAsync<string?>("sessionStorage.getItem('rag-api-key')"));

        // The only console errors are the revoked key's 401s.
        Assert.All(dashboard.ConsoleErrors, e => Assert.Contains("401", e, StringComparison.Ordinal));
    }
}
