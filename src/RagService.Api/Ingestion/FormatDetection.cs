using RagService.Core.Documents;
using RagService.Ingestion.Parsing;

namespace RagService.Api.Ingestion;

/// <summary>Decides an upload's format from its bytes (the extension is only a tie-breaker for text).</summary>
internal static class FormatDetection
{
    private static readonly FormatSniffer Sniffer = new();

    /// <summary>
    /// The format, or Unknown when the bytes are refused outright (empty file): the upload is still
    /// admitted so that the document's status carries the parser's reason, like any other failure.
    /// </summary>
    public static DocumentFormat Sniff(string blobPath, string fileName)
    {
        try
        {
            return Sniffer.Sniff(blobPath, fileName);
        }
        catch (DocumentRejectedException)
        {
            return DocumentFormat.Unknown;
        }
    }
}
