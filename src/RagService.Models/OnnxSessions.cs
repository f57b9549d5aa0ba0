using Microsoft.ML.OnnxRuntime;

namespace RagService.Models;

/// <summary>
/// How every ONNX model of the service is opened: full graph optimisation and a bounded number of
/// intra-op threads (every core unless the caller limits it, so that concurrent callers can share a
/// machine without oversubscribing it).
/// </summary>
internal static class OnnxSessions
{
    public static InferenceSession Open(string onnxPath, int? intraOpThreads)
    {
        if (intraOpThreads is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(intraOpThreads), intraOpThreads, "ONNX Runtime needs at least one thread.");
        }

        using var options = new SessionOptions
        {
            IntraOpNumThreads = intraOpThreads ?? Environment.ProcessorCount,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        return new InferenceSession(onnxPath, options);
    }
}
