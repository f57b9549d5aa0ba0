namespace RagService.Core.Jobs;

/// <summary>What a listing of documents is ordered by; ties keep the order documents were last enqueued.</summary>
public enum DocumentSortKey
{
    /// <summary>The order documents were last enqueued (an upload moves a document to the end).</summary>
    Enqueued,

    /// <summary>The file name, ignoring case, then the document id.</summary>
    Name,

    /// <summary>The state in pipeline order: queued, parsing, chunking, embedding, indexing, ready, failed.</summary>
    State,

    /// <summary>When the document's status last changed.</summary>
    Updated,

    /// <summary>How many chunks its newest version has.</summary>
    Chunks,
}

/// <summary>
/// Which documents a listing holds and in what order (the documents table of the dashboard, <c>GET …/documents</c>).
/// Every condition given must hold; a job store answers it in its own query language, so an index of many
/// documents is filtered, sorted and paged where it is stored.
/// </summary>
public sealed record DocumentListing
{
    public static readonly DocumentListing All = new();

    /// <summary>Only documents in this state.</summary>
    public DocumentState? State { get; init; }

    /// <summary>Only documents whose id or file name contains this text, ignoring case.</summary>
    public string? NameContains { get; init; }

    /// <summary>Only documents with a tag of this key (of <see cref="TagValue"/> too when that is given).</summary>
    public string? TagKey { get; init; }

    public string? TagValue { get; init; }

    /// <summary>Only documents that failed in this step (one of <see cref="FailedSteps.All"/>).</summary>
    public string? FailedStep { get; init; }

    public DocumentSortKey Sort { get; init; }

    public bool Descending { get; init; }

    /// <summary>The conditions, for a store that filters in memory (the SQLite store writes them as SQL).</summary>
    public bool Matches(DocumentStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return (State is null || status.State == State)
            && (string.IsNullOrEmpty(NameContains)
                || status.DocumentId.Contains(NameContains, StringComparison.OrdinalIgnoreCase)
                || status.FileName.Contains(NameContains, StringComparison.OrdinalIgnoreCase))
            && (TagKey is null || (status.Tags.TryGetValue(TagKey, out var value) && (TagValue is null || value == TagValue)))
            && (FailedStep is null || (status.State == DocumentState.Failed && status.FailedStep == FailedStep));
    }
}
