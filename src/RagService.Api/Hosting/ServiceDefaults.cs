using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;

namespace RagService.Api.Hosting;

/// <summary>What every RagService host has: structured logs, ProblemDetails, OpenAPI and health endpoints.</summary>
public static class ServiceDefaults
{
    public static WebApplicationBuilder AddRagServiceDefaults(this WebApplicationBuilder builder)
    {
        AddOwnAppSettings(builder);
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
        // Unreadable bodies reach BadRequestExceptionHandler, which says what is wrong and where; without
        // this, outside Development minimal APIs answer a bare 400 with no reason.
        builder.Services.PostConfigure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer((doc, _, _) =>
        {
            doc.Info.Title = "RagService API";
            doc.Info.Description = "Ingest documents, search them (BM25, dense, hybrid) and get answers with citations to document, section and page.";
            return Task.CompletedTask;
        }));
        builder.Services.AddHealthChecks().AddCheck<DataDirectoryHealthCheck>("data-directory");
        return builder;
    }

    /// <summary>
    /// Started from another folder (<c>dotnet /opt/rag/RagService.Api.dll</c>), the content root is that folder
    /// and holds no appsettings.json: the service would run with every framework category at Information and
    /// none of its own defaults. Then the appsettings.json beside the assembly is read, below every other source.
    /// </summary>
    private static void AddOwnAppSettings(WebApplicationBuilder builder)
    {
        var own = Path.Combine(AppContext.BaseDirectory, "appsettings.json");
        if (!File.Exists(Path.Combine(builder.Environment.ContentRootPath, "appsettings.json")) && File.Exists(own))
        {
            builder.Configuration.Sources.Insert(0, new JsonConfigurationSource
            {
                Path = "appsettings.json",
                Optional = true,
                FileProvider = new PhysicalFileProvider(AppContext.BaseDirectory),
            });
        }
    }

    public static WebApplication MapServiceDefaults(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages(StatusCodeProblems.WriteAsync);
        app.MapOpenApi().RequireAuthorization(Security.RagPolicies.Docs);
        app.MapScalarApiReference().RequireAuthorization(Security.RagPolicies.Docs);
        app.MapHealthChecks("/health").AllowAnonymous();
        app.MapHealthChecks("/alive", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        return app;
    }
}

/// <summary>Healthy when the data directory exists and is writable.</summary>
internal sealed class DataDirectoryHealthCheck(IOptions<RagOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var dir = Path.GetFullPath(options.Value.DataDirectory);
            Directory.CreateDirectory(dir);
            var probe = Path.Combine(dir, ".health");
            File.WriteAllText(probe, DateTimeOffset.UtcNow.ToString("O"));
            File.Delete(probe);
            return Task.FromResult(HealthCheckResult.Healthy(dir));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("The data directory is not writable.", e));
        }
    }
}
