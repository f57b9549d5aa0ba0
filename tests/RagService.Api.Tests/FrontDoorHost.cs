using System.Net.Http.Json;
using System.Text.RegularExpressions;
using RagService.Evaluation.Hosting;

namespace RagService.Api.Tests;

/// <summary>
/// The real service on Kestrel over loopback (so streaming, disconnects and the SDK clients go through real
/// HTTP) with an index "kb" holding a small travel policy, a leave policy and a Chinese leave policy.
/// With <c>llmEndpoint</c> the answers come from that OpenAI-compatible server.
/// </summary>
public sealed partial class FrontDoorHost : IAsyncDisposable
{
    public const string Index = "kb";

    private static readonly (string File, string Text)[] Documents =
    [
        ("travel.md", "# Travel policy\n\n## Flights\n\nEmployees fly economy class on flights shorter than six hours. Business class is allowed on flights longer than six hours.\n\n" +
            "## Meals\n\nThe daily meal allowance is 60 euros for employees. Interns receive a daily meal allowance of 40 euros.\n\n" +
            "## Mileage\n\nUsing your own car for business trips is reimbursed at 0.30 euros per kilometre.\n"),
        ("leave.md", "# Leave policy\n\n## Annual leave\n\nEmployees receive twenty-five days of annual leave a year. Interns receive twelve days of annual leave a year.\n\n" +
            "## Parental leave\n\nParental leave lasts sixteen weeks. Apply for parental leave through the HR portal two months before it starts.\n"),
        ("nianjia.md", "# 年假制度\n\n## 年假天数\n\n员工每年享有十五天带薪年假。\n\n## 申请流程\n\n年假需要通过人事系统提前两周提交申请，并由直属经理批准。\n"),
    ];

    private readonly TempDirectory _dir;

    private FrontDoorHost(TempDirectory dir, LoopbackApiServer server)
    {
        _dir = dir;
        Server = server;
        Http = server.CreateClient();
    }

    public LoopbackApiServer Server { get; }

    /// <summary>The service's admin key, which <see cref="Http"/> sends.</summary>
    public string AdminKey => Server.AdminKey ?? throw new InvalidOperationException("The service wrote no admin key.");

    /// <summary>A client of the service as its admin, its base address the service root.</summary>
    public HttpClient Http { get; }

    public static async Task<FrontDoorHost> StartAsync(string? llmEndpoint = null, IReadOnlyDictionary<string, string?>? extra = null)
    {
        var dir = new TempDirectory();
        var settings = new Dictionary<string, string?>
        {
            ["Rag:DataDirectory"] = dir.File("data"),
            ["Logging:LogLevel:Default"] = "Warning",
        };
        if (llmEndpoint is not null)
        {
            settings["Llm:Endpoint"] = llmEndpoint;
            settings["Llm:Model"] = "fake-model";
        }

        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var server = await LoopbackApiServer.StartAsync(null, settings, default);
        var host = new FrontDoorHost(dir, server);
        await host.IngestAsync();
        return host;
    }

    /// <summary>The number a prompt's "Sources:" list gives the source containing <paramref name="text"/>, or 1.</summary>
    public static int SourceNumber(string prompt, string text)
    {
        foreach (Match match in SourceHeader().Matches(prompt))
        {
            var end = prompt.IndexOf("\n[", match.Index + 1, StringComparison.Ordinal);
            var body = end < 0 ? prompt[match.Index..] : prompt[match.Index..end];
            if (body.Contains(text, StringComparison.Ordinal))
            {
                return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return 1;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        _dir.Dispose();
    }

    private async Task IngestAsync()
    {
        (await Http.PutAsJsonAsync($"/v1/indexes/{Index}", new { })).EnsureSuccessStatusCode();
        foreach (var (file, text) in Documents)
        {
            var path = _dir.File(file);
            await File.WriteAllTextAsync(path, text);
            var id = Path.GetFileNameWithoutExtension(file);
            await RagApiHost.UploadAsync(Http, Index, (path, id));
            Assert.Equal("ready", (await RagApiHost.WaitForFinalAsync(Http, Index, id)).GetProperty("status").GetString());
        }
    }

    [GeneratedRegex(@"^\[(\d+)\] ", RegexOptions.Multiline)]
    private static partial Regex SourceHeader();
}
