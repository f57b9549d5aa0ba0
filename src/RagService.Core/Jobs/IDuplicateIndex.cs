namespace RagService.Core.Jobs;

/// <summary>A chunk's MinHash signature and the LSH band keys derived from it.</summary>
public sealed record ChunkSignature(string ChunkId, byte[] MinHash, IReadOnlyList<string> BandKeys);

/// <summary>A live original chunk that a new chunk may duplicate.</summary>
/// <param name="Text">The chunk's text, so a MinHash match can be confirmed by the exact Jaccard before it links anything.</param>
public sealed record DuplicateCandidate(string ChunkId, string DocumentId, string ContentHash, byte[]? MinHash, string? Text = null);

/// <summary>
/// Exact and near-duplicate lookups over the live chunks of an index. Signatures are written by
/// <see cref="IJobStore.CommitVersionAsync"/> with the chunks they describe.
/// </summary>
public interface IDuplicateIndex
{
    /// <summary>
    /// Live original chunks (not themselves duplicates) of documents other than <paramref name="excludeDocumentId"/>
    /// whose content hash or one of whose LSH band keys matches: the candidates a new chunk may duplicate.
    /// </summary>
    Task<IReadOnlyList<DuplicateCandidate>> FindCandidatesAsync(
        string excludeDocumentId, IReadOnlyCollection<string> contentHashes, IReadOnlyCollection<string> bandKeys, CancellationToken ct);

    /// <summary>
    /// Re-queues (as a new version of the same upload) every ready or failed document holding a chunk whose
    /// original is no longer live, so that re-ingestion promotes it or links it to a live original. Returns their ids.
    /// </summary>
    Task<IReadOnlyList<string>> RequeueOrphanedDuplicatesAsync(CancellationToken ct);

    /// <summary>The stored signatures of the document's live version.</summary>
    Task<IReadOnlyList<ChunkSignature>> SignaturesOfAsync(string documentId, CancellationToken ct);
}
