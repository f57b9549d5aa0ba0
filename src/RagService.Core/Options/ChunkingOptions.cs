namespace RagService.Core.Options;

/// <summary>Chunking settings, bound from "Chunking" in appsettings.json.</summary>
public sealed record ChunkingOptions
{
    /// <summary>Target upper bound of a chunk in embedding-model tokens (header included).</summary>
    public int MaxTokens { get; init; } = 256;

    /// <summary>Tokens of the previous chunk repeated at the start of the next when a section is split.</summary>
    public int OverlapTokens { get; init; }

    /// <summary>Prefix title and section path to the indexed (not the cited) text.</summary>
    public bool ContextualHeader { get; init; } = true;
}
