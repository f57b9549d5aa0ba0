using System.Net;
using System.Net.Http.Json;
using Microsoft.Playwright;
using RagService.TestSupport;
using static Microsoft.Playwright.Assertions;

namespace RagService.Api.Tests.Dashboard;

/// <summary>
/// The dashboard with the keyboard alone, in a real browser: no click, only Tab, Shift+Tab, Enter, Space and typing.
/// Each control reached shows a focus ring, and a page opened from a link takes the focus on its heading.
/// </summary>
public sealed class DashboardKeyboardTests
{
    private const string Index = "handbooks";
    private const int MaxTabs = 80;

    [ChromiumFact]
    public async Task Sign_in_read_a_document_ask_open_a_citation_and_revoke_a_key_with_the_keyboard_alone()
    {
        using var dir = new TempDirectory();
        await using var dashboard = await DashboardBrowser.StartAsync(dir);
        using var http = dashboard.CreateClient();
        await DashboardBrowser.IngestHandbookAsync(http, dir, Index);
        var created = await (await http.PostAsJsonAsync("v1/keys", new { name = "temp-reader", role = "reader" })).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        var tempKey = created.GetProperty("key").GetString()!;

        var page = await dashboard.OpenAsync();

        // The first Tab reaches the skip link, which shows itself while focused.
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("skip-link", await page.EvaluateAsync<string>("() => document.activeElement.id"));
        Assert.True(await page.EvaluateAsync<bool>("() => document.activeElement.getBoundingClientRect().top >= 0"), "the focused skip link is on screen");

        // Sign in: to the key field, type, Enter.
        await TabToAsync(page, "e => e.id === 'api-key'");
        await page.Keyboard.TypeAsync(DashboardBrowser.AdminKey);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Overview" })).ToBeVisibleAsync();

        // The index's documents, then the document: each link followed with Enter puts the focus on the new page's heading.
        await TabToAsync(page, $"e => e.tagName === 'A' && e.textContent === '{Index}'");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync($"Documents of {Index}");
        Assert.Equal("H1", await page.EvaluateAsync<string>("() => document.activeElement.tagName"));
        await TabToAsync(page, "e => e.tagName === 'A' && e.closest(\"tr[data-document='handbook']\") !== null");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("tr.chunk").First).ToBeVisibleAsync();
        Assert.Equal("H1", await page.EvaluateAsync<string>("() => document.activeElement.tagName"));

        // The chunk holding the backup fact: its Show button, Space; the page viewer turns to its page with its box.
        await TabToAsync(page, $"e => e.matches('tr.chunk button') && e.closest('tr').textContent.includes('35 days')");
        await page.Keyboard.PressAsync("Space");
        await Expect(page.Locator("#page-number")).ToContainTextAsync($"Page {TestDocuments.PdfBackupPage} of");
        await Expect(page.Locator(".box.selected").First).ToBeVisibleAsync();
        Assert.Equal("true", await page.EvaluateAsync<string>("() => document.activeElement.getAttribute('aria-pressed')"));

        // Back up to the navigation, to the playground: the query box has the focus; Enter searches.
        await TabToAsync(page, "e => e.matches('#nav a') && e.textContent === 'Playground'", backwards: true);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByLabel("Query")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync("How long are backups retained?");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("tr.hit").First).ToContainTextAsync("handbook.pdf");

        // The stage switches open from their summary with Enter; the Ask button answers; the [1] marker opens the cited page.
        await TabToAsync(page, "e => e.matches('#stage-panel > summary')", backwards: true);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#stage-panel")).ToHaveAttributeAsync("open", "");
        await TabToAsync(page, "e => e.tagName === 'BUTTON' && e.textContent === 'Ask'", backwards: true);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#answer")).ToContainTextAsync("35 days");
        await TabToAsync(page, "e => e.matches('button.marker')");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#citation-viewer .box.selected").First).ToBeVisibleAsync();

        // Keys: revoke the reader key with Enter on Revoke, then on Confirm revoke (which takes the focus itself).
        await TabToAsync(page, "e => e.matches('#nav a') && e.textContent === 'Keys'", backwards: true);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Keys and tenants");
        await TabToAsync(page, "e => e.getAttribute('aria-label') === 'Revoke temp-reader'");
        await page.Keyboard.PressAsync("Enter");
        Assert.Equal("Confirm revoke temp-reader", await page.EvaluateAsync<string>("() => document.activeElement.getAttribute('aria-label')"));
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Revoke temp-reader" })).ToHaveCountAsync(0);
        using var revoked = new HttpClient { BaseAddress = dashboard.Server.BaseAddress };
        revoked.DefaultRequestHeaders.Add("X-Api-Key", tempKey);
        Assert.Equal(HttpStatusCode.Unauthorized, (await revoked.GetAsync("v1/me")).StatusCode);
        Assert.True(dashboard.ConsoleErrors.Count == 0, string.Join(Environment.NewLine, dashboard.ConsoleErrors));
    }

    /// <summary>
    /// Presses Tab (or Shift+Tab) until the focused element matches <paramref name="predicate"/> (a JS function of
    /// the element), at most <see cref="MaxTabs"/> times; then checks it shows a focus ring.
    /// </summary>
    private static async Task TabToAsync(IPage page, string predicate, bool backwards = false)
    {
        for (var i = 0; i < MaxTabs; i++)
        {
            await page.Keyboard.PressAsync(backwards ? "Shift+Tab" : "Tab");
            if (await page.EvaluateAsync<bool>($"() => {{ const e = document.activeElement; return e !== null && ({predicate})(e); }}"))
            {
                var ring = await page.EvaluateAsync<string>("() => { const s = getComputedStyle(document.activeElement); return `${s.outlineStyle} ${s.outlineWidth}`; }");
                Assert.False(ring.StartsWith("none", StringComparison.Ordinal) || ring.EndsWith(" 0px", StringComparison.Ordinal), $"no focus ring on {predicate}: {ring}");
                return;
            }
        }

        var at = await page.EvaluateAsync<string>("() => document.activeElement?.outerHTML.slice(0, 200) ?? 'nothing'");
        Assert.Fail($"{MaxTabs} presses of {(backwards ? "Shift+Tab" : "Tab")} did not reach {predicate}; the focus is on {at}");
    }
}
