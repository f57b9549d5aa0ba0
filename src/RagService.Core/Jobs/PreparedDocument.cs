using RagService.Core.Chunks;

namespace RagService.Core.Jobs;

/// <summary>
/// A document version ready to be written: its chunks and one vector per embedded chunk. Duplicates
/// (<see cref="Chunk.DuplicateOf"/> set) and lexical-only chunks (<see cref="Chunk.LexicalOnly"/>) have no
/// vector of their own, so <see cref="Vectors"/> holds either one vector per chunk or one per chunk with
/// <see cref="Chunk.HasOwnVector"/>, in order.
/// </summary>
public sealed record PreparedDocument(string DocumentId, int Version, IReadOnlyList<Chunk> Chunks, IReadOnlyList<float[]> Vectors)
{
    /// <summary>MinHash signatures of the chunks, kept by the catalog for near-duplicate lookups.</summary>
    public IReadOnlyList<ChunkSignature> Signatures { get; init; } = [];

    /// <summary>The chunks written to the vector index, each with its vector (every chunk goes to BM25).</summary>
    public (IReadOnlyList<Chunk> Chunks, IReadOnlyList<float[]> Vectors) Indexed()
    {
        if (Chunks.Count != Vectors.Count && Chunks.Count(c => c.HasOwnVector) != Vectors.Count)
        {
            throw new ArgumentException($"Document {DocumentId}: {Chunks.Count} chunks but {Vectors.Count} vectors.");
        }

        if (Chunks.Count == Vectors.Count)
        {
            var kept = Enumerable.Range(0, Chunks.Count).Where(i => Chunks[i].HasOwnVector).ToList();
            return (kept.Select(i => Chunks[i]).ToList(), kept.Select(i => Vectors[i]).ToList());
        }

        return (Chunks.Where(c => c.HasOwnVector).ToList(), Vectors);
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
