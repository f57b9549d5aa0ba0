using RagService.Core.Models;
using RagService.Models.Onnx;
using RagService.Models.Registry;
using RagService.Models.Tokenization;

namespace RagService.Models.Embeddings;

/// <summary>
/// Runs a BERT-style (or XLM-RoBERTa-style) sentence-embedding model exported to ONNX: the tokenizer the
/// definition names (word pieces or SentencePiece), the prefixes and the token limit are applied here, the batching is <see cref="OnnxBatchRunner"/>'s, and each row of
/// <c>last_hidden_state</c> is pooled (mean or [CLS], as the model was trained) and L2-normalised.
/// </summary>
public sealed class OnnxEmbeddingModel : IEmbeddingModel, IDisposable
{
    private const string LastHiddenState = "last_hidden_state";

    private readonly ModelDefinition _definition;
    private readonly OnnxBatchRunner _runner;
    private readonly ITokenEncoder _encoder;

    /// <param name="definition">Pooling, prefixes and defaults of the model.</param>
    /// <param name="files">The ONNX graph and its vocabulary.</param>
    /// <param name="maxTokens">Sequence limit including [CLS] and [SEP]; null uses the definition's default.</param>
    /// <param name="batchSize">Texts per inference call.</param>
    /// <param name="intraOpThreads">ONNX Runtime threads per inference call; null: one (batches of a call run in parallel instead).</param>
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
        _encoder = TokenEncoders.Open(definition.Tokenizer, files.VocabularyPath, definition.LowerCase);
        _runner = new OnnxBatchRunner(files.OnnxPath, batchSize, intraOpThreads, paddingId: _encoder.PaddingId);
        if (!_runner.Outputs.TryGetValue(LastHiddenState, out var output))
        {
            var outputs = string.Join(", ", _runner.Outputs.Keys);
            _runner.Dispose();
            throw new InvalidOperationException($"The model has no '{LastHiddenState}' output; outputs: {outputs}.");
        }

        var width = output.Dimensions[^1];
        Dimensions = width > 0 ? width : definition.Dimensions;
    }

    public string Name => _definition.Name;

    public int Dimensions { get; }

    public int MaxTokens { get; }

    public int BatchSize { get; }

    public LanguageCoverage Languages => _definition.Languages;

    public ModelDefinition Definition => _definition;

    public int CountTokens(string text) => _encoder.CountTokens(text);

    /// <summary>The ids the model will see for a text: prefix applied, truncated to <see cref="MaxTokens"/>.</summary>
    public long[] Tokenize(string text, EmbeddingPurpose purpose) => _encoder.Encode(ApplyPrefix(text, purpose), MaxTokens);

    public Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, EmbeddingPurpose purpose, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(texts);
        return _runner.RunAsync(texts, t => new EncodedSequence(Tokenize(t ?? string.Empty, purpose)), LastHiddenState, PoolBatch, cancellationToken);
    }

    /// <inheritdoc cref="OnnxBatchRunner.Dispose"/>
    public void Dispose() => _runner.Dispose();

    private float[][] PoolBatch(ReadOnlySpan<float> hidden, PaddedBatch batch)
    {
        var width = hidden.Length / (batch.Rows * batch.Length);
        var vectors = new float[batch.Rows][];
        for (var r = 0; r < batch.Rows; r++)
        {
            vectors[r] = Pool(hidden.Slice(r * batch.Length * width, batch.Length * width), batch.TokenCounts[r], width);
        }

        return vectors;
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
