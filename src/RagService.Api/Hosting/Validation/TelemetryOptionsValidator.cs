using RagService.Api.Telemetry;

namespace RagService.Api.Hosting.Validation;

/// <summary>The "Telemetry" section: a scrape path that routes, and a service name.</summary>
internal sealed class TelemetryOptionsValidator(IConfiguration? configuration = null)
    : SectionValidator<TelemetryOptions>(TelemetryOptions.Section, configuration)
{
    protected override void Check(TelemetryOptions options, SettingChecks checks)
    {
        checks.Required(options.ServiceName);
        if (string.IsNullOrWhiteSpace(options.PrometheusPath) || !options.PrometheusPath.StartsWith('/') || options.PrometheusPath.StartsWith("/v1/", StringComparison.OrdinalIgnoreCase))
        {
            checks.Fail(nameof(options.PrometheusPath), $"must be a path starting with '/' outside /v1/ (was {SettingChecks.Quote(options.PrometheusPath)})");
        }
    }
}
