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

    /// <summary>Who may see the document (see <see cref="Security.AclPrincipals"/>).</summary>
    public IReadOnlyList<string> Acl { get; init; } = Security.AclPrincipals.Default;
    public DocumentState State { get; init; }
    public double Progress { get; init; }
    public string? FailedStep { get; init; }
    public string? Error { get; init; }
    public string? Title { get; init; }
    public int PageCount { get; init; }
    public int ChunkCount { get; init; }

    /// <summary>Attempts at this version that started (see <see cref="IJobAttempts"/>); back to 0 once it is ready or requeued, so above 0 on an unfinished version means an attempt died or timed out.</summary>
    public int Attempts { get; init; }
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
    IReadOnlyDictionary<string, string> Tags)
{
    /// <summary>Who may see the document; every chunk carries it into the search indexes.</summary>
    public IReadOnlyList<string> Acl { get; init; } = Security.AclPrincipals.Default;
}

/// <summary>What enqueueing did: a new version to ingest, or nothing because the bytes are already there.</summary>
public sealed record EnqueueResult(DocumentStatus Status, bool Enqueued);

/// <summary>A step of a running job: its state and progress, and what parsing learned about the document.</summary>
public sealed record JobProgress(DocumentState State, double Progress)
{
    public string? Title { get; init; }

    public int? PageCount { get; init; }
}
