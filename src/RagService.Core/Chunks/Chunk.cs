using System.Security.Cryptography;
using RagService.Core.Documents;
using RagService.Core.Options;
using System.Text;

namespace RagService.Core.Chunks;

/// <summary>
/// The unit that is indexed, retrieved and cited. <see cref="Text"/> is the clean text shown
/// and cited; <see cref="IndexText"/> is what is embedded and BM25-indexed (with the contextual header).
/// </summary>
public sealed record Chunk
{
    public required string Id { get; init; }
    public required string DocumentId { get; init; }
    public required int DocumentVersion { get; init; }
    public required int Ordinal { get; init; }
    public required string Text { get; init; }
    public required string IndexText { get; init; }
    public string? Title { get; init; }
    public string? FileName { get; init; }
    public IReadOnlyList<string> SectionPath { get; init; } = [];
    public int PageStart { get; init; } = 1;
    public int PageEnd { get; init; } = 1;
    public IReadOnlyList<string> BlockIds { get; init; } = [];
    public int TokenCount { get; init; }
    public required string ContentHash { get; init; }
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>The heading level of each entry of <see cref="SectionPath"/> (1 = top), same length.</summary>
    public IReadOnlyList<int> SectionLevels { get; init; } = [];

    /// <summary>The boxes of the chunk's blocks on their pages (formats without geometry have none).</summary>
    public IReadOnlyList<PageBox> Boxes { get; init; } = [];

    /// <summary>The chunk before this one in the document (null for the first).</summary>
    public string? PreviousChunkId { get; init; }

    /// <summary>The chunk after this one in the document (null for the last).</summary>
    public string? NextChunkId { get; init; }

    /// <summary>
    /// The section the chunk belongs to, shared by every chunk of that section of the document: the id of
    /// the section's heading block, or null before the first heading. Small-to-big retrieval expands by it.
    /// </summary>
    public string? ParentSectionId { get; init; }

    /// <summary>
    /// Set when this chunk is an exact or near duplicate of an earlier chunk of the index: the original's id.
    /// A duplicate is written to the BM25 index with its own text but carries no vector of its own.
    /// </summary>
    public string? DuplicateOf { get; init; }

    /// <summary>The language detected in <see cref="IndexText"/> (<c>LanguageDetector</c>: "en", "zh", "zh-en" …); null for chunks made before detection.</summary>
    public string? Language { get; init; }

    /// <summary>
    /// True when the chunk is in the BM25 index only: the index's embedding model does not cover its
    /// language (<c>LanguageCoverageRule</c>), so its vector would be noise that the dense leg returns for anything.
    /// </summary>
    public bool LexicalOnly { get; init; }

    /// <summary>True when the chunk has a vector of its own: neither a duplicate nor lexical-only.</summary>
    public bool HasOwnVector => DuplicateOf is null && !LexicalOnly;

    /// <summary>
    /// What ingestion noticed about the text, e.g. <c>instructions:ignore-previous</c> when it reads like an
    /// instruction to the model (<see cref="RagService.Core.Text.InstructionRules"/>). Shown in results and traces; the LLM
    /// prompt marks a flagged source. Empty for ordinary text.
    /// </summary>
    public IReadOnlyList<string> Flags { get; init; } = [];

    /// <summary>
    /// The document date the date filters compare (see <c>SearchFilter.DocumentDateOf</c>): the document's
    /// <c>date</c> tag, else its upload time. Null for chunks made outside the ingestion pipeline.
    /// </summary>
    public DateTimeOffset? DocumentDate { get; init; }

    /// <summary>
    /// The document's ACL (<c>user:…</c>, <c>group:…</c>, <c>tenant</c>), shared by its chunks: retrieval admits the
    /// chunk only for a caller holding one of them (see <c>SearchFilter.Principals</c>).
    /// </summary>
    public IReadOnlyList<string> Acl { get; init; } = Security.AclPrincipals.Default;
}

/// <summary>A bounding box on one page (1-based).</summary>
public sealed record PageBox(int Page, BoundingBox Box);

/// <summary>What a chunker produces before ids and document identity are attached.</summary>
public sealed record ChunkDraft(
    string Text,
    IReadOnlyList<string> SectionPath,
    int PageStart,
    int PageEnd,
    IReadOnlyList<string> BlockIds,
    int TokenCount)
{
    /// <summary>Heading level of each <see cref="SectionPath"/> entry; empty when the chunker did not record them.</summary>
    public IReadOnlyList<int> SectionLevels { get; init; } = [];

    /// <summary>Id of the heading block that opens the chunk's section, or null before the first heading.</summary>
    public string? SectionId { get; init; }

    public IReadOnlyList<PageBox> Boxes { get; init; } = [];
}

/// <summary>Derives the one id of a chunk and the 64-bit key the vector index stores for it.</summary>
public static class ChunkIdentity
{
    /// <summary>A chunk id is a function of (index, document id, document version, ordinal).</summary>
    public static string Create(string index, string documentId, int version, int ordinal)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes($"{index}\u001f{documentId}\u001f{version}\u001f{ordinal}"));
        return Convert.ToHexStringLower(bytes.AsSpan(0, 16));
    }

    /// <summary>The vector-index key: the first 8 bytes of the id (collision odds ~n²/2⁶⁵).</summary>
    public static ulong ToVectorKey(string chunkId) => Convert.ToUInt64(chunkId[..16], 16);

    public static string ContentHash(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}

/// <summary>Counts tokens the way the embedding model will see them.</summary>
public interface ITokenCounter
{
    int CountTokens(string text);
}

/// <summary>Splits a document tree into chunks within a token budget, keeping provenance.</summary>
public interface IChunker
{
    /// <summary>The drafts in document order.</summary>
    /// <param name="cancellationToken">Stops chunking between sections (and any embedding the chunker asks for).</param>
    Task<IReadOnlyList<ChunkDraft>> ChunkAsync(DocumentTree tree, ChunkingOptions options, ITokenCounter tokens, CancellationToken cancellationToken);
}
