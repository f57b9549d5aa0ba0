using RagService.Core.Documents;

namespace RagService.Ingestion.Parsing.Pdf;

/// <summary>A paragraph, heading or list item assembled from lines.</summary>
internal sealed record AssembledBlock(BlockKind Kind, string Text, int Level, int PageStart, int PageEnd, BoundingBox Box)
{
    /// <summary>Table cells, for table blocks.</summary>
    public IReadOnlyList<IReadOnlyList<string>>? Rows { get; init; }
}
