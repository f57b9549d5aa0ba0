using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace RagService.Retrieval.Pipeline;

/// <summary>
/// The search pipeline's traces and metrics: one span per stage run (<c>search.stage</c>) and a latency
/// histogram per stage, so a slow search shows which stage spent the time without asking for a trace.
/// The host subscribes to <see cref="Name"/> (OpenTelemetry); without a listener both cost nothing.
/// </summary>
public static class SearchTelemetry
{
    public const string Name = "RagService.Retrieval";
    public const string StageDuration = "rag.search.stage.duration";

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);
    private static readonly Histogram<double> StageMs = Meter.CreateHistogram<double>(StageDuration, "ms", "Time one search stage took");

    /// <summary>A span for one stage; null when nobody listens.</summary>
    internal static Activity? StartStage(string stage)
    {
        var activity = Source.StartActivity("search.stage " + stage);
        activity?.SetTag("rag.stage", stage);
        return activity;
    }

    internal static void RecordStage(Activity? activity, string stage, bool applied, TimeSpan elapsed)
    {
        activity?.SetTag("rag.stage.applied", applied);
        StageMs.Record(elapsed.TotalMilliseconds, new KeyValuePair<string, object?>("stage", stage), new KeyValuePair<string, object?>("applied", applied));
    }
}
