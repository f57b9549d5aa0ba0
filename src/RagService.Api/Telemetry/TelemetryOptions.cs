namespace RagService.Api.Telemetry;

/// <summary>
/// The "Telemetry" section. Traces and metrics are always collected in process; this decides where they
/// can be read. OTLP export is switched on by the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> variable
/// (and its <c>OTEL_EXPORTER_OTLP_*</c> siblings), not here.
/// </summary>
public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary>Serve the Prometheus scrape endpoint (admin role when authentication is on).</summary>
    public bool PrometheusEnabled { get; set; } = true;

    /// <summary>Where the scrape endpoint listens.</summary>
    public string PrometheusPath { get; set; } = "/metrics";

    /// <summary>The <c>service.name</c> resource attribute of every span and metric.</summary>
    public string ServiceName { get; set; } = "ragservice";
}
