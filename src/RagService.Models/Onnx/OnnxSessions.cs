using Microsoft.ML.OnnxRuntime;

namespace RagService.Models.Onnx;

/// <summary>
/// How every ONNX model of the service is opened: full graph optimisation and one intra-op thread by
/// default. The search path runs two models' query embeddings at once; with every core per call, two
/// single-query calls on 2 cores ran four spinning threads and each took 2–3 times as long (eval/latency
/// --novel-query-embedding, docs/benchmarks.md). Throughput on large inputs comes from running batches
/// in parallel instead (<see cref="OnnxBatchRunner"/>). The thread count does not change the vectors.
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
            IntraOpNumThreads = intraOpThreads ?? 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        return new InferenceSession(onnxPath, options);
    }
}
