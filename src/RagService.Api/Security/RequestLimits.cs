using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using RagService.Api.Hosting;

namespace RagService.Api.Security;

/// <summary>
/// Limits that hold whoever calls: a per-caller rate (ASP.NET Core's rate limiter, one fixed window a minute
/// per API key or token subject; 429 with <c>Retry-After</c> beyond it) and a time limit on the API's requests
/// (504 when it passes). Uploads are exempt from the time limit: a large batch legitimately streams for long.
/// </summary>
public static class RequestLimits
{
    public const string TimeoutPolicy = "rag-request";

    public static IServiceCollection AddRagRequestLimits(this IServiceCollection services)
    {
        services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
            {
                var perMinute = http.RequestServices.GetRequiredService<IOptions<RagOptions>>().Value.Limits.RequestsPerMinute;
                return perMinute <= 0 || http.Features.Get<Caller>() is not { } caller
                    ? RateLimitPartition.GetNoLimiter(string.Empty)
                    : RateLimitPartition.GetFixedWindowLimiter(PartitionOf(caller), _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = perMinute,
                        Window = TimeSpan.FromMinutes(1),
                        QueueLimit = 0,
                    });
            });
            // One rejection handler for both limiters: the per-caller window's refusals carry a Retry-After (429);
            // a route's concurrency limit (load shedding) has none and answers 503 (LoadSheddingExtensions).
            o.OnRejected = async (context, ct) =>
            {
                if (!context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    await LoadShedding.LoadSheddingExtensions.RejectAsync(context, ct);
                    return;
                }

                context.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await AuthProblems.WriteAsync(context.HttpContext, StatusCodes.Status429TooManyRequests, "Too many requests",
                    $"This caller may send {context.HttpContext.RequestServices.GetRequiredService<IOptions<RagOptions>>().Value.Limits.RequestsPerMinute} requests a minute (Rag:Limits:RequestsPerMinute); retry after {retryAfter.TotalSeconds:0} s.");
            };
        });
        services.AddRequestTimeouts();
        services.AddOptions<RequestTimeoutOptions>().Configure<IOptions<RagOptions>>((o, rag) =>
            o.AddPolicy(TimeoutPolicy, new RequestTimeoutPolicy
            {
                Timeout = rag.Value.Limits.RequestTimeout,
                TimeoutStatusCode = StatusCodes.Status504GatewayTimeout,
            }));
        return services;
    }

    /// <summary>After authentication (the rate is per caller): the rate limiter, then the time limits.</summary>
    public static WebApplication UseRagRequestLimits(this WebApplication app)
    {
        app.UseRateLimiter();
        app.UseRequestTimeouts();
        return app;
    }

    /// <summary>One window per key; per user (or tenant) for tokens, which have no key id.</summary>
    private static string PartitionOf(Caller caller) =>
        caller.KeyId is { } id ? "key:" + id : $"token:{caller.Tenant}:{caller.User}";
}
