namespace RagService.Core.Indexes;

/// <summary>One chunk entry a derived index holds; the document and version where the index records them.</summary>
public sealed record IndexEntry(string ChunkId, string? DocumentId = null, int? Version = null);

/// <summary>
/// A derived index (BM25, vectors) that can say what it holds, so it can be checked against the catalog it
/// is derived from: a cheap count when an index opens, the full list for <c>rag doctor</c>.
/// </summary>
public interface IIndexInventory
{
    /// <summary>Entries in the last commit (what a reopened index would hold).</summary>
    long CommittedCount { get; }

    /// <summary>Every committed entry.</summary>
    Task<IReadOnlyList<IndexEntry>> EntriesAsync(CancellationToken ct);
}
