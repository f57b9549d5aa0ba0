using Microsoft.ML.Tokenizers;

namespace RagService.Models.Tokenization;

/// <summary>
/// SentencePiece encoding (Unigram or BPE models, read by <c>Microsoft.ML.Tokenizers</c>) with XLM-RoBERTa's ids,
/// which every SentencePiece model in the registry uses (multilingual-e5, bge-m3, bge-reranker-v2-m3): the
/// fairseq dictionary puts &lt;s&gt; 0, &lt;pad&gt; 1, &lt;/s&gt; 2 and &lt;unk&gt; 3 first, so a SentencePiece id
/// <c>i</c> becomes <c>i + 1</c>, and SentencePiece's own unknown (0) becomes 3. A sequence is &lt;s&gt; pieces
/// &lt;/s&gt;, truncated to the first <c>maxTokens - 1</c> ids and &lt;/s&gt;, as Hugging Face truncates.
/// </summary>
public sealed class SentencePieceEncoder : ITokenEncoder
{
    public const long BeginId = 0;
    public const long PadId = 1;
    public const long EndId = 2;
    public const long UnknownId = 3;

    /// <summary>The fairseq dictionary's four leading entries shift every SentencePiece id by one.</summary>
    public const int FairseqOffset = 1;

    private readonly SentencePieceTokenizer _tokenizer;
    private readonly int _pieceUnknownId;

    /// <param name="modelPath">A SentencePiece model file (<c>sentencepiece.bpe.model</c>).</param>
    public SentencePieceEncoder(string modelPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        using var stream = File.OpenRead(modelPath);
        try
        {
            _tokenizer = SentencePieceTokenizer.Create(stream, addBeginningOfSentence: false, addEndOfSentence: false);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or NotSupportedException or InvalidDataException)
        {
            throw new InvalidDataException($"'{modelPath}' is not a SentencePiece model this service can read: {e.Message}", e);
        }

        _pieceUnknownId = _tokenizer.UnknownId;
    }

    public long PaddingId => PadId;

    /// <summary>The SentencePiece pieces of a text (for tests and diagnostics), without special tokens.</summary>
    public IReadOnlyList<string> Pieces(string text) =>
        _tokenizer.EncodeToTokens(text, out _, addBeginningOfSentence: false, addEndOfSentence: false).Select(t => t.Value).ToList();

    public int CountTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return _tokenizer.EncodeToIds(text, addBeginningOfSentence: false, addEndOfSentence: false).Count + 2;
    }

    public long[] Encode(string text, int maxTokens)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 2);
        var pieces = _tokenizer.EncodeToIds(text, addBeginningOfSentence: false, addEndOfSentence: false);
        var body = Math.Min(pieces.Count, maxTokens - 2);
        var ids = new long[body + 2];
        ids[0] = BeginId;
        for (var i = 0; i < body; i++)
        {
            ids[i + 1] = pieces[i] == _pieceUnknownId ? UnknownId : pieces[i] + FairseqOffset;
        }

        ids[^1] = EndId;
        return ids;
    }
}
