namespace RagService.Retrieval;

/// <summary>How hybrid retrieval gathers and fuses candidates. Bound from configuration; reported in traces.</summary>
public sealed record RetrievalOptions
{
    /// <summary>The largest topK a search may ask for.</summary>
    public const int MaxTopK = 1000;

    /// <summary>BM25 candidates fetched per query (raised to topK when topK is larger).</summary>
    public int Bm25Candidates { get; init; } = 100;

    /// <summary>Dense candidates fetched per query (raised to topK when topK is larger).</summary>
    public int DenseCandidates { get; init; } = 100;

    /// <summary>The k of reciprocal rank fusion.</summary>
    public int RrfK { get; init; } = 60;

    public double Bm25Weight { get; init; } = 1.0;

    public double DenseWeight { get; init; } = 1.0;

    /// <summary>"rrf" (reciprocal rank fusion) or "weighted" (min-max normalised score fusion).</summary>
    public string Fusion { get; init; } = "rrf";
}
