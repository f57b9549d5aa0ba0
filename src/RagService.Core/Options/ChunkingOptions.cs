namespace RagService.Core.Options;

/// <summary>How a document is cut into chunks.</summary>
public enum ChunkingStrategy
{
    /// <summary>Along the document's structure: sections, lists, tables, code and figures stay whole.</summary>
    Structure,

    /// <summary>Token windows over the flattened text, blind to structure: the measured baseline only.</summary>
    FixedSize,
}

/// <summary>Chunking settings, bound from "Chunking" in appsettings.json.</summary>
public sealed record ChunkingOptions
{
    /// <summary>Target upper bound of a chunk in embedding-model tokens (header included).</summary>
    public int MaxTokens { get; init; } = 256;

    /// <summary>
    /// A sentence up to this many tokens is never cut, even when it alone exceeds <see cref="MaxTokens"/>:
    /// it becomes a chunk of its own, whose embedding sees its first <see cref="MaxTokens"/> tokens while
    /// BM25, reranking and citations keep all of it. 512 is the usual cross-encoder window. Only a longer
    /// sentence is cut, after clause marks first. 0 uses <see cref="MaxTokens"/>.
    /// </summary>
    public int MaxSentenceTokens { get; init; } = 512;

    /// <summary>Tokens of the previous chunk repeated at the start of the next when a section is split.</summary>
    public int OverlapTokens { get; init; }

    /// <summary>Prefix title and section path to the indexed (not the cited) text.</summary>
    public bool ContextualHeader { get; init; } = true;

    public ChunkingStrategy Strategy { get; init; } = ChunkingStrategy.Structure;

    /// <summary>
    /// Within a section, decide merges and splits by the embedding similarity of neighbouring blocks and
    /// sentences (needs an embedding model; without one the chunker packs greedily). Off by default:
    /// on the chunking question set it tied structure-only chunking while adding 8–25% to first-time
    /// ingestion (docs/benchmarks.md, "Chunking").
    /// </summary>
    public bool Semantic { get; init; }

    /// <summary>
    /// Cosine similarity below which two neighbouring blocks of a section that would fit one chunk are
    /// still kept apart as a topic shift (only where both sides reach <see cref="MinTopicTokens"/>).
    /// 0 (the measured choice) never splits a section that fits; 0.2 cost 3 points of section-hit@1.
    /// </summary>
    public double SemanticThreshold { get; init; }

    /// <summary>A topic split never leaves a side smaller than this many tokens.</summary>
    public int MinTopicTokens { get; init; } = 64;
}

/// <summary>Duplicate detection among the chunks of one index.</summary>
public sealed record DeduplicationOptions
{
    /// <summary>Link exact and near duplicates to their original instead of indexing them again.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Estimated Jaccard similarity of word shingles at or above which a chunk is a near duplicate.</summary>
    public double NearDuplicateJaccard { get; init; } = 0.9;

    /// <summary>Chunks shorter than this many words are only deduplicated exactly (short texts collide by chance).</summary>
    public int MinWords { get; init; } = 8;
}
