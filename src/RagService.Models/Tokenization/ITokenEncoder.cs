using RagService.Models.Registry;

namespace RagService.Models.Tokenization;

/// <summary>
/// Text to the ids a model reads: the sequence starts with the model's first special token ([CLS] or &lt;s&gt;)
/// and ends with its last ([SEP] or &lt;/s&gt;), and is cut to a length limit we enforce ourselves.
/// </summary>
public interface ITokenEncoder
{
    /// <summary>The id that fills a padded batch's unused positions ([PAD] 0 for BERT, &lt;pad&gt; 1 for XLM-R).</summary>
    long PaddingId { get; }

    /// <summary>Number of tokens the model would see without truncation, special tokens included.</summary>
    int CountTokens(string text);

    /// <summary>Token ids with the special tokens at both ends, never longer than <paramref name="maxTokens"/>.</summary>
    long[] Encode(string text, int maxTokens);
}

/// <summary>Opens the encoder of a tokenizer kind from its file.</summary>
public static class TokenEncoders
{
    /// <param name="kind">Word pieces or SentencePiece.</param>
    /// <param name="path"><c>vocab.txt</c> or <c>sentencepiece.bpe.model</c>.</param>
    /// <param name="lowerCase">Lower-case before word-piece lookup (uncased BERT vocabularies); SentencePiece models normalise themselves.</param>
    public static ITokenEncoder Open(TokenizerKind kind, string path, bool lowerCase) => kind switch
    {
        TokenizerKind.SentencePiece => new SentencePieceEncoder(path),
        _ => new WordPieceEncoder(path, lowerCase),
    };
}
