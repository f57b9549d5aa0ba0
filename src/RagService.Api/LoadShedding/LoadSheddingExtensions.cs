using System.Diagnostics.Metrics;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using RagService.Api.Endpoints;

namespace RagService.Api.LoadShedding;

/// <summary>
/// Bounded concurrency for the query routes (ASP.NET Core's rate limiter with a concurrency limiter per
/// route kind, sized by <see cref="LoadSheddingOptions"/>). A shed request gets 503, Retry-After and a
/// ProblemDetails that says which limit was hit, and is counted in <c>rag.http.requests.shed</c>.
/// </summary>
public static class LoadSheddingExtensions
{
    public const string SearchPolicy = "search";
    public const string AskPolicy = "ask";

    private static readonly Meter Meter = new("RagService.Api.LoadShedding");
    private static readonly Counter<long> Shed = Meter.CreateCounter<long>("rag.http.requests.shed", "{request}", "Requests refused with 503 because every slot and queue place was taken, by policy");

    public static IServiceCollection AddLoadShedding(this IServiceCollection services)
    {
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status503ServiceUnavailable;
            o.AddPolicy(SearchPolicy, http => Partition(http, SearchPolicy, s => (s.SearchConcurrency, s.SearchQueue)));
            o.AddPolicy(AskPolicy, http => Partition(http, AskPolicy, s => (s.AskConcurrency, s.AskQueue)));
            // Rejections are answered by the one handler of RequestLimits, which calls RejectAsync for these policies.
        });
        return services;
    }

    /// <summary>One limiter per policy for the whole host (a constant partition key), sized when first used.</summary>
    private static RateLimitPartition<string> Partition(HttpContext http, string policy, Func<LoadSheddingOptions, (int Concurrency, int Queue)> size) =>
        RateLimitPartition.GetConcurrencyLimiter(policy, _ =>
        {
            var (concurrency, queue) = size(http.RequestServices.GetRequiredService<IOptions<LoadSheddingOptions>>().Value);
            return new ConcurrencyLimiterOptions { PermitLimit = concurrency, QueueLimit = queue, QueueProcessingOrder = QueueProcessingOrder.OldestFirst };
        });

    /// <summary>503 with Retry-After and a problem naming the limit; counted in <c>rag.http.requests.shed</c>.</summary>
    internal static async ValueTask RejectAsync(OnRejectedContext context, CancellationToken ct)
    {
        var http = context.HttpContext;
        var settings = http.RequestServices.GetRequiredService<IOptions<LoadSheddingOptions>>().Value;
        var policy = http.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName ?? "unknown";
        Shed.Add(1, new KeyValuePair<string, object?>("policy", policy));
        http.Response.Headers.RetryAfter = settings.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        var problem = Problems.Create(
            StatusCodes.Status503ServiceUnavailable,
            "Too many concurrent requests",
            $"Every {policy} slot and queue place is taken (LoadShedding settings); retry after {settings.RetryAfterSeconds} s.");
        await TypedResults.Problem(problem).ExecuteAsync(http);
    }
}
