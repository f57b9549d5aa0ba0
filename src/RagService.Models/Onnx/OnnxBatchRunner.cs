using System.Runtime.ExceptionServices;
using Microsoft.ML.OnnxRuntime;

namespace RagService.Models.Onnx;

/// <summary>
/// Runs a BERT-style ONNX model over many inputs: encodes them, sorts them by length so that a short
/// input never pays for the longest one in the request, pads each batch, builds the int64
/// <c>input_ids</c>, <c>attention_mask</c> and (when the model has it) <c>token_type_ids</c> tensors,
/// runs the batches and hands each batch's output to the model's reader, then returns the results in
/// the inputs' order. One session serves every caller (ONNX Runtime's Run is thread-safe). Batches of
/// one call run in parallel, each on one intra-op thread, so a single short input takes one core and
/// two concurrent callers do not fight over the same ones.
/// </summary>
public sealed class OnnxBatchRunner : IDisposable
{
    public const string InputIds = "input_ids";
    public const string AttentionMask = "attention_mask";
    public const string TokenTypeIds = "token_type_ids";

    private readonly InferenceSession _session;
    private readonly ReaderWriterLockSlim _gate = new();
    private bool _disposed;

    /// <param name="onnxPath">The ONNX graph; it must take <c>input_ids</c> and <c>attention_mask</c>.</param>
    /// <param name="batchSize">Inputs per inference call.</param>
    /// <param name="intraOpThreads">ONNX Runtime threads per inference call; null: one.</param>
    /// <param name="parallelBatches">Batches of one call run at once; null: one per core.</param>
    /// <param name="paddingId">The id of the padding positions (masked out): 0 for BERT vocabularies, 1 for XLM-R's.</param>
    public OnnxBatchRunner(string onnxPath, int batchSize, int? intraOpThreads = null, int? parallelBatches = null, long paddingId = 0)
    {
        PaddingId = paddingId;
        ArgumentException.ThrowIfNullOrWhiteSpace(onnxPath);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (parallelBatches is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(parallelBatches), parallelBatches, "At least one batch must run.");
        }

        BatchSize = batchSize;
        ParallelBatches = parallelBatches ?? Environment.ProcessorCount;
        _session = OnnxSessions.Open(onnxPath, intraOpThreads);
        if (!HasInput(InputIds) || !HasInput(AttentionMask))
        {
            var inputs = string.Join(", ", _session.InputMetadata.Keys);
            _session.Dispose();
            throw new InvalidOperationException($"The model needs '{InputIds}' and '{AttentionMask}' inputs; it has: {inputs}.");
        }
    }

    public int BatchSize { get; }

    public long PaddingId { get; }

    public int ParallelBatches { get; }

    public IReadOnlyDictionary<string, NodeMetadata> Outputs => _session.OutputMetadata;

    public bool HasInput(string name) => _session.InputMetadata.ContainsKey(name);

    /// <summary>Encodes and runs <paramref name="items"/> off the caller's thread (inference is CPU-bound and synchronous).</summary>
    public Task<TResult[]> RunAsync<TItem, TResult>(
        IReadOnlyList<TItem> items, Func<TItem, EncodedSequence> encode, string output, BatchOutputReader<TResult> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        return items.Count == 0
            ? Task.FromResult(Array.Empty<TResult>())
            : Task.Run(() => Run(items, encode, output, read, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// Encodes, batches and runs <paramref name="items"/>; result <c>i</c> belongs to item <c>i</c>.
    /// Cancellation is honoured before each batch.
    /// </summary>
    public TResult[] Run<TItem, TResult>(
        IReadOnlyList<TItem> items, Func<TItem, EncodedSequence> encode, string output, BatchOutputReader<TResult> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(encode);
        ArgumentException.ThrowIfNullOrWhiteSpace(output);
        ArgumentNullException.ThrowIfNull(read);
        _gate.EnterReadLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var encoded = items.Select(encode).ToArray();
            var order = Enumerable.Range(0, encoded.Length).OrderBy(i => encoded[i].Length).ToArray();
            var results = new TResult[encoded.Length];
            var batches = (order.Length + BatchSize - 1) / BatchSize;

            void RunBatch(int b)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var rows = order.AsSpan(b * BatchSize, Math.Min(BatchSize, order.Length - (b * BatchSize))).ToArray();
                var batchResults = RunPadded(rows.Select(i => encoded[i]).ToArray(), output, read);
                for (var j = 0; j < rows.Length; j++)
                {
                    results[rows[j]] = batchResults[j];
                }
            }

            if (batches == 1 || ParallelBatches == 1)
            {
                for (var b = 0; b < batches; b++)
                {
                    RunBatch(b);
                }
            }
            else
            {
                RunInParallel(batches, RunBatch, cancellationToken);
            }

            return results;
        }
        finally
        {
            _gate.ExitReadLock();
        }
    }

    /// <summary>
    /// Waits for inference calls already running (a host shutting down can dispose a model while a
    /// background embedding is inside ONNX Runtime, which would free native memory under it); later calls
    /// fail with <see cref="ObjectDisposedException"/>.
    /// </summary>
    public void Dispose()
    {
        _gate.EnterWriteLock();
        try
        {
            if (!_disposed)
            {
                _disposed = true;
                _session.Dispose();
            }
        }
        finally
        {
            _gate.ExitWriteLock();
        }
    }

    private void RunInParallel(int batches, Action<int> runBatch, CancellationToken cancellationToken)
    {
        try
        {
            Parallel.For(0, batches, new ParallelOptions { MaxDegreeOfParallelism = ParallelBatches, CancellationToken = cancellationToken }, runBatch);
        }
        catch (AggregateException error) when (error.InnerExceptions.Count == 1)
        {
            // Callers see the batch's own error (a cancellation, an ONNX Runtime failure), as in the serial path.
            ExceptionDispatchInfo.Capture(error.InnerExceptions[0]).Throw();
        }
    }

    private TResult[] RunPadded<TResult>(EncodedSequence[] batch, string output, BatchOutputReader<TResult> read)
    {
        var rows = batch.Length;
        var length = batch.Max(s => s.Length);
        var ids = new long[rows * length];
        if (PaddingId != 0)
        {
            ids.AsSpan().Fill(PaddingId);
        }

        var mask = new long[rows * length];
        var types = new long[rows * length];
        for (var r = 0; r < rows; r++)
        {
            batch[r].Ids.CopyTo(ids, r * length);
            batch[r].TokenTypes?.CopyTo(types, r * length);
            mask.AsSpan(r * length, batch[r].Length).Fill(1);
        }

        long[] shape = [rows, length];
        var names = new List<string>(3) { InputIds, AttentionMask };
        var values = new List<OrtValue>(3)
        {
            OrtValue.CreateTensorValueFromMemory(ids, shape),
            OrtValue.CreateTensorValueFromMemory(mask, shape),
        };
        if (HasInput(TokenTypeIds))
        {
            names.Add(TokenTypeIds);
            values.Add(OrtValue.CreateTensorValueFromMemory(types, shape));
        }

        try
        {
            using var runOptions = new RunOptions();
            using var outputs = _session.Run(runOptions, names, values, [output]);
            return read(outputs[0].GetTensorDataAsSpan<float>(), new PaddedBatch(rows, length, batch.Select(s => s.Length).ToArray()));
        }
        finally
        {
            foreach (var value in values)
            {
                value.Dispose();
            }
        }
    }
}
