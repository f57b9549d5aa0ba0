using RagService.Core.Chunks;
using RagService.Core.Documents;
using RagService.Core.Search;

namespace RagService.Generation.Tests;

internal static class TestHits
{
    public static Chunk Chunk(string id, string text, string documentId = "doc") => new()
    {
        Id = id,
        DocumentId = documentId,
        DocumentVersion = 1,
        Ordinal = 0,
        Text = text,
        IndexText = text,
        Title = "Title of " + documentId,
        FileName = documentId + ".pdf",
        SectionPath = ["Chapter 1", "Section " + id],
        PageStart = 3,
        PageEnd = 4,
        // Laid out on pages, as a PDF's chunks are: citations give their pages.
        Boxes = [new PageBox(3, new BoundingBox(72, 500, 520, 700)), new PageBox(4, new BoundingBox(72, 600, 520, 770))],
        ContentHash = ChunkIdentity.ContentHash(text),
    };

    /// <summary>Hits in the given order, with descending scores as a retriever would return them.</summary>
    public static IReadOnlyList<SearchHit> Ranked(params Chunk[] chunks) =>
        chunks.Select((c, i) => new SearchHit(c, 1f - i * 0.1f, new ScoreBreakdown { FusedScore = 1f - i * 0.1f })).ToList();
}
