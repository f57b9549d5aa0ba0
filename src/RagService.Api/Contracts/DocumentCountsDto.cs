using System.ComponentModel;
using RagService.Core.Jobs;

namespace RagService.Api.Contracts;

/// <summary>An index's documents by state, so a client waiting on a batch polls one small answer instead of paging through statuses.</summary>
public sealed record DocumentCountsDto(
    [property: Description("Waiting for the ingestion worker.")] int Queued,
    [property: Description("Being parsed, chunked, embedded or indexed.")] int Processing,
    [property: Description("Searchable.")] int Ready,
    [property: Description("Failed; each document's status says at which step and why.")] int Failed,
    int Total,
    [property: Description("Chunks of the documents' live versions.")] long Chunks)
{
    public static DocumentCountsDto From(DocumentCounts counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var queued = counts.Of(DocumentState.Queued);
        var ready = counts.Of(DocumentState.Ready);
        var failed = counts.Of(DocumentState.Failed);
        return new(queued, counts.Total - queued - ready - failed, ready, failed, counts.Total, counts.LiveChunks);
    }
}
