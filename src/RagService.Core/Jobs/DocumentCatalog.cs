using RagService.Core.Chunks;
using RagService.Core.Documents;

namespace RagService.Core.Jobs;

/// <summary>Where a document is in the ingestion pipeline. Ready and Failed are final.</summary>
public enum DocumentState
{
    Queued,
    Parsing,
    Chunking,
    Embedding,
    Indexing,
    Ready,
    Failed,
}

/// <summary>The status of the newest version of one document of an index.</summary>
public sealed record DocumentStatus
{
    public required string DocumentId { get; init; }
    public required int Version { get; init; }

    /// <summary>The version whose chunks are searchable now (0 when none is).</summary>
    public int LiveVersion { get; init; }
    public required string FileName { get; init; }
    public required string ContentHash { get; init; }
    public long SizeBytes { get; init; }
    public DocumentFormat Format { get; init; }
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
    public DocumentState State { get; init; }
    public double Progress { get; init; }
    public string? FailedStep { get; init; }
    public string? Error { get; init; }
    public string? Title { get; init; }
    public int PageCount { get; init; }
    public int ChunkCount { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
}

/// <summary>A file accepted for ingestion, already stored at <see cref="BlobPath"/>.</summary>
public sealed record DocumentUpload(
    string DocumentId,
    string FileName,
    string BlobPath,
    string ContentHash,
    long SizeBytes,
    DocumentFormat Format,
    IReadOnlyDictionary<string, string> Tags);

/// <summary>What enqueueing did: a new version to ingest, or nothing because the bytes are already there.</summary>
public sealed record EnqueueResult(DocumentStatus Status, bool Enqueued);

/// <summary>
/// The durable per-index document catalog and job store: document statuses, the live chunks
/// of every document, and the queue of unfinished ingestion jobs that survives a restart.
/// </summary>
public interface IDocumentCatalog : IDisposable
{
    EnqueueResult Enqueue(DocumentUpload upload);

    DocumentStatus? Get(string documentId);

    IReadOnlyList<DocumentStatus> List(int offset, int limit);

    int Count();

    /// <summary>Documents not yet ready or failed, oldest first (the jobs to resume).</summary>
    IReadOnlyList<DocumentStatus> Unfinished();

    /// <summary>The stored upload of the document's newest version.</summary>
    DocumentUpload? GetUpload(string documentId);

    void UpdateProgress(string documentId, int version, DocumentState state, double progress, string? title = null, int? pageCount = null);

    void MarkFailed(string documentId, int version, string failedStep, string error);

    /// <summary>Stores the chunks of a version, makes it the live version and marks it ready, in one transaction.</summary>
    void CommitVersion(string documentId, int version, IReadOnlyList<Chunk> chunks);

    /// <summary>Removes the document and its chunks. Returns the ids of the chunks that were live.</summary>
    IReadOnlyList<string>? Delete(string documentId);

    IReadOnlyList<Chunk> GetChunks(string documentId);

    /// <summary>Live chunks by id, in no particular order; unknown ids are skipped.</summary>
    IReadOnlyList<Chunk> GetChunksByIds(IReadOnlyCollection<string> chunkIds);

    /// <summary>
    /// Records the chunk ids a version is about to write to the indexes, before it writes them, so a
    /// delete or a resumed job can remove every entry even if the process died mid-write.
    /// </summary>
    void RecordPendingChunks(string documentId, int version, IReadOnlyList<string> chunkIds);

    /// <summary>Every chunk id of the document that may be in an index: live and pending versions.</summary>
    IReadOnlyList<string> ChunkIdsOf(string documentId);

    /// <summary>
    /// Whether any document's newest version still needs this stored upload. The default keeps every
    /// blob (safe for catalogs that cannot answer); the SQLite catalog answers exactly.
    /// </summary>
    bool IsBlobReferenced(string blobPath) => true;

    /// <summary>The live chunk ids of documents matching the filter, or null when the filter is empty.</summary>
    IReadOnlySet<string>? ChunkIdsMatching(Indexes.SearchFilter filter);

    /// <summary>
    /// Stores the chunks of a version with their duplicate-detection signatures (see
    /// <see cref="FindDuplicateCandidates"/>), makes it live and marks it ready, in one transaction.
    /// </summary>
    void CommitVersion(string documentId, int version, IReadOnlyList<Chunk> chunks, IReadOnlyList<ChunkSignature> signatures) =>
        CommitVersion(documentId, version, chunks);

    /// <summary>
    /// Live original chunks (not themselves duplicates) of documents other than <paramref name="excludeDocumentId"/>
    /// whose content hash or one of whose LSH band keys matches: the candidates a new chunk may duplicate.
    /// </summary>
    IReadOnlyList<DuplicateCandidate> FindDuplicateCandidates(
        string excludeDocumentId, IReadOnlyCollection<string> contentHashes, IReadOnlyCollection<string> bandKeys) => [];

    /// <summary>
    /// Re-queues (as a new version of the same upload) every document holding a chunk whose original is
    /// no longer live, so that re-ingestion promotes it or links it to a live original. Returns their ids.
    /// </summary>
    IReadOnlyList<string> RequeueOrphanedDuplicates() => [];

    /// <summary>The live chunks of one section of a document (same <see cref="Chunk.ParentSectionId"/>), in order.</summary>
    IReadOnlyList<Chunk> GetSectionChunks(string documentId, string? parentSectionId) =>
        GetChunks(documentId).Where(c => c.ParentSectionId == parentSectionId).ToList();
}

/// <summary>A chunk's MinHash signature and the LSH band keys derived from it.</summary>
public sealed record ChunkSignature(string ChunkId, byte[] MinHash, IReadOnlyList<string> BandKeys);

/// <summary>A live original chunk that a new chunk may duplicate.</summary>
public sealed record DuplicateCandidate(string ChunkId, string DocumentId, string ContentHash, byte[]? MinHash);
