using RagService.Core.Chunks;

namespace RagService.Core.Jobs;

/// <summary>
/// A document version ready to be written: its chunks and one vector per indexed chunk. Duplicates
/// (<see cref="Chunk.DuplicateOf"/> set) are stored in the catalog only, so <see cref="Vectors"/> holds
/// either one vector per chunk or one per non-duplicate chunk, in order.
/// </summary>
public sealed record PreparedDocument(string DocumentId, int Version, IReadOnlyList<Chunk> Chunks, IReadOnlyList<float[]> Vectors)
{
    /// <summary>MinHash signatures of the chunks, kept by the catalog for near-duplicate lookups.</summary>
    public IReadOnlyList<ChunkSignature> Signatures { get; init; } = [];

    /// <summary>The chunks written to BM25 and vectors, each with its vector.</summary>
    public (IReadOnlyList<Chunk> Chunks, IReadOnlyList<float[]> Vectors) Indexed()
    {
        if (Chunks.Count != Vectors.Count && Chunks.Count(c => c.DuplicateOf is null) != Vectors.Count)
        {
            throw new ArgumentException($"Document {DocumentId}: {Chunks.Count} chunks but {Vectors.Count} vectors.");
        }

        if (Chunks.Count == Vectors.Count)
        {
            var kept = Enumerable.Range(0, Chunks.Count).Where(i => Chunks[i].DuplicateOf is null).ToList();
            return (kept.Select(i => Chunks[i]).ToList(), kept.Select(i => Vectors[i]).ToList());
        }

        return (Chunks.Where(c => c.DuplicateOf is null).ToList(), Vectors);
    }
}

/// <summary>
/// Where ingestion writes finished versions: both search indexes, then the catalog, so that a version
/// is live only once every side has it.
/// </summary>
public interface IIndexWriter
{
    /// <summary>
    /// Writes the versions with one commit per index (group commit), then makes each live and ready.
    /// Versions that are no longer the newest of their document are skipped.
    /// </summary>
    Task WriteAsync(IReadOnlyList<PreparedDocument> documents, CancellationToken ct);
}
