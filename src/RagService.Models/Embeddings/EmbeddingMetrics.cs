using System.Diagnostics.Metrics;
using RagService.Core.Models;

namespace RagService.Models.Embeddings;

/// <summary>
/// Where an embedding call spends its time, per model and purpose: the cache lookup, the model's
/// inference on the misses, and the cache write. Novel queries pay all three on the request path, so
/// these histograms are what a latency investigation reads (eval/latency's novel-query mode listens to them).
/// </summary>
public static class EmbeddingMetrics
{
    public const string MeterName = "RagService.Models.Embeddings";
    public const string CacheLookup = "rag.embedding.cache.lookup.duration";
    public const string Inference = "rag.embedding.inference.duration";
    public const string CacheWrite = "rag.embedding.cache.write.duration";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Histogram<double> LookupMs = Meter.CreateHistogram<double>(CacheLookup, "ms", "Embedding cache lookup per call");
    private static readonly Histogram<double> InferenceMs = Meter.CreateHistogram<double>(Inference, "ms", "Model inference on the cache misses of one call");
    private static readonly Histogram<double> WriteMs = Meter.CreateHistogram<double>(CacheWrite, "ms", "Embedding cache write per call");

    internal static void RecordLookup(double ms, string model, EmbeddingPurpose purpose) => LookupMs.Record(ms, Tags(model, purpose));

    internal static void RecordInference(double ms, string model, EmbeddingPurpose purpose) => InferenceMs.Record(ms, Tags(model, purpose));

    internal static void RecordWrite(double ms, string model, EmbeddingPurpose purpose) => WriteMs.Record(ms, Tags(model, purpose));

    private static KeyValuePair<string, object?>[] Tags(string model, EmbeddingPurpose purpose) =>
        [new("model", model), new("purpose", purpose == EmbeddingPurpose.Query ? "query" : "document")];
}
