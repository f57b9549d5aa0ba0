using RagService.Core.Documents;
using RagService.Ingestion.Parsing;

namespace RagService.Api.Ingestion;

/// <summary>Decides an upload's format from its bytes (the extension is only a tie-breaker for text).</summary>
internal static class FormatDetection
{
    private static readonly FormatSniffer Sniffer = new();

    public static DocumentFormat Sniff(string blobPath, string fileName) => Sniffer.Sniff(blobPath, fileName);
}
