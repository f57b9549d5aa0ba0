using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Playwright;
using RagService.Evaluation.Hosting;
using static Microsoft.Playwright.Assertions;

namespace RagService.Api.Tests.Dashboard;

/// <summary>
/// The settings page and <c>GET /v1/settings</c>: the effective configuration for admins, with every configured
/// secret masked in the route's JSON and nowhere in the page.
/// </summary>
public sealed class DashboardSettingsTests
{
    private const string LlmKey = "llm-api-key-5f0c1d2e3b4a";
    private const string ConnectionPassword = "catalog-pw-9a8b7c";
    private const string TokenSecret = "webhook-token-77e6d5";

    [ChromiumFact]
    public async Task Settings_show_the_effective_configuration_to_admins_with_every_secret_masked()
    {
        using var dir = new TempDirectory();
        using var rsa = RSA.Create(2048);
        var pem = rsa.ExportSubjectPublicKeyInfoPem();
        var pemBody = pem.Split('\n')[1]; // a line of the key's base64: it must not leave the process either
        await using var dashboard = await DashboardBrowser.StartAsync(dir, new Dictionary<string, string?>
        {
            ["Rag:Auth:Mode"] = "apikey+jwt",
            ["Rag:Auth:Jwt:Issuer"] = "https://idp.example",
            ["Rag:Auth:Jwt:Audience"] = "ragservice",
            ["Rag:Auth:Jwt:SigningKeys:0"] = pem,
            ["Rag:MaxAttempts"] = "4",
            ["Llm:ApiKey"] = LlmKey,
            ["Llm:Model"] = "settings-test-model",
            ["ConnectionStrings:Catalog"] = $"Data Source=catalog.db;Password={ConnectionPassword}",
            ["ConnectionStrings:Webhook"] = TokenSecret,
        });
        string[] secrets = [DashboardBrowser.AdminKey, LlmKey, ConnectionPassword, TokenSecret, pemBody];
        using var http = dashboard.CreateClient();

        // The route: configured and default values by path, secrets masked, nothing of them in the JSON.
        var text = await http.GetStringAsync("v1/settings");
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }

        var settings = JsonDocument.Parse(text).RootElement.GetProperty("settings").EnumerateArray()
            .ToDictionary(s => s.GetProperty("key").GetString()!, s => (Value: s.GetProperty("value").GetString(), Secret: s.GetProperty("secret").GetBoolean()));
        Assert.Equal(("4", false), settings["Rag:MaxAttempts"]); // configured
        Assert.Equal(("0", false), settings["Rag:Limits:RequestsPerMinute"]);
        Assert.Equal(("settings-test-model", false), settings["Llm:Model"]);
        Assert.Equal(("2", false), settings["Rag:IngestionParallelism"]); // a default nobody configured
        Assert.Equal(("https://idp.example", false), settings["Rag:Auth:Jwt:Issuer"]);
        // Counts and switches under secret-sounding names are shown: they are numbers and flags, never secrets.
        foreach (var key in new[] { "Chunking:MaxTokens", "Llm:MaxTokens", "AnswerContext:MaxTokens", "Rag:Auth:AcceptsApiKeys" })
        {
            Assert.False(settings[key].Secret, key);
            Assert.NotEqual("********", settings[key].Value);
        }

        foreach (var key in new[] { "Rag:Auth:AdminKey", "Llm:ApiKey", "Rag:Auth:Jwt:SigningKeys:0", "ConnectionStrings:Catalog", "ConnectionStrings:Webhook" })
        {
            Assert.Equal(("********", true), settings[key]);
        }

        // Admins only, and in OpenAPI.
        var created = await http.PostAsJsonAsync("v1/keys", new { name = "settings-reader", role = "reader" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var readerKey = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
        using var reader = new HttpClient { BaseAddress = dashboard.Server.BaseAddress };
        Assert.Equal(HttpStatusCode.Unauthorized, (await reader.GetAsync("v1/settings")).StatusCode);
        reader.DefaultRequestHeaders.Add("X-Api-Key", readerKey);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.GetAsync("v1/settings")).StatusCode);

        // The configuration is the process's: a tenant's own admin (of default or of another tenant) may not read it.
        foreach (var (tenant, name) in new[] { ("default", "tenant-admin"), ("globex", "globex-admin") })
        {
            if (tenant != "default")
            {
                (await http.PutAsJsonAsync($"v1/tenants/{tenant}", new { })).EnsureSuccessStatusCode();
            }

            var admin = await http.PostAsJsonAsync("v1/keys", new { name, role = "admin", tenant });
            Assert.Equal(HttpStatusCode.Created, admin.StatusCode);
            using var tenantAdmin = new HttpClient { BaseAddress = dashboard.Server.BaseAddress };
            tenantAdmin.DefaultRequestHeaders.Add("X-Api-Key", (await admin.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!);
            Assert.Equal(HttpStatusCode.Forbidden, (await tenantAdmin.GetAsync("v1/settings")).StatusCode);
        }
        var openApi = await http.GetFromJsonAsync<JsonElement>("openapi/v1.json");
        Assert.True(openApi.GetProperty("paths").TryGetProperty("/v1/settings", out _), "GET /v1/settings is in OpenAPI");

        // The page: each section in its own table, the masked secrets marked, the secrets nowhere in the document.
        var page = await dashboard.OpenAsync();
        await DashboardBrowser.SignInAsync(page, DashboardBrowser.AdminKey);
        await page.GetByRole(AriaRole.Link, new() { Name = "Settings" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Settings", Exact = true })).ToBeVisibleAsync();
        var apiKey = page.Locator("tr[data-setting='Llm:ApiKey']");
        await Expect(apiKey).ToContainTextAsync("********");
        await Expect(apiKey).ToContainTextAsync("secret");
        await Expect(page.Locator("tr[data-setting='Rag:MaxAttempts'] td").Nth(1)).ToHaveTextAsync("4");
        await Expect(page.Locator("tr[data-setting='Rag:Auth:Jwt:SigningKeys:0']")).ToContainTextAsync("********");
        var html = await page.ContentAsync();
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, html, StringComparison.Ordinal);
        }

        await DashboardBrowser.ScreenshotAsync(page, "settings");
        await DashboardBrowser.AssertAccessibleAsync(page);

        // A reader has no Settings link and is told so at the address.
        var second = await dashboard.OpenAsync();
        await DashboardBrowser.SignInAsync(second, readerKey);
        await Expect(second.Locator("#nav-keys")).ToBeHiddenAsync();
        await Expect(second.Locator("#nav-settings")).ToBeHiddenAsync();
        await second.GotoAsync(new Uri(dashboard.Server.BaseAddress, "admin/#/settings").ToString());
        await Expect(second.Locator("#view")).ToContainTextAsync("Only an admin key reads the settings.");
        Assert.True(dashboard.ConsoleErrors.Count == 0, string.Join(Environment.NewLine, dashboard.ConsoleErrors));
    }
}
