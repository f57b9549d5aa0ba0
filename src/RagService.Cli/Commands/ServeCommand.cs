using Microsoft.AspNetCore.Builder;
using RagService.Api.Hosting;

namespace RagService.Cli.Commands;

/// <summary><c>rag serve</c>: the API host, exactly as the service runs it.</summary>
public static class ServeCommand
{
    public static async Task<int> RunAsync(CommandLine line, string[] hostArgs)
    {
        var extra = new List<string>();
        if (line.Get("data") is { } data)
        {
            extra.Add($"--Rag:DataDirectory={data}");
        }

        if (line.Get("urls") is { } urls)
        {
            extra.Add($"--Urls={urls}");
        }

        await using var app = LoopbackApiServer.Build(new WebApplicationOptions
        {
            Args = [.. hostArgs.Where(a => !a.StartsWith("--data", StringComparison.Ordinal) && !a.StartsWith("--urls", StringComparison.Ordinal)), .. extra],
            ContentRootPath = AppContext.BaseDirectory,
        });
        await app.RunAsync();
        return 0;
    }
}
