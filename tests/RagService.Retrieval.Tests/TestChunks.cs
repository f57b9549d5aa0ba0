using RagService.Core.Chunks;

namespace RagService.Retrieval.Tests;

internal static class TestChunks
{
    public static Chunk Create(string id, string documentId, string text, IReadOnlyDictionary<string, string>? tags = null) => new()
    {
        Id = id,
        DocumentId = documentId,
        DocumentVersion = 1,
        Ordinal = 0,
        Text = text,
        IndexText = text,
        ContentHash = ChunkIdentity.ContentHash(text),
        Tags = tags ?? new Dictionary<string, string>(),
    };
}
