using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using RagService.Api.Security;

namespace RagService.Api.Telemetry;

/// <summary>
/// OpenTelemetry for the API host: spans of every request, search stage and ingestion step; the service's
/// meters (<c>RagService.*</c>) with ASP.NET Core's request duration per route (its count is the request
/// rate) and rate-limiter metrics; a Prometheus scrape endpoint; OTLP export of traces, metrics and logs
/// when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set. Logs carry the current trace and span ids as a scope,
/// which the JSON console formatter writes with <c>IncludeScopes</c>.
/// </summary>
public static class TelemetryExtensions
{
    /// <summary>The service's own activity sources and meters: Retrieval, Ingestion, Generation, Api.</summary>
    public const string OwnSources = "RagService.*";

    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static WebApplicationBuilder AddRagTelemetry(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var settings = builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        builder.Services.AddSingleton<IndexMetrics>();
        builder.Services.AddSingleton<RecentActivity>();
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(string.IsNullOrWhiteSpace(settings.ServiceName) ? "ragservice" : settings.ServiceName))
            .WithTracing(t => t
                .AddSource(OwnSources)
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !IsScrape(http, settings)))
            .WithMetrics(m =>
            {
                m.AddMeter(OwnSources).AddAspNetCoreInstrumentation().AddMeter("Microsoft.AspNetCore.RateLimiting");
                if (settings.PrometheusEnabled)
                {
                    m.AddPrometheusExporter(o => o.ScrapeEndpointPath = settings.PrometheusPath);
                }
            });
        if (!string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointVariable]))
        {
            // Reads the endpoint, protocol and headers from the standard OTEL_EXPORTER_OTLP_* settings.
            otel.UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>The scrape endpoint, behind the admin policy; also starts the index gauges.</summary>
    public static WebApplication MapRagMetrics(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var settings = app.Services.GetRequiredService<IOptions<TelemetryOptions>>().Value;
        app.Services.GetRequiredService<IndexMetrics>();
        app.Services.GetRequiredService<RecentActivity>(); // listens from the start
        if (settings.PrometheusEnabled)
        {
            app.MapPrometheusScrapingEndpoint(settings.PrometheusPath)
                .RequireAuthorization(RagPolicies.Admin)
                .WithSummary("Prometheus metrics of the service");
        }

        return app;
    }

    private static bool IsScrape(HttpContext http, TelemetryOptions settings) =>
        http.Request.Path.StartsWithSegments(settings.PrometheusPath, StringComparison.OrdinalIgnoreCase);
}
