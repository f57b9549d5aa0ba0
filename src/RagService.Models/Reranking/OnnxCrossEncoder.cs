using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using RagService.Core.Models;
using RagService.Models.Tokenization;

namespace RagService.Models.Reranking;

/// <summary>
/// Runs any Hugging Face cross-encoder exported to ONNX (BERT, MiniLM, ELECTRA or XLM-R style inputs)
/// on (query, passage) pairs. The head may emit one logit (relevance) or two (not relevant, relevant):
/// the score is the logit, or the relevant-minus-not-relevant margin, which orders pairs as the
/// softmax probability does. Pairs are truncated so the query survives: the passage loses tokens first.
/// Pairs are sorted by length and batched; cancellation is honoured between batches, which is how the
/// retriever's latency budget stops it.
/// </summary>
public sealed class OnnxCrossEncoder : IReranker, IDisposable
{
    private const string InputIds = "input_ids";
    private const string AttentionMask = "attention_mask";
    private const string TokenTypeIds = "token_type_ids";

    private readonly InferenceSession _session;
    private readonly WordPieceEncoder _encoder;
    private readonly CrossEncoderOptions _options;
    private readonly bool _hasTokenTypes;
    private readonly bool _robertaLayout;
    private readonly string _output;

    public OnnxCrossEncoder(string onnxPath, string vocabularyPath, CrossEncoderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(onnxPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(vocabularyPath);
        _options = options ?? new CrossEncoderOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxLength, 4);
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxQueryTokens, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.BatchSize, 1);
        _encoder = new WordPieceEncoder(vocabularyPath, _options.LowerCase);
        _session = OnnxSessions.Open(onnxPath, _options.IntraOpThreads);
        if (!_session.InputMetadata.ContainsKey(InputIds) || !_session.InputMetadata.ContainsKey(AttentionMask))
        {
            var inputs = string.Join(", ", _session.InputMetadata.Keys);
            _session.Dispose();
            throw new InvalidOperationException($"A cross-encoder needs '{InputIds}' and '{AttentionMask}' inputs; the model has: {inputs}.");
        }

