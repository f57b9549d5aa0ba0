using RagService.Core.Chunks;

namespace RagService.Core.Models;

public enum EmbeddingPurpose
{
    Query,
    Document,
}

/// <summary>
/// A sentence-embedding model. Vectors are L2-normalised, so a dot product is the cosine.
/// Implementations batch internally and never see more than <see cref="MaxTokens"/> tokens per text.
/// </summary>
public interface IEmbeddingModel : ITokenCounter
{
    /// <summary>Registry name, e.g. "minilm" or "arctic-xs".</summary>
    string Name { get; }

    int Dimensions { get; }

    /// <summary>The maximum sequence length fed to the model (longer texts are truncated).</summary>
    int MaxTokens { get; }

    /// <summary>The languages the model was trained on; legs and stages skip or down-weight it for others.</summary>
    LanguageCoverage Languages { get; }

    Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, EmbeddingPurpose purpose, CancellationToken cancellationToken);
}

/// <summary>Scores (query, passage) pairs; higher is more relevant.</summary>
public interface IReranker
{
    string Name { get; }

    /// <summary>The languages the reranker was trained on; the rerank stage skips queries in others.</summary>
    LanguageCoverage Languages { get; }

    Task<float[]> ScoreAsync(string query, IReadOnlyList<string> passages, CancellationToken cancellationToken);
}
