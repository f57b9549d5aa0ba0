using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Options;
using RagService.Api.Hosting;
using RagService.Api.Security;

namespace RagService.Evaluation.Hosting;

/// <summary>
/// The real API (Kestrel, the same composition as <c>Program.cs</c> and <c>rag serve</c>) on
/// 127.0.0.1 and a free port, for callers that must go through HTTP: <c>rag eval --http</c>
/// measures search exactly as a client of the service sees it. Stopped and disposed with the instance.
/// </summary>
public sealed class LoopbackApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackApiServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
        var data = app.Services.GetRequiredService<IOptions<RagOptions>>().Value.DataDirectory;
        AdminKey = AdminKeyFile.Find(app.Configuration, data);
    }

    /// <summary>The service's admin key (configured, or the one it wrote to its data folder); null when authentication is off or it cannot be read.</summary>
    public string? AdminKey { get; }

    /// <summary>A client of the service that authenticates as its admin.</summary>
    public HttpClient CreateClient()
    {
        var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        if (AdminKey is not null)
        {
            http.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        }

        return http;
    }

    /// <summary>Where the service listens, ending in '/'.</summary>
    public Uri BaseAddress { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Builds the API host exactly as the service runs it, with <paramref name="configure"/> applied to its configuration first.</summary>
    public static WebApplication Build(WebApplicationOptions options, Action<ConfigurationManager>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(options);
        configure?.Invoke(builder.Configuration);
        builder.AddRagServiceDefaults();
        builder.AddRagService();
        var app = builder.Build();
        app.MapRagService();
        return app;
    }

    /// <param name="configuration">Settings layered over the host's own (appsettings.json, environment), e.g. the CLI's.</param>
    /// <param name="settings">Layered last; <c>Urls</c> is always 127.0.0.1 on a free port.</param>
    public static async Task<LoopbackApiServer> StartAsync(IConfiguration? configuration, IReadOnlyDictionary<string, string?> settings, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var app = Build(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory }, config =>
        {
            if (configuration is not null)
            {
                config.AddConfiguration(configuration);
            }

            // A private host for one tool run: an evaluation sends thousands of searches a minute as one caller,
            // which the per-caller rate limit (Rag:Limits:RequestsPerMinute) would refuse. Settings may still set it.
            config.AddInMemoryCollection(new Dictionary<string, string?> { ["Rag:Limits:RequestsPerMinute"] = "0" });
            config.AddInMemoryCollection(new Dictionary<string, string?>(settings)
            {
                ["Urls"] = "http://127.0.0.1:0",
            });
        });
        try
        {
            await app.StartAsync(ct).ConfigureAwait(false);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
                ?? throw new InvalidOperationException("Kestrel reported no address.");
            return new LoopbackApiServer(app, new Uri(address.TrimEnd('/') + "/"));
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
