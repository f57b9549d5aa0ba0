using RagService.Core.Chunks;

namespace RagService.Core.Indexes;

/// <summary>A retrieved chunk id with the retriever's raw score.</summary>
public readonly record struct ScoredChunkId(string ChunkId, float Score);

/// <summary>Restricts a search to chunks whose document, tags, section and date match. Applied inside each retriever.</summary>
/// <remarks>
/// The "document date" that <see cref="ModifiedAfter"/> and <see cref="ModifiedBefore"/> compare is a property of the
/// document, shared by all its chunks: the ISO 8601 value of its <c>date</c> tag when the uploader set one that parses,
/// else its upload time (the catalog's CreatedAt of the version). See <see cref="DocumentDateOf"/>.
/// </remarks>
public sealed record SearchFilter
{
    /// <summary>The tag whose ISO 8601 value, when present, is the document date.</summary>
    public const string DateTagKey = "date";

    /// <summary>Separator of the levels in <see cref="SectionKey"/>; cannot occur in a heading a user types.</summary>
    public const char SectionSeparator = '\u001f';

    public IReadOnlyList<string>? DocumentIds { get; init; }

    /// <summary>
    /// The caller's principals (<c>user:alice</c>, <c>group:finance</c>, <c>tenant</c>): only chunks whose document's
    /// ACL holds one of them. Null: no ACL restriction (a tenant admin, an in-process tool). Every retriever applies
    /// it inside its search, before ranking and truncation.
    /// </summary>
    public IReadOnlySet<string>? Principals { get; init; }

    /// <summary>Every listed tag must be present with the given value.</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }

    /// <summary>
    /// Headings, outermost first: a chunk matches when its section path starts with them (each heading compared
    /// trimmed and case-insensitively). ["Security"] matches Security and Security › Backups; empty means no constraint.
    /// </summary>
    public IReadOnlyList<string>? SectionPathPrefix { get; init; }

    /// <summary>Only documents whose document date is at or after this instant (inclusive).</summary>
    public DateTimeOffset? ModifiedAfter { get; init; }

    /// <summary>Only documents whose document date is before this instant (exclusive).</summary>
    public DateTimeOffset? ModifiedBefore { get; init; }

    public bool IsEmpty =>
        (DocumentIds is null || DocumentIds.Count == 0)
        && (Tags is null || Tags.Count == 0)
        && (SectionPathPrefix is null || SectionPathPrefix.Count == 0)
        && ModifiedAfter is null
        && ModifiedBefore is null
        && Principals is null;

    public bool HasDateRange => ModifiedAfter is not null || ModifiedBefore is not null;

    public static SearchFilter None { get; } = new();

