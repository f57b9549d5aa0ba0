using RagService.Core.Jobs;
using RagService.Ingestion.Dedup;

namespace RagService.Ingestion.Jobs;

/// <summary>Links the batch's chunks that repeat an earlier chunk of the index (or of the batch) to their original.</summary>
public interface IDuplicateMarking
{
    /// <param name="target">The index whose live chunks count as earlier.</param>
    /// <param name="documents">The batch's documents, in the order that decides which copy is the original.</param>
    /// <param name="ct">Cancels the lookups.</param>
    Task<IReadOnlyList<DeduplicationResult>> MarkAsync(IngestionTarget target, IReadOnlyList<ChunkedDocument> documents, CancellationToken ct);
}

/// <summary>Exact (content hash) and near (MinHash/LSH) duplicates through one <see cref="ChunkDeduplicator"/> per batch.</summary>
public sealed class DuplicateMarking : IDuplicateMarking
{
    public async Task<IReadOnlyList<DeduplicationResult>> MarkAsync(IngestionTarget target, IReadOnlyList<ChunkedDocument> documents, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(documents);
        var deduplicator = new ChunkDeduplicator(target.Deduplication, target.Duplicates);
        var results = new List<DeduplicationResult>(documents.Count);
        foreach (var doc in documents)
        {
            results.Add(await deduplicator.MarkAsync(doc.Status.DocumentId, doc.Chunks, ct).ConfigureAwait(false));
        }

        return results;
    }
}
