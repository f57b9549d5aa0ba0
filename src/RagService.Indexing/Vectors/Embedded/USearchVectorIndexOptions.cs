namespace RagService.Indexing.Vectors.Embedded;

/// <summary>HNSW parameters of the embedded vector index.</summary>
public sealed record USearchVectorIndexOptions
{
    /// <summary>Vector width; must match the embedding model (384 for minilm and arctic-xs).</summary>
    public int Dimensions { get; init; } = 384;

    /// <summary>Graph degree (M). 0 lets USearch choose (16). Stored in the index file.</summary>
    public int Connectivity { get; init; }

    /// <summary>Candidate list size while inserting (efConstruction). 0 lets USearch choose (128).</summary>
    public int ExpansionAdd { get; init; }

    /// <summary>
    /// Candidate list size while searching (ef). 0 lets USearch choose (64). The .NET binding can set it
    /// only when an index is created, so an index reopened from disk searches with USearch's default.
    /// </summary>
    public int ExpansionSearch { get; init; }

    /// <summary>An allowed set up to this size is searched exactly (brute force) instead of by oversampling the graph.</summary>
    public int ExactSearchThreshold { get; init; } = 4096;

    /// <summary>
    /// An allowed set holding more than this share of the index is searched by oversampling even under
    /// <see cref="ExactSearchThreshold"/>: the first graph search (four times topK) then holds about topK permitted
    /// chunks already, which costs far less than scoring every allowed vector (a reader who may open half of a
    /// 6,400-chunk index paid ~150 ms a query for the scan).
    /// </summary>
    public double ExactSearchMaxShare { get; init; } = 0.25;
}
