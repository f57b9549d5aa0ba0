using RagService.Core.Chunks;

namespace RagService.Core.Jobs;

/// <summary>
/// Everything that makes one document version live: its chunks and their duplicate-detection signatures.
/// A job store writes all of it, the live-version switch and the Ready state in one atomic step.
/// </summary>
public sealed record VersionCommit(string DocumentId, int Version, IReadOnlyList<Chunk> Chunks, IReadOnlyList<ChunkSignature> Signatures);

/// <summary>
/// The durable queue of ingestion jobs and the status of every document of an index: survives a restart,
/// so unfinished jobs resume. Reads see the last completed write.
/// </summary>
public interface IJobStore
{
    /// <summary>Queues a new version of the upload, unless the same bytes and tags are already ready or on their way.</summary>
    Task<EnqueueResult> EnqueueAsync(DocumentUpload upload, CancellationToken ct);

    Task<DocumentStatus?> GetAsync(string documentId, CancellationToken ct);

    /// <summary>
    /// Documents in the order they were last enqueued, or as <paramref name="listing"/> sorts them (ties in enqueue
    /// order); with <paramref name="principals"/>, only those whose ACL holds one of them; with <paramref name="listing"/>,
    /// only those matching its conditions.
    /// </summary>
    Task<IReadOnlyList<DocumentStatus>> ListAsync(int offset, int limit, CancellationToken ct, IReadOnlySet<string>? principals = null,
        DocumentListing? listing = null);

    /// <summary>How many documents; with <paramref name="principals"/>, how many the holder may see; with <paramref name="listing"/>, how many match its conditions.</summary>
    Task<int> CountAsync(CancellationToken ct, IReadOnlySet<string>? principals = null, DocumentListing? listing = null);

    /// <summary>
    /// Replaces the document's ACL and/or tags (null leaves one as it is) without a new version: its chunks keep
    /// their text and vectors. False when the document does not exist.
    /// </summary>
    Task<bool> UpdateAccessAsync(string documentId, IReadOnlyList<string>? acl, IReadOnlyDictionary<string, string>? tags, CancellationToken ct);

    /// <summary>Documents by state, live chunks and upload bytes, in one cheap query (no paging through statuses); only the documents <paramref name="principals"/> may see when given.</summary>
    Task<DocumentCounts> CountByStateAsync(CancellationToken ct, IReadOnlySet<string>? principals = null);

    /// <summary>
    /// The documents whose newest version has one of these content hashes (SHA-256 of the uploaded bytes, hex), so a
    /// client can skip files the index already holds without sending them.
    /// </summary>
    Task<IReadOnlyList<DocumentStatus>> FindByContentHashAsync(IReadOnlyCollection<string> contentHashes, CancellationToken ct);

    /// <summary>Documents not yet ready or failed, oldest enqueue first (the jobs to resume).</summary>
    Task<IReadOnlyList<DocumentStatus>> UnfinishedAsync(CancellationToken ct);

    /// <summary>The stored upload of the document's newest version, or null when the document is unknown.</summary>
    Task<DocumentUpload?> GetUploadAsync(string documentId, CancellationToken ct);

    /// <summary>Moves a job on; ignored when <paramref name="version"/> is no longer the newest.</summary>
    Task UpdateProgressAsync(string documentId, int version, JobProgress progress, CancellationToken ct);

    /// <summary>Fails a job with the step and reason; ignored when <paramref name="version"/> is no longer the newest.</summary>
    Task MarkFailedAsync(string documentId, int version, string failedStep, string error, CancellationToken ct);

    /// <summary>
    /// Stores the chunks and signatures of a version, makes it the live version and marks it ready, in one
    /// transaction: a reader never sees the chunks without the state, nor a half-written version.
    /// </summary>
    Task CommitVersionAsync(VersionCommit commit, CancellationToken ct);

    /// <summary>
    /// Removes the document with its chunks, pending chunk ids and signatures. Returns the ids of every chunk
    /// that may be in an index (live and pending), or null when the document did not exist.
    /// </summary>
    Task<IReadOnlyList<string>?> DeleteAsync(string documentId, CancellationToken ct);

    /// <summary>Whether any document's newest version still needs this stored upload (uploads are shared by content).</summary>
    Task<bool> IsBlobReferencedAsync(string blobPath, CancellationToken ct);
}
