using RagService.Core.Models;

namespace RagService.Models.Registry;

/// <summary>How token states are turned into one sentence vector; it must match how the model was trained.</summary>
public enum PoolingKind
{
    /// <summary>Average of the token states under the attention mask (sentence-transformers MiniLM).</summary>
    Mean,

    /// <summary>The state of the leading [CLS] token (Snowflake Arctic embed).</summary>
    Cls,
}

/// <summary>How a model's text becomes ids; it must be the tokenizer the model was trained with.</summary>
public enum TokenizerKind
{
    /// <summary>BERT word pieces from <c>vocab.txt</c> (MiniLM, Arctic, bge-small-zh's Chinese vocabulary).</summary>
    WordPiece,

    /// <summary>
    /// A SentencePiece model (<c>sentencepiece.bpe.model</c>, Unigram or BPE) with XLM-RoBERTa's ids: the
    /// multilingual models (multilingual-e5, bge-m3, bge-reranker-v2-m3).
    /// </summary>
    SentencePiece,
}

/// <summary>
/// Everything needed to run a BERT-style sentence-embedding model correctly: a wrong pooling or a
/// missing query prefix silently costs retrieval quality, so these facts live in one place.
/// </summary>
/// <param name="Name">Registry name used in options and as part of the embedding cache key.</param>
/// <param name="PackageKey">Suffix of the <c>ModelPackage:*</c> assembly metadata naming the NuGet folder that carries the weights; null for user-supplied models.</param>
/// <param name="Pooling">How token states become a sentence vector.</param>
/// <param name="Dimensions">Width of the output vectors.</param>
/// <param name="DefaultMaxTokens">Sequence length used when options do not set one.</param>
/// <param name="QueryPrefix">Prepended to queries only (asymmetric retrieval models are trained that way).</param>
/// <param name="DocumentPrefix">Prepended to documents only.</param>
/// <param name="LowerCase">Whether the vocabulary is uncased.</param>
/// <param name="MaxPositions">The model's position-embedding count; longer inputs make ONNX Runtime fail.</param>
public sealed record ModelDefinition(
    string Name,
    string? PackageKey,
    PoolingKind Pooling,
    int Dimensions,
    int DefaultMaxTokens,
    string QueryPrefix = "",
    string DocumentPrefix = "",
    bool LowerCase = true,
    int MaxPositions = 512)
{
    /// <summary>The languages the model was trained on; English unless the registry (or the user's options) says otherwise.</summary>
    public LanguageCoverage Languages { get; init; } = LanguageCoverage.English;

    /// <summary>The model's id on a Hugging Face–style hub, for <c>rag models pull</c>; null for bundled models.</summary>
    public string? HubId { get; init; }

    /// <summary>The tokenizer the model was trained with, and so the file its folder holds beside <c>model.onnx</c>.</summary>
    public TokenizerKind Tokenizer { get; init; } = TokenizerKind.WordPiece;
}
