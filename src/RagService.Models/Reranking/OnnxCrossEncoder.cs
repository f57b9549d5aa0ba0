using System.Text.Json;
using RagService.Core.Models;
using RagService.Models.Onnx;
using RagService.Models.Registry;
using RagService.Models.Tokenization;

namespace RagService.Models.Reranking;

/// <summary>
/// Runs any Hugging Face cross-encoder exported to ONNX (BERT, MiniLM, ELECTRA or XLM-R style inputs)
/// on (query, passage) pairs. The head may emit one logit (relevance) or two (not relevant, relevant):
/// the score is the logit, or the relevant-minus-not-relevant margin, which orders pairs as the
/// softmax probability does. Pairs are truncated so the query survives: the passage loses tokens first.
/// Pairs are batched by <see cref="OnnxBatchRunner"/>; cancellation is honoured between batches, which is
/// how the retriever's latency budget stops it.
/// </summary>
public sealed class OnnxCrossEncoder : IReranker, IDisposable
{
    private readonly OnnxBatchRunner _runner;
    private readonly ITokenEncoder _encoder;
    private readonly CrossEncoderOptions _options;
    private readonly bool _robertaLayout;
    private readonly string _output;

    /// <param name="onnxPath">The ONNX graph.</param>
    /// <param name="vocabularyPath">Its tokenizer: a word-piece <c>vocab.txt</c>, or a SentencePiece model (<c>sentencepiece.bpe.model</c>, XLM-R ids).</param>
    /// <param name="options">How pairs are built and the output read.</param>
    public OnnxCrossEncoder(string onnxPath, string vocabularyPath, CrossEncoderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(onnxPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(vocabularyPath);
        _options = options ?? new CrossEncoderOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxLength, 4);
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxQueryTokens, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.BatchSize, 1);
        Languages = new LanguageCoverage(_options.Languages);
        var kind = string.Equals(Path.GetFileName(vocabularyPath), ModelFiles.SentencePieceFileName, StringComparison.OrdinalIgnoreCase)
            || vocabularyPath.EndsWith(".model", StringComparison.OrdinalIgnoreCase)
            ? TokenizerKind.SentencePiece
            : TokenizerKind.WordPiece;
        _encoder = TokenEncoders.Open(kind, vocabularyPath, _options.LowerCase);
        _runner = new OnnxBatchRunner(onnxPath, _options.BatchSize, _options.IntraOpThreads, paddingId: _encoder.PaddingId);
        var hasTokenTypes = _runner.HasInput(OnnxBatchRunner.TokenTypeIds);
        _robertaLayout = (_options.PairLayout ?? (hasTokenTypes ? "bert" : "roberta")).Equals("roberta", StringComparison.OrdinalIgnoreCase);
        _output = _runner.Outputs.ContainsKey("logits") ? "logits" : _runner.Outputs.Keys.First();
    }

    public string Name => _options.Name;

    public LanguageCoverage Languages { get; }

    /// <summary>
    /// Opens a downloaded model folder: <c>model.onnx</c> (or <c>onnx/model.onnx</c>), its tokenizer (<c>vocab.txt</c>, or
    /// <c>sentencepiece.bpe.model</c> for an XLM-R cross-encoder such as bge-reranker-v2-m3), and an optional
    /// <c>cross-encoder.json</c> holding <see cref="CrossEncoderOptions"/>.
    /// </summary>
    public static OnnxCrossEncoder FromFolder(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var onnx = new[] { "model.onnx", Path.Combine("onnx", "model.onnx") }.Select(f => Path.Combine(folder, f)).FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"No model.onnx in '{folder}'.");
        var vocab = Path.Combine(folder, ModelFiles.TokenizerFileName(ModelFiles.DetectTokenizer(folder)));
        if (!File.Exists(vocab))
        {
            throw new FileNotFoundException($"No {ModelFiles.VocabularyFileName} or {ModelFiles.SentencePieceFileName} in '{folder}'.", vocab);
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
        return _runner.RunAsync(passages, p => Pair(query, p ?? string.Empty), _output, ReadScores, cancellationToken);
    }

    /// <inheritdoc cref="OnnxBatchRunner.Dispose"/>
    public void Dispose() => _runner.Dispose();

    private EncodedSequence Pair(string query, string passage)
    {
        var (ids, types) = EncodePair(query, passage);
        return new EncodedSequence(ids, types);
    }

    private static float[] ReadScores(ReadOnlySpan<float> logits, PaddedBatch batch)
    {
        var width = logits.Length / batch.Rows;
        var scores = new float[batch.Rows];
        for (var r = 0; r < batch.Rows; r++)
        {
            // One logit: relevance. Two: [not relevant, relevant]; their difference is the log-odds.
            scores[r] = width == 1 ? logits[r] : logits[(r * width) + width - 1] - logits[r * width];
        }

        return scores;
    }

    /// <summary>The encoder's [CLS]/[SEP] (or &lt;s&gt;/&lt;/s&gt;) ids, read from an encoding of the text.</summary>
    private (long Cls, long Sep) SpecialIds(string text)
    {
        var encoded = _encoder.Encode(text.Length == 0 ? "a" : text, 2);
        return (encoded[0], encoded[^1]);
    }

    private static long[] Body(long[] encoded) => encoded.Length <= 2 ? [] : encoded[1..^1];
}
