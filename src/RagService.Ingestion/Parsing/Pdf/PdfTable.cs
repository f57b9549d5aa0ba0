using RagService.Core.Documents;

namespace RagService.Ingestion.Parsing.Pdf;

/// <summary>A table found on a page: its rows of cells and the lines it was built from.</summary>
internal sealed record PdfTable(int Page, IReadOnlyList<IReadOnlyList<string>> Rows, BoundingBox Box, IReadOnlyList<PdfLine> Lines);
