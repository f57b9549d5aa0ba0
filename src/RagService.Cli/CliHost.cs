using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RagService.Api.Hosting;

namespace RagService.Cli;

/// <summary>The in-process service container the CLI commands run on: the same composition as the API.</summary>
public static class CliHost
{
    public static ServiceProvider Create(CommandLine line)
    {
        var configuration = Configuration(line);
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(line.Has("verbose") ? LogLevel.Information : LogLevel.Warning));
        services.AddOptions<RagOptions>().Bind(configuration.GetSection(RagOptions.Section));
        services.AddRagCore();
        return services.BuildServiceProvider();
    }

    /// <summary>appsettings.json, then environment variables (<c>RAG_</c>-prefixed for compatibility, then the service's unprefixed <c>Rag__DataDirectory</c> style, which wins), then --data and --model: what every command runs with.</summary>
    public static IConfigurationRoot Configuration(CommandLine line)
    {
        var settings = new Dictionary<string, string?>();
        if (line.Get("data") is { } data)
        {
            settings["Rag:DataDirectory"] = data;
        }

        if (line.Get("model") is { } model)
        {
            settings["Rag:DefaultEmbeddingModel"] = model;
        }

        return new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddEnvironmentVariables("RAG_")
            .AddEnvironmentVariables()
            .AddInMemoryCollection(settings)
            .Build();
    }
}
