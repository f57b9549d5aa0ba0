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

        // The same composition as the API's Program.cs.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = [.. hostArgs, .. extra],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.AddRagServiceDefaults();
        builder.AddRagService();
        await using var app = builder.Build();
        app.MapRagService();
        return await app.RunRagServiceAsync();
    }
}
