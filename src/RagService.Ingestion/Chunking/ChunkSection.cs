using RagService.Core.Documents;

namespace RagService.Ingestion.Chunking;

/// <summary>A section as the chunker sees it: its path, the run of headings that opens it, and its body blocks.</summary>
internal sealed record ChunkSection(
    IReadOnlyList<string> Path, IReadOnlyList<int> Levels, string? Id, IReadOnlyList<DocumentBlock> Headings, IReadOnlyList<DocumentBlock> Body);
