using RagService.Core.Chunks;
using RagService.Core.Indexes;

namespace RagService.Core.Jobs;

/// <summary>
/// The live chunks of every document of an index (the truth about which chunk versions are live), and the
/// chunk ids a version is writing to the search indexes before it goes live.
/// </summary>
public interface IChunkStore
{
    /// <summary>The live chunks of a document, in order.</summary>
    Task<IReadOnlyList<Chunk>> GetChunksAsync(string documentId, CancellationToken ct);

    /// <summary>Live chunks by id, in no particular order; unknown ids are skipped.</summary>
    Task<IReadOnlyList<Chunk>> GetChunksByIdsAsync(IReadOnlyCollection<string> chunkIds, CancellationToken ct);

    /// <summary>
    /// The live chunks linked as duplicates of any of <paramref name="chunkIds"/> (their <see cref="Chunk.DuplicateOf"/>),
    /// in no particular order: the other documents a cited text also appears in.
    /// </summary>
    Task<IReadOnlyList<Chunk>> GetDuplicatesOfAsync(IReadOnlyCollection<string> chunkIds, CancellationToken ct);

    /// <summary>The live chunks of one section of a document (same <see cref="Chunk.ParentSectionId"/>), in order.</summary>
    Task<IReadOnlyList<Chunk>> GetSectionChunksAsync(string documentId, string? parentSectionId, CancellationToken ct);

    /// <summary>
    /// Records the chunk ids a version is about to write to the indexes, before it writes them, so a
    /// delete or a resumed job can remove every entry even if the process died mid-write.
    /// </summary>
    Task RecordPendingChunksAsync(string documentId, int version, IReadOnlyList<string> chunkIds, CancellationToken ct);

    /// <summary>Every chunk id of the document that may be in an index: live and pending versions.</summary>
    Task<IReadOnlyList<string>> ChunkIdsOfAsync(string documentId, CancellationToken ct);

    /// <summary>
    /// The live chunk ids of documents matching the filter (document ids, tags, section prefix, document
    /// date), or null when the filter is empty, meaning "no restriction".
    /// </summary>
    Task<IReadOnlySet<string>?> ChunkIdsMatchingAsync(SearchFilter filter, CancellationToken ct);
}
