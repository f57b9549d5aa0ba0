using System.Net.Http.Json;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using RagService.Evaluation.Hosting;
using RagService.TestSupport;
using static Microsoft.Playwright.Assertions;

namespace RagService.Api.Tests.Dashboard;

/// <summary>
/// What every dashboard browser test shares: the real service on Kestrel over loopback with keys on, Debian's
/// chromium driven by Playwright at 1280×800, sign-in through the page, axe-core and the screenshots.
/// </summary>
internal sealed class DashboardBrowser : IAsyncDisposable
{
    public const string AdminKey = "dashboard-admin-key-0123456789abcdef";

    private DashboardBrowser(LoopbackApiServer server, IPlaywright playwright, IBrowser browser)
    {
        Server = server;
        Playwright = playwright;
        Browser = browser;
    }

    public LoopbackApiServer Server { get; }

    public IPlaywright Playwright { get; }

    public IBrowser Browser { get; }

    /// <summary>Every console error of every page this browser opened.</summary>
    public List<string> ConsoleErrors { get; } = [];

    public static async Task<DashboardBrowser> StartAsync(TempDirectory dir, IDictionary<string, string?>? settings = null)
    {
        var configuration = new Dictionary<string, string?>
        {
            ["Rag:DataDirectory"] = dir.File("data"),
            ["Rag:Auth:AdminKey"] = AdminKey,
            ["Rag:Limits:RequestsPerMinute"] = "0",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }

        // Playwright's assertions wait 5 s by default; CI runs the test projects side by side on two cores, where a
        // page that takes longer than that to settle is slow, not wrong.
        SetDefaultExpectTimeout(20_000);
        var server = await LoopbackApiServer.StartAsync(null, configuration, default);
        var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumFactAttribute.ExecutablePath,
            Headless = true,
            Args = ["--no-sandbox"], // CI runs as root, where chromium refuses its sandbox
        });
        return new DashboardBrowser(server, playwright, browser);
    }

    public HttpClient CreateClient() => Server.CreateClient();

    /// <summary>Creates <paramref name="index"/> and ingests the three-page handbook PDF (TestDocuments) as <c>handbook</c>, until ready.</summary>
    public static async Task IngestHandbookAsync(HttpClient http, TempDirectory dir, string index)
    {
        (await http.PutAsJsonAsync($"v1/indexes/{index}", new { })).EnsureSuccessStatusCode();
        var pdf = dir.File("handbook.pdf");
        TestDocuments.WritePdf(pdf);
        await RagApiHost.UploadAsync(http, index, (pdf, "handbook"));
        Assert.Equal("ready", (await RagApiHost.WaitForFinalAsync(http, index, "handbook")).GetProperty("status").GetString());
    }

    /// <summary>A fresh tab (own sessionStorage) at 1280×800 on the dashboard's sign-in page.</summary>
    public async Task<IPage> OpenAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        var page = await context.NewPageAsync();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                ConsoleErrors.Add($"{message.Text} ({message.Location})");
            }
        };
        await page.GotoAsync(new Uri(Server.BaseAddress, "admin/").ToString());
        return page;
    }

    /// <summary>Signs the tab in with <paramref name="key"/> and waits for the overview.</summary>
    public static async Task SignInAsync(IPage page, string key)
    {
        await page.GetByLabel("API key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Overview" })).ToBeVisibleAsync();
    }

    /// <summary>axe-core on the page as it is: no serious or critical violation.</summary>
    public static async Task AssertAccessibleAsync(IPage page)
    {
        var result = await page.RunAxe();
        Assert.NotEmpty(result.Passes); // axe ran its rules on this page
        var severe = result.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))}")
            .ToList();
        Assert.True(severe.Count == 0, string.Join(Environment.NewLine, severe));
    }

    /// <summary>Writes the page at 1280×800 to docs/dashboard/{name}.png in the repository.</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "RagService.sln")))
        {
            root = root.Parent;
        }

        Assert.NotNull(root);
        var folder = Path.Combine(root.FullName, "docs", "dashboard");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, $"{name}.png") });
    }

    /// <summary>Waits until the page image (#page-image) has loaded.</summary>
    public static async Task WaitForPageImageAsync(IPage page) =>
        await page.WaitForFunctionAsync("() => { const i = document.getElementById('page-image'); return i && i.complete && i.naturalWidth > 0; }");

    /// <summary>
    /// The box sits on the chunk's text: inside the page image, and the image's pixels under it are partly dark
    /// (text) where a box drawn off the text would cover white paper.
    /// </summary>
    public static async Task AssertBoxOnInkAsync(IPage page, ILocator box)
    {
        var ink = await box.EvaluateAsync<double>("""
            box => {
              const img = document.getElementById('page-image');
              const b = box.getBoundingClientRect(), r = img.getBoundingClientRect();
              if (b.width < 2 || b.height < 2 || b.left < r.left - 1 || b.top < r.top - 1 || b.right > r.right + 1 || b.bottom > r.bottom + 1) return -1;
              const sx = img.naturalWidth / r.width, sy = img.naturalHeight / r.height;
              const canvas = document.createElement('canvas');
              canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
              const ctx = canvas.getContext('2d');
              ctx.drawImage(img, 0, 0);
              const x = Math.floor((b.left - r.left) * sx), y = Math.floor((b.top - r.top) * sy);
              const data = ctx.getImageData(x, y, Math.max(1, Math.floor(b.width * sx)), Math.max(1, Math.floor(b.height * sy))).data;
              let dark = 0;
              for (let i = 0; i < data.length; i += 4) if (data[i] + data[i + 1] + data[i + 2] < 384) dark++;
              return dark / (data.length / 4);
            }
            """);
        Assert.True(ink > 0.02, $"the box should cover the chunk's text inside the page image (dark share {ink:0.000}; -1 is outside the image)");
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
        await Server.DisposeAsync();
    }
}