    public bool Matches(Chunk chunk)
    {
        if (Principals is { } principals && !chunk.Acl.Any(principals.Contains))
        {
            return false;
        }

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

        if (SectionPathPrefix is { Count: > 0 } prefix)
        {
            if (chunk.SectionPath.Count < prefix.Count)
            {
                return false;
            }

            for (var i = 0; i < prefix.Count; i++)
            {
                if (!string.Equals(NormalizeHeading(chunk.SectionPath[i]), NormalizeHeading(prefix[i]), StringComparison.Ordinal))
                {
                    return false;
                }
            }
        }

        if (HasDateRange)
        {
            var date = chunk.DocumentDate ?? DateTag(chunk.Tags);
            if (date is null || !InDateRange(date.Value))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when <paramref name="date"/> is in [ModifiedAfter, ModifiedBefore).</summary>
    public bool InDateRange(DateTimeOffset date) =>
        (ModifiedAfter is not { } after || date >= after) && (ModifiedBefore is not { } before || date < before);

    /// <summary>The document date: the parsed <c>date</c> tag when present and valid, else the upload time.</summary>
    public static DateTimeOffset DocumentDateOf(IReadOnlyDictionary<string, string> tags, DateTimeOffset uploadedAt) =>
        DateTag(tags) ?? uploadedAt;

    /// <summary>The <c>date</c> tag as an instant (a date without an offset is taken as UTC), or null.</summary>
    public static DateTimeOffset? DateTag(IReadOnlyDictionary<string, string> tags) =>
        tags.TryGetValue(DateTagKey, out var text) && TryParseDate(text, out var date) ? date : null;

    /// <summary>Parses an ISO 8601 date or date-time; no offset means UTC.</summary>
    public static bool TryParseDate(string? text, out DateTimeOffset date)
    {
        date = default;
        if (string.IsNullOrWhiteSpace(text) || text.Trim().Length < 10 || !char.IsAsciiDigit(text.Trim()[0]))
        {
            return false;
        }

        return DateTimeOffset.TryParse(
            text.Trim(),
            System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal,
            out date);
    }

    /// <summary>A heading as the section filter compares it: trimmed, lower-cased (invariant).</summary>
    public static string NormalizeHeading(string heading) => heading.Trim().ToLowerInvariant();

    /// <summary>
    /// The normalized headings of <paramref name="path"/>, each followed by <see cref="SectionSeparator"/>: a chunk's
    /// section path starts with a prefix exactly when its key starts with the prefix's key.
    /// </summary>
    public static string SectionKey(IEnumerable<string> path) =>
        string.Concat(path.Select(h => NormalizeHeading(h) + SectionSeparator));
}

/// <summary>One term of a query as the lexical index analyses it.</summary>
/// <param name="Surface">The query text the term was analysed from ("Gallagher" for the stemmed "gallagh").</param>
/// <param name="Term">The indexed term.</param>
/// <param name="DocumentFrequency">How many committed chunks hold the term (deleted ones until their segment merges).</param>
public readonly record struct QueryTermFrequency(string Surface, string Term, int DocumentFrequency);

/// <summary>A query's terms with their document frequencies, and the number of committed chunks they are counted over.</summary>
public sealed record QueryTermStatistics(IReadOnlyList<QueryTermFrequency> Terms, int Chunks)
{
    public static QueryTermStatistics None { get; } = new([], 0);
}

/// <summary>
/// BM25 over chunk index texts, one on-disk index per RagService index. Writes become visible to
/// searches only after <see cref="CommitAsync"/>, all at once.
/// </summary>
public interface ILexicalIndex : IDisposable
{
    /// <summary>Adds the chunks of a document version and deletes every other version of that document (visible after commit).</summary>
    Task ReplaceDocumentAsync(string documentId, int version, IReadOnlyList<Chunk> chunks, CancellationToken ct);

    /// <summary>Deletes every chunk of the document (visible after commit).</summary>
    Task DeleteDocumentAsync(string documentId, CancellationToken ct);

    /// <summary>Publishes and persists every write so far.</summary>
    Task CommitAsync(CancellationToken ct);

    /// <summary>The best <paramref name="topK"/> committed chunks for the query among those the filter admits, best first.</summary>
    Task<IReadOnlyList<ScoredChunkId>> SearchAsync(string query, int topK, SearchFilter filter, CancellationToken ct);

    /// <summary>
    /// The query's terms as the index analyses them for a search (the same fields and analysers), each with the
    /// number of committed chunks that hold it, and the number of committed chunks: how rare each term is.
    /// </summary>
    Task<QueryTermStatistics> TermStatisticsAsync(string query, CancellationToken ct);

    long SizeOnDiskBytes { get; }
}

/// <summary>
/// Approximate nearest-neighbour search over chunk vectors (cosine), one per RagService index. Writes are
/// searchable at once; <see cref="CommitAsync"/> makes them durable.
/// </summary>
public interface IVectorIndex : IDisposable
{
    int Dimensions { get; }

    long Count { get; }

    /// <summary>Adds or replaces the vectors of the chunk ids; a vector of the wrong width is an <see cref="ArgumentException"/>.</summary>
    Task UpsertAsync(IReadOnlyList<string> chunkIds, IReadOnlyList<float[]> vectors, CancellationToken ct);

    /// <summary>Removes the chunk ids; unknown ids are ignored.</summary>
    Task RemoveAsync(IReadOnlyList<string> chunkIds, CancellationToken ct);

    /// <summary>Persists everything written so far; atomic (a crash leaves the previous commit).</summary>
    Task CommitAsync(CancellationToken ct);

    /// <param name="query">The query vector.</param>
    /// <param name="topK">How many hits at most.</param>
    /// <param name="allowed">
    /// When set, only these chunk ids may be returned. A small set is searched exactly (brute force over
    /// its vectors); a large one by oversampling the approximate search.
    /// </param>
    /// <param name="ct">Cancels the search.</param>
    Task<IReadOnlyList<ScoredChunkId>> SearchAsync(float[] query, int topK, IReadOnlySet<string>? allowed, CancellationToken ct);

    long SizeOnDiskBytes { get; }
}
