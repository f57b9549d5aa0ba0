using System.Net.Http.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace RagService.Api.Tests.Dashboard;

/// <summary>
/// Sign-in with the identity provider, in a real browser against the real service configured for API keys and
/// tokens (<c>apikey+jwt</c>) with <see cref="TestIdentityProvider"/> as its authority: a minimal OpenID Connect
/// provider on loopback standing in for Keycloak or Entra ID, which cannot run here. The page runs the code flow
/// with PKCE itself; the token it gets is checked by the API like any other, and the role in it decides what the
/// page offers.
/// </summary>
public sealed class DashboardSignInTests
{
    private const string Index = "policies";

    [ChromiumFact]
    public async Task A_reader_signs_in_with_the_identity_provider_sees_a_readers_pages_searches_and_signs_out()
    {
        using var dir = new TempDirectory();
        await using var idp = await TestIdentityProvider.StartAsync();
        await using var dashboard = await DashboardBrowser.StartAsync(dir, DashboardSignInApiTests.ProviderSettings(idp.Authority));
        idp.AllowRedirect(new Uri(dashboard.Server.BaseAddress, "admin/"));
        using var http = dashboard.CreateClient();
        await IngestAsync(http, dir);

        // The sign-in page offers both: the provider's button and the key field.
        idp.SignInAs(("sub", "alice"), ("tenant", "default"), ("groups", "finance"));
        var page = await dashboard.OpenAsync();
        var button = page.GetByRole(AriaRole.Button, new() { Name = "Sign in with Test IdP" });
        await Expect(button).ToBeVisibleAsync();
        await Expect(page.GetByLabel("API key")).ToBeVisibleAsync();
        await DashboardBrowser.ScreenshotAsync(page, "sign-in-idp");
        await DashboardBrowser.AssertAccessibleAsync(page);

        // Started from the playground's address: the provider approves, the page exchanges the code and is back there.
        await page.GotoAsync(new Uri(dashboard.Server.BaseAddress, $"admin/#/playground?index={Index}").ToString());
        await button.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Query")).ToBeVisibleAsync();
        Assert.EndsWith($"/admin/#/playground?index={Index}", page.Url, StringComparison.Ordinal); // the code and state left the address
        var authorization = Assert.Single(idp.AuthorizationRequests);
        Assert.Equal("S256", authorization["code_challenge_method"]);
        Assert.Equal(43, authorization["code_challenge"].ToString().Length); // base64url of a SHA-256
        Assert.False(string.IsNullOrEmpty(authorization["state"]));
        Assert.False(string.IsNullOrEmpty(authorization["nonce"]));
        Assert.Equal("openid profile", authorization["scope"]);
        Assert.Equal(["issued"], idp.TokenRequests); // the verifier matched the challenge
        Assert.Null(await page.EvaluateAsync<string?>("sessionStorage.getItem('rag-api-key')"));
        Assert.Contains("\"token\"", await page.EvaluateAsync<string>("sessionStorage.getItem('rag-token')"), StringComparison.Ordinal);

        // A reader's token: no Keys or Settings, no upload or row actions; searching works.
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Playground" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Keys" })).ToBeHiddenAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Settings" })).ToBeHiddenAsync();
        await page.GetByLabel("Query").FillAsync("meal allowance for interns");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(page.Locator("tr.hit").First).ToContainTextAsync("travel.md");
        // The copied request reads a bearer token from $RAG_TOKEN; the token itself is nowhere in it.
        await page.GetByRole(AriaRole.Button, new() { Name = "Copy as curl" }).ClickAsync();
        var snippet = await page.Locator("#request-snippet").TextContentAsync();
        Assert.Contains("-H \"Authorization: Bearer $RAG_TOKEN\"", snippet, StringComparison.Ordinal);
        var token = await page.EvaluateAsync<string>("JSON.parse(sessionStorage.getItem('rag-token')).token");
        Assert.DoesNotContain(token, snippet, StringComparison.Ordinal);
        await page.GotoAsync(new Uri(dashboard.Server.BaseAddress, $"admin/#/indexes/{Index}/documents").ToString());
        await Expect(page.Locator("tr[data-document='travel'] .state")).ToHaveTextAsync("ready");
        Assert.Equal(0, await page.Locator("#drop-zone").CountAsync());
        Assert.Equal(0, await page.Locator("td.actions").CountAsync());

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(button).ToBeVisibleAsync();
        Assert.Null(await page.EvaluateAsync<string?>("sessionStorage.getItem('rag-token')"));
        Assert.Empty(dashboard.ConsoleErrors);
    }

    [ChromiumFact]
    public async Task An_admin_token_is_offered_the_admin_pages_and_is_signed_out_when_it_expires_and_a_pasted_token_works()
    {
        using var dir = new TempDirectory();
        await using var idp = await TestIdentityProvider.StartAsync();
        await using var dashboard = await DashboardBrowser.StartAsync(dir, DashboardSignInApiTests.ProviderSettings(idp.Authority));
        idp.AllowRedirect(new Uri(dashboard.Server.BaseAddress, "admin/"));

        // An admin's token lasting 12 s (long enough for a loaded CI machine to draw the signed-in page first): the
        // Keys page is offered, and the page signs itself out when it expires
        // (before the API would refuse it: the service allows 30 s of clock skew).
        idp.SignInAs(("sub", "root"), ("tenant", "default"), ("roles", "admin"));
        idp.AccessTokenLifetime = TimeSpan.FromSeconds(12);
        var page = await dashboard.OpenAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in with Test IdP" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Overview" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Keys" })).ToBeVisibleAsync();
        await Expect(page.Locator("#sign-in-error")).ToContainTextAsync("expired", new() { Timeout = 40_000 });
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Keys" })).ToBeHiddenAsync();
        Assert.Null(await page.EvaluateAsync<string?>("sessionStorage.getItem('rag-token')"));

        // A token pasted into the key field is sent as a bearer token: an ingester's gets the upload panel, not Keys.
        var ingester = idp.AccessToken(TimeSpan.FromHours(1), ("sub", "bob"), ("tenant", "default"), ("roles", "ingester"));
        (await dashboard.CreateClient().PutAsJsonAsync($"v1/indexes/{Index}", new { })).EnsureSuccessStatusCode();
        await DashboardBrowser.SignInAsync(page, ingester);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Keys" })).ToBeHiddenAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = Index }).ClickAsync();
        await Expect(page.Locator("#drop-zone")).ToBeVisibleAsync();
        Assert.Null(await page.EvaluateAsync<string?>("sessionStorage.getItem('rag-api-key')"));
        Assert.Empty(dashboard.ConsoleErrors);
    }

    [ChromiumFact]
    public async Task With_tokens_only_and_no_client_id_the_page_takes_a_pasted_access_token()
    {
        using var dir = new TempDirectory();
        await using var idp = await TestIdentityProvider.StartAsync();
        var settings = DashboardSignInApiTests.ProviderSettings(idp.Authority);
        settings["Rag:Auth:Mode"] = "jwt";
        settings.Remove("Rag:Auth:Jwt:Dashboard:ClientId");
        await using var dashboard = await DashboardBrowser.StartAsync(dir, settings);

        var page = await dashboard.OpenAsync();
        var field = page.GetByLabel("Access token", new() { Exact = true });
        await Expect(field).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign in with" })).ToHaveCountAsync(0);
        await DashboardBrowser.AssertAccessibleAsync(page);

        await field.FillAsync(idp.AccessToken(TimeSpan.FromHours(1), ("sub", "carol"), ("tenant", "default")));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Overview" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Keys" })).ToBeHiddenAsync();

        // A token the provider did not sign is refused by the API, and the page says so.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await field.FillAsync("eyJhbGciOiJub25lIn0.eyJ0ZW5hbnQiOiJkZWZhdWx0In0.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Expect(page.Locator("#sign-in-error")).ToContainTextAsync("token was refused");
    }

    private static async Task IngestAsync(HttpClient http, TempDirectory dir)
    {
        (await http.PutAsJsonAsync($"v1/indexes/{Index}", new { })).EnsureSuccessStatusCode();
        var travel = dir.File("travel.md");
        await File.WriteAllTextAsync(travel, "# Travel policy\n\n## Meals\n\nThe daily meal allowance is 60 euros for employees. Interns receive a daily meal allowance of 40 euros.\n");
        await RagApiHost.UploadAsync(http, Index, (travel, "travel"));
        Assert.Equal("ready", (await RagApiHost.WaitForFinalAsync(http, Index, "travel")).GetProperty("status").GetString());
    }
}
