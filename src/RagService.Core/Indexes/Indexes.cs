using RagService.Core.Chunks;

namespace RagService.Core.Indexes;

/// <summary>A retrieved chunk id with the retriever's raw score.</summary>
public readonly record struct ScoredChunkId(string ChunkId, float Score);

/// <summary>Restricts a search to chunks whose document and tags match. Applied inside each retriever.</summary>
public sealed record SearchFilter
{
    public IReadOnlyList<string>? DocumentIds { get; init; }

    /// <summary>Every listed tag must be present with the given value.</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }

    public bool IsEmpty => (DocumentIds is null || DocumentIds.Count == 0) && (Tags is null || Tags.Count == 0);

    public static SearchFilter None { get; } = new();

    public bool Matches(Chunk chunk)
    {
        if (DocumentIds is { Count: > 0 } ids && !ids.Contains(chunk.DocumentId))
        {
            return false;
        }

        if (Tags is { Count: > 0 } tags)
        {
            foreach (var (key, value) in tags)
            {
                if (!chunk.Tags.TryGetValue(key, out var actual) || !string.Equals(actual, value, StringComparison.Ordinal))
                {
                    return false;
                }
            }
        }

        return true;
    }
}

/// <summary>
/// BM25 over chunk index texts, one on-disk index per RagService index. Writes become visible
/// to searches only after <see cref="Commit"/>.
/// </summary>
public interface ILexicalIndex : IDisposable
{
    /// <summary>Adds the chunks of a document version and deletes every other version of that document (visible after Commit).</summary>
    void ReplaceDocument(string documentId, int version, IReadOnlyList<Chunk> chunks);

    void DeleteDocument(string documentId);

    void Commit();

    IReadOnlyList<ScoredChunkId> Search(string query, int topK, SearchFilter filter);

    long SizeOnDiskBytes { get; }
}

/// <summary>Approximate nearest-neighbour search over chunk vectors (cosine), one per RagService index.</summary>
public interface IVectorIndex : IDisposable
{
    int Dimensions { get; }

    long Count { get; }

    void Upsert(IReadOnlyList<string> chunkIds, IReadOnlyList<float[]> vectors);

    void Remove(IReadOnlyList<string> chunkIds);

    /// <summary>Persists everything written so far; atomic (a crash leaves the previous commit).</summary>
    void Commit();

    /// <param name="allowed">
    /// When set, only these chunk ids may be returned. A small set is searched exactly (brute force over
    /// its vectors); a large one by oversampling the approximate search.
    /// </param>
    IReadOnlyList<ScoredChunkId> Search(float[] query, int topK, IReadOnlySet<string>? allowed);

    long SizeOnDiskBytes { get; }
}
