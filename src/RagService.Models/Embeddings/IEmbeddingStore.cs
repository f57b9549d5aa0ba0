using RagService.Core.Models;

namespace RagService.Models.Embeddings;

/// <summary>Where <see cref="CachedEmbeddingModel"/> keeps vectors, keyed by purpose and the SHA-256 of the text (the model is the store's).</summary>
internal interface IEmbeddingStore
{
    /// <summary>The stored vectors among <paramref name="hashes"/>, by upper-case hex of the hash.</summary>
    Task<Dictionary<string, float[]>> LookupAsync(IReadOnlyList<byte[]> hashes, EmbeddingPurpose purpose, CancellationToken cancellationToken);

    Task StoreAsync(IReadOnlyList<byte[]> hashes, IReadOnlyList<float[]> vectors, EmbeddingPurpose purpose, CancellationToken cancellationToken);
}
