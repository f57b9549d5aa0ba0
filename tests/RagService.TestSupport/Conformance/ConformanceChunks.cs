using RagService.Core.Chunks;

namespace RagService.TestSupport.Conformance;

/// <summary>Chunks with deterministic ids, as ingestion makes them, for the conformance suites.</summary>
public static class ConformanceChunks
{
    public const string Index = "conformance";

    public static string Id(string documentId, int version, int ordinal) => ChunkIdentity.Create(Index, documentId, version, ordinal);

    public static Chunk Make(
        string documentId,
        int version,
        int ordinal,
        string text,
        IReadOnlyDictionary<string, string>? tags = null,
        IReadOnlyList<string>? section = null,
        DateTimeOffset? date = null) => new()
        {
            Id = Id(documentId, version, ordinal),
            DocumentId = documentId,
            DocumentVersion = version,
            Ordinal = ordinal,
            Text = text,
            IndexText = text,
            ContentHash = ChunkIdentity.ContentHash(text),
            Tags = tags ?? new Dictionary<string, string>(),
            SectionPath = section ?? [],
            DocumentDate = date,
        };
}
