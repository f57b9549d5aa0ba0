using RagService.Models.Registry;

namespace RagService.Models.Embeddings;

/// <summary>Which embedding model runs and how; bound from configuration and reported with every eval result.</summary>
public sealed record EmbeddingOptions
{
    /// <summary>Registry name ("minilm", "arctic-xs"), or any name for a model given by <see cref="ModelDirectory"/>.</summary>
    public string Model { get; init; } = "minilm";

    /// <summary>Sequence limit including [CLS]/[SEP]; null uses the model's default (256 minilm, 512 arctic-xs).</summary>
    public int? MaxTokens { get; init; }

    public int BatchSize { get; init; } = 16;

    /// <summary>Folder of the SQLite embedding cache (<c>embeddings.db</c>); null disables caching.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>
    /// A folder with a user-supplied <c>model.onnx</c> and <c>vocab.txt</c> or <c>sentencepiece.bpe.model</c> (any
    /// BERT- or XLM-R-style model with a <c>last_hidden_state</c> output). Null uses the packaged model extracted into the model cache.
    /// </summary>
    public string? ModelDirectory { get; init; }

    /// <summary>Pooling for a model given by directory whose name is not in the registry; defaults to mean.</summary>
    public PoolingKind? Pooling { get; init; }

    /// <summary>Query prefix for a model given by directory whose name is not in the registry.</summary>
    public string? QueryPrefix { get; init; }

    /// <summary>Document prefix for a model given by directory whose name is not in the registry ("passage: " for e5 models).</summary>
    public string? DocumentPrefix { get; init; }

    /// <summary>
    /// The tokenizer of a model given by directory whose name is not in the registry; null: SentencePiece when the
    /// folder holds <c>sentencepiece.bpe.model</c> and no <c>vocab.txt</c>, else word pieces.
    /// </summary>
    public TokenizerKind? Tokenizer { get; init; }

    /// <summary>
    /// Language codes a model given by directory covers ("en", "zh", "*" for all) when its name is not in the
    /// registry; null: all, since a user who brings a model chose it for the corpus's languages.
    /// </summary>
    public IReadOnlyList<string>? Languages { get; init; }

    /// <summary>Model cache root for extracted packaged models; null means <c>$RAG_MODEL_CACHE</c> or <c>~/.cache/ragservice/models</c>.</summary>
    public string? ModelCacheRoot { get; init; }
}