        _hasTokenTypes = _session.InputMetadata.ContainsKey(TokenTypeIds);
        _robertaLayout = (_options.PairLayout ?? (_hasTokenTypes ? "bert" : "roberta")).Equals("roberta", StringComparison.OrdinalIgnoreCase);
        _output = _session.OutputMetadata.ContainsKey("logits") ? "logits" : _session.OutputMetadata.Keys.First();
    }

    public string Name => _options.Name;

    /// <summary>
    /// Opens a downloaded model folder: <c>model.onnx</c> (or <c>onnx/model.onnx</c>), <c>vocab.txt</c>, and an optional
    /// <c>cross-encoder.json</c> holding <see cref="CrossEncoderOptions"/>.
    /// </summary>
    public static OnnxCrossEncoder FromFolder(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var onnx = new[] { "model.onnx", Path.Combine("onnx", "model.onnx") }.Select(f => Path.Combine(folder, f)).FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"No model.onnx in '{folder}'.");
        var vocab = Path.Combine(folder, "vocab.txt");
        if (!File.Exists(vocab))
        {
            throw new FileNotFoundException($"No vocab.txt in '{folder}' (only word-piece vocabularies are supported).", vocab);
        }

        var settings = Path.Combine(folder, "cross-encoder.json");
        var options = File.Exists(settings)
            ? JsonSerializer.Deserialize<CrossEncoderOptions>(File.ReadAllText(settings), new JsonSerializerOptions(JsonSerializerDefaults.Web)) ?? new CrossEncoderOptions()
            : new CrossEncoderOptions();
        if (options.Name == "cross-encoder")
        {
            options = options with { Name = Path.GetFileName(Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar)) };
        }

        return new OnnxCrossEncoder(onnx, vocab, options);
    }

    /// <summary>
    /// The ids, token types and length of one pair: the query keeps up to <see cref="CrossEncoderOptions.MaxQueryTokens"/>
    /// word pieces (all of them when the passage leaves room), the passage fills the rest of <see cref="CrossEncoderOptions.MaxLength"/>.
    /// </summary>
    public (long[] Ids, long[] TokenTypes) EncodePair(string query, string passage)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(passage);
        var specials = _robertaLayout ? 4 : 3;
        var q = Body(_encoder.Encode(query, int.MaxValue / 4));
        var p = Body(_encoder.Encode(passage, int.MaxValue / 4));
        var room = _options.MaxLength - specials;

        // The query is capped only as far as it must be; the passage yields first.
        var queryKeep = Math.Min(q.Length, Math.Max(_options.MaxQueryTokens, room - p.Length));
        queryKeep = Math.Min(queryKeep, room - 1);
        var passageKeep = Math.Min(p.Length, room - queryKeep);
        var (cls, sep) = SpecialIds(query);
        var ids = new List<long>(queryKeep + passageKeep + specials) { cls };
        ids.AddRange(q.AsSpan(0, queryKeep).ToArray());
        ids.Add(sep);
        if (_robertaLayout)
        {
            ids.Add(sep);
        }

        var firstSegment = ids.Count;
        ids.AddRange(p.AsSpan(0, passageKeep).ToArray());
        ids.Add(sep);
        var types = new long[ids.Count];
        if (!_robertaLayout)
        {
            types.AsSpan(firstSegment).Fill(1);
        }

        return (ids.ToArray(), types);
    }

    public Task<float[]> ScoreAsync(string query, IReadOnlyList<string> passages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(passages);
        if (passages.Count == 0)
        {
            return Task.FromResult(Array.Empty<float>());
        }

        return Task.Run(() => Score(query, passages, cancellationToken), cancellationToken);
    }

    public void Dispose() => _session.Dispose();

    private float[] Score(string query, IReadOnlyList<string> passages, CancellationToken cancellationToken)
    {
        var pairs = passages.Select(p => EncodePair(query, p ?? string.Empty)).ToArray();
        var order = Enumerable.Range(0, pairs.Length).OrderBy(i => pairs[i].Ids.Length).ToArray();
        var scores = new float[pairs.Length];
        for (var start = 0; start < order.Length; start += _options.BatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = order.AsSpan(start, Math.Min(_options.BatchSize, order.Length - start)).ToArray();
            var batchScores = RunBatch(batch.Select(i => pairs[i]).ToArray());
            for (var j = 0; j < batch.Length; j++)
            {
                scores[batch[j]] = batchScores[j];
            }
        }

        return scores;
    }

    private float[] RunBatch((long[] Ids, long[] TokenTypes)[] batch)
    {
        var rows = batch.Length;
        var length = batch.Max(p => p.Ids.Length);
        var ids = new long[rows * length];
        var mask = new long[rows * length];
        var types = new long[rows * length];
        for (var r = 0; r < rows; r++)
        {
            batch[r].Ids.CopyTo(ids, r * length);
            batch[r].TokenTypes.CopyTo(types, r * length);
            mask.AsSpan(r * length, batch[r].Ids.Length).Fill(1);
        }

        long[] shape = [rows, length];
        var names = new List<string> { InputIds, AttentionMask };
        var values = new List<OrtValue>
        {
            OrtValue.CreateTensorValueFromMemory(ids, shape),
            OrtValue.CreateTensorValueFromMemory(mask, shape),
        };
        if (_hasTokenTypes)
        {
            names.Add(TokenTypeIds);
            values.Add(OrtValue.CreateTensorValueFromMemory(types, shape));
        }

        try
        {
            using var runOptions = new RunOptions();
            using var outputs = _session.Run(runOptions, names, values, [_output]);
            var logits = outputs[0].GetTensorDataAsSpan<float>();
            var width = logits.Length / rows;
            var scores = new float[rows];
            for (var r = 0; r < rows; r++)
            {
                // One logit: relevance. Two: [not relevant, relevant]; their difference is the log-odds.
                scores[r] = width == 1 ? logits[r] : logits[(r * width) + width - 1] - logits[r * width];
            }

            return scores;
        }
        finally
        {
            foreach (var value in values)
            {
                value.Dispose();
            }
        }
    }

    /// <summary>The encoder's [CLS]/[SEP] (or &lt;s&gt;/&lt;/s&gt;) ids, read from an encoding of the text.</summary>
    private (long Cls, long Sep) SpecialIds(string text)
    {
        var encoded = _encoder.Encode(text.Length == 0 ? "a" : text, 2);
        return (encoded[0], encoded[^1]);
    }

    private static long[] Body(long[] encoded) => encoded.Length <= 2 ? [] : encoded[1..^1];
}
