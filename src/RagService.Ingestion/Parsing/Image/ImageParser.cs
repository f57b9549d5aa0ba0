using RagService.Core.Documents;

namespace RagService.Ingestion.Parsing.Image;

// OpenXml's root namespace "DocumentFormat" would otherwise shadow the Core enum.
using DocumentFormat = RagService.Core.Documents.DocumentFormat;

/// <summary>
/// Placeholder for image uploads: they are recognised (so the user gets a precise reason)
/// but cannot be read until the OCR parser exists.
/// </summary>
public sealed class ImageParser : IDocumentParser
{
    public const string Reason = "OCR not available: image files need the OCR parser";

    public bool CanParse(DocumentFormat format) => format == DocumentFormat.Image;

    public Task<DocumentTree> ParseAsync(DocumentSource source, CancellationToken cancellationToken) =>
        throw new DocumentRejectedException(Reason);
}
