using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace RagService.Ingestion.Telemetry;

/// <summary>
/// Ingestion's traces and metrics: a span and a duration measurement per step (parse, OCR page, chunk,
/// embed, write), documents finished by outcome, chunks embedded (the embedding throughput is its rate)
/// and OCR pages recognised. The host subscribes to <see cref="Name"/>; without a listener they cost nothing.
/// </summary>
public static class IngestionTelemetry
{
    public const string Name = "RagService.Ingestion";
    public const string StepDuration = "rag.ingestion.step.duration";
    public const string Documents = "rag.ingestion.documents";
    public const string ChunksEmbedded = "rag.embedding.chunks";
    public const string OcrPages = "rag.ocr.pages";

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);
    private static readonly Histogram<double> StepMs = Meter.CreateHistogram<double>(StepDuration, "ms", "Time one ingestion step took (per document for parse and chunk, per batch for embed and write, per page for OCR)");
    private static readonly Counter<long> DocumentCount = Meter.CreateCounter<long>(Documents, "{document}", "Documents whose ingestion finished, by outcome (ready or failed)");
    private static readonly Counter<long> EmbeddedCount = Meter.CreateCounter<long>(ChunksEmbedded, "{chunk}", "Chunk texts embedded at ingestion, by model");
    private static readonly Counter<long> OcrPageCount = Meter.CreateCounter<long>(OcrPages, "{page}", "Page images recognised by OCR");

    /// <summary>Starts a step: a span named after it now, and its duration recorded when disposed.</summary>
    public static StepScope Step(string step, string? index = null) => new(step, index);

    public static void DocumentsFinished(string index, string outcome, int count)
    {
        if (count > 0)
        {
            DocumentCount.Add(count, new KeyValuePair<string, object?>("index", index), new KeyValuePair<string, object?>("outcome", outcome));
        }
    }

    public static void Embedded(string model, int chunks) => EmbeddedCount.Add(chunks, new KeyValuePair<string, object?>("model", model));

    public static void OcrPage() => OcrPageCount.Add(1);

    /// <summary>One running step; <see cref="Activity"/> is null when nobody records traces.</summary>
    public readonly struct StepScope : IDisposable
    {
        private readonly string _step;
        private readonly long _started;

        internal StepScope(string step, string? index)
        {
            _step = step;
            _started = Stopwatch.GetTimestamp();
            Activity = Source.StartActivity(step);
            if (index is not null)
            {
                Activity?.SetTag("rag.index", index);
            }
        }

        public Activity? Activity { get; }

        /// <summary>Marks the span failed with the reason (the duration is still recorded).</summary>
        public void Fail(string reason) => Activity?.SetStatus(ActivityStatusCode.Error, reason);

        public void Dispose()
        {
            StepMs.Record(Stopwatch.GetElapsedTime(_started).TotalMilliseconds, new KeyValuePair<string, object?>("step", _step));
            Activity?.Dispose();
        }
    }
}
