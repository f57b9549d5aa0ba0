using System.Diagnostics.Metrics;

namespace RagService.Generation.Llm;

/// <summary>
/// LLM calls, their tokens and their failures, by model: what an operator watches for cost and for a
/// provider that starts refusing (a failure is a call that ended in an error or a timeout after the
/// HTTP client's retries). The host subscribes to <see cref="Name"/>.
/// </summary>
public static class LlmTelemetry
{
    public const string Name = "RagService.Generation";
    public const string Calls = "rag.llm.calls";
    public const string Tokens = "rag.llm.tokens";
    public const string Failures = "rag.llm.failures";
    public const string Duration = "rag.llm.duration";

    private static readonly Meter Meter = new(Name);
    private static readonly Counter<long> CallCount = Meter.CreateCounter<long>(Calls, "{call}", "LLM chat completions attempted");
    private static readonly Counter<long> TokenCount = Meter.CreateCounter<long>(Tokens, "{token}", "Tokens reported by the LLM, by kind (input or output)");
    private static readonly Counter<long> FailureCount = Meter.CreateCounter<long>(Failures, "{call}", "LLM calls that failed or timed out, by reason");
    private static readonly Histogram<double> CallMs = Meter.CreateHistogram<double>(Duration, "ms", "Time one LLM call took, retries included");

    internal static void Call(string model, TimeSpan elapsed)
    {
        CallCount.Add(1, new KeyValuePair<string, object?>("model", model));
        CallMs.Record(elapsed.TotalMilliseconds, new KeyValuePair<string, object?>("model", model));
    }

    internal static void Used(string model, long input, long output)
    {
        TokenCount.Add(input, new KeyValuePair<string, object?>("model", model), new KeyValuePair<string, object?>("kind", "input"));
        TokenCount.Add(output, new KeyValuePair<string, object?>("model", model), new KeyValuePair<string, object?>("kind", "output"));
    }

    internal static void Failed(string model, string reason) =>
        FailureCount.Add(1, new KeyValuePair<string, object?>("model", model), new KeyValuePair<string, object?>("reason", reason));
}
