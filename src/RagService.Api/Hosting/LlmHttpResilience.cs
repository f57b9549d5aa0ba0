using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using RagService.Generation.Llm;

namespace RagService.Api.Hosting;

/// <summary>
/// The LLM's HTTP client: the standard resilience pipeline (Microsoft.Extensions.Http.Resilience) sized from the
/// "Llm" section. A total timeout of <see cref="LlmOptions.Timeout"/>; retries with exponential backoff and jitter
/// on 408, 429 and 5xx (honouring Retry-After); a per-attempt timeout; and a circuit breaker that stops calling a
/// provider that fails half its calls, so answers fall back to extractive at once instead of waiting out each call.
/// </summary>
public static class LlmHttpResilience
{
    public const string ClientName = "llm";

    /// <summary>Calls seen before the breaker may open: a few failures in a quiet minute must not cut the LLM off.</summary>
    private const int BreakerMinimumThroughput = 10;

    public static IServiceCollection AddLlmHttpClient(this IServiceCollection services)
    {
        services.AddHttpClient(ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .AddStandardResilienceHandler()
            .Configure((HttpStandardResilienceOptions resilience, IServiceProvider sp) => Apply(sp.GetRequiredService<IOptions<LlmOptions>>().Value, resilience));
        return services;
    }

    internal static void Apply(LlmOptions options, HttpStandardResilienceOptions resilience)
    {
        resilience.TotalRequestTimeout.Timeout = options.Timeout;
        resilience.AttemptTimeout.Timeout = options.AttemptTimeout;
        resilience.Retry.MaxRetryAttempts = options.MaxRetries;
        resilience.Retry.Delay = options.RetryDelay;
        resilience.Retry.BackoffType = Polly.DelayBackoffType.Exponential;
        resilience.Retry.UseJitter = true;
        resilience.CircuitBreaker.FailureRatio = 0.5;
        resilience.CircuitBreaker.MinimumThroughput = BreakerMinimumThroughput;
        resilience.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(15);
        // The breaker's window must span at least two attempts (the library checks this).
        resilience.CircuitBreaker.SamplingDuration = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(30).Ticks, 2 * options.AttemptTimeout.Ticks));
    }
}
