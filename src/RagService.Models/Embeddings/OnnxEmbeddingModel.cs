using Microsoft.ML.OnnxRuntime;
using RagService.Core.Models;
using RagService.Models.Registry;
using RagService.Models.Tokenization;

namespace RagService.Models.Embeddings;

/// <summary>
/// Runs a BERT-style sentence-embedding model exported to ONNX. One <see cref="InferenceSession"/>
/// is shared by all callers (ONNX Runtime's Run is thread-safe); texts are sorted by length and padded
/// per batch so a short text never pays for the longest one in the request.
/// </summary>
public sealed class OnnxEmbeddingModel : IEmbeddingModel, IDisposable
{
    private const string InputIds = "input_ids";
    private const string AttentionMask = "attention_mask";
    private const string TokenTypeIds = "token_type_ids";
    private const string LastHiddenState = "last_hidden_state";

    private readonly ModelDefinition _definition;
    private readonly InferenceSession _session;
    private readonly WordPieceEncoder _encoder;
    private readonly bool _needsTokenTypes;
    private readonly string[] _outputNames = [LastHiddenState];
    private readonly ReaderWriterLockSlim _gate = new();
    private bool _disposed;

    /// <param name="definition">Pooling, prefixes and defaults of the model.</param>
    /// <param name="files">The ONNX graph and its vocabulary.</param>
    /// <param name="maxTokens">Sequence limit including [CLS] and [SEP]; null uses the definition's default.</param>
    /// <param name="batchSize">Texts per inference call.</param>
    /// <param name="intraOpThreads">ONNX Runtime threads per call; null uses every core.</param>
    public OnnxEmbeddingModel(ModelDefinition definition, ModelFiles files, int? maxTokens = null, int batchSize = 16, int? intraOpThreads = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(files);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        MaxTokens = maxTokens ?? definition.DefaultMaxTokens;
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxTokens, 2, nameof(maxTokens));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxTokens, definition.MaxPositions, nameof(maxTokens));
        BatchSize = batchSize;
        _definition = definition;
        _encoder = new WordPieceEncoder(files.VocabularyPath, definition.LowerCase);

        _session = OnnxSessions.Open(files.OnnxPath, intraOpThreads);

        if (!_session.OutputMetadata.TryGetValue(LastHiddenState, out var output))
        {
            _session.Dispose();
            throw new InvalidOperationException($"The model has no '{LastHiddenState}' output; outputs: {string.Join(", ", _session.OutputMetadata.Keys)}.");
        }

        _needsTokenTypes = _session.InputMetadata.ContainsKey(TokenTypeIds);
        var width = output.Dimensions[^1];
        Dimensions = width > 0 ? width : definition.Dimensions;
    }

    public string Name => _definition.Name;

    public int Dimensions { get; }

    public int MaxTokens { get; }

    public int BatchSize { get; }

    public ModelDefinition Definition => _definition;

    public int CountTokens(string text) => _encoder.CountTokens(text);

    /// <summary>The ids the model will see for a text: prefix applied, truncated to <see cref="MaxTokens"/>.</summary>
    public long[] Tokenize(string text, EmbeddingPurpose purpose) => _encoder.Encode(ApplyPrefix(text, purpose), MaxTokens);

    public Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, EmbeddingPurpose purpose, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (texts.Count == 0)
        {
            return Task.FromResult(Array.Empty<float[]>());
        }

        // Inference is CPU-bound and synchronous; keep it off the caller's (possibly request) thread.
        return Task.Run(() => Embed(texts, purpose, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// Waits for inference calls already running (a host shutting down can dispose the model while a
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

    private float[][] Embed(IReadOnlyList<string> texts, EmbeddingPurpose purpose, CancellationToken cancellationToken)
    {
        _gate.EnterReadLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return EmbedUnderGate(texts, purpose, cancellationToken);
        }
        finally
        {
            _gate.ExitReadLock();
        }
    }

    private float[][] EmbedUnderGate(IReadOnlyList<string> texts, EmbeddingPurpose purpose, CancellationToken cancellationToken)
    {
        var encoded = new long[texts.Count][];
        for (var i = 0; i < texts.Count; i++)
        {
            encoded[i] = Tokenize(texts[i] ?? string.Empty, purpose);
        }

        var order = Enumerable.Range(0, texts.Count).OrderBy(i => encoded[i].Length).ToArray();
        var result = new float[texts.Count][];
        for (var start = 0; start < order.Length; start += BatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = order.AsSpan(start, Math.Min(BatchSize, order.Length - start)).ToArray();
            var vectors = RunBatch(batch.Select(i => encoded[i]).ToArray());
            for (var j = 0; j < batch.Length; j++)
            {
                result[batch[j]] = vectors[j];
            }
        }

        return result;
    }

    private float[][] RunBatch(long[][] batch)
    {
        var rows = batch.Length;
        var length = batch.Max(ids => ids.Length);
        var ids = new long[rows * length];
        var mask = new long[rows * length];
        for (var r = 0; r < rows; r++)
        {
            batch[r].CopyTo(ids, r * length);
            mask.AsSpan(r * length, batch[r].Length).Fill(1);
        }

        long[] shape = [rows, length];
        var names = new List<string> { InputIds, AttentionMask };
        var values = new List<OrtValue>
        {
            OrtValue.CreateTensorValueFromMemory(ids, shape),
            OrtValue.CreateTensorValueFromMemory(mask, shape),
        };
        if (_needsTokenTypes)
        {
            names.Add(TokenTypeIds);
            values.Add(OrtValue.CreateTensorValueFromMemory(new long[rows * length], shape));
        }

        try
        {
            using var runOptions = new RunOptions();
            using var outputs = _session.Run(runOptions, names, values, _outputNames);
            var hidden = outputs[0].GetTensorDataAsSpan<float>();
            var width = hidden.Length / (rows * length);
            var vectors = new float[rows][];
            for (var r = 0; r < rows; r++)
            {
                vectors[r] = Pool(hidden.Slice(r * length * width, length * width), batch[r].Length, width);
            }

            return vectors;
        }
        finally
        {
            foreach (var value in values)
            {
                value.Dispose();
            }
        }
    }

    private float[] Pool(ReadOnlySpan<float> states, int tokens, int width)
    {
        var vector = new float[width];
        if (_definition.Pooling == PoolingKind.Cls)
        {
            states[..width].CopyTo(vector);
        }
        else
        {
            for (var t = 0; t < tokens; t++)
            {
                var row = states.Slice(t * width, width);
                for (var d = 0; d < width; d++)
                {
                    vector[d] += row[d];
                }
            }

            for (var d = 0; d < width; d++)
            {
                vector[d] /= tokens;
            }
        }

        var sumOfSquares = 0f;
        foreach (var x in vector)
        {
            sumOfSquares += x * x;
        }

        var norm = MathF.Sqrt(sumOfSquares);
        if (norm > 0)
        {
            for (var d = 0; d < width; d++)
            {
                vector[d] /= norm;
            }
        }

        return vector;
    }

    private string ApplyPrefix(string text, EmbeddingPurpose purpose) => purpose switch
    {
        EmbeddingPurpose.Query when _definition.QueryPrefix.Length > 0 => _definition.QueryPrefix + text,
        EmbeddingPurpose.Document when _definition.DocumentPrefix.Length > 0 => _definition.DocumentPrefix + text,
        _ => text,
    };
}
