using RagService.Core.Chunks;
using RagService.Core.Indexes;

namespace RagService.Core.Search;

public enum SearchMode
{
    Bm25,
    Dense,
    Hybrid,
}

public sealed record SearchRequest
{
    public required string Query { get; init; }
    public int TopK { get; init; } = 10;
    public SearchMode Mode { get; init; } = SearchMode.Hybrid;
    public SearchFilter Filter { get; init; } = SearchFilter.None;
    public bool IncludeTrace { get; init; }
}

/// <summary>The per-stage scores of one hit: the trace that explains its rank.</summary>
public sealed record ScoreBreakdown
{
    public int? Bm25Rank { get; init; }
    public float? Bm25Score { get; init; }
    public int? DenseRank { get; init; }
    public float? DenseScore { get; init; }
    public float FusedScore { get; init; }
    public float? RerankScore { get; init; }
}

public sealed record SearchHit(Chunk Chunk, float Score, ScoreBreakdown Scores);

public sealed record SearchResponse(IReadOnlyList<SearchHit> Hits, SearchTrace? Trace);

public sealed record SearchTrace
{
    public required string Mode { get; init; }
    public int Bm25Candidates { get; init; }
    public int DenseCandidates { get; init; }
    public double Bm25Ms { get; init; }
    public double DenseMs { get; init; }
    public double EmbedMs { get; init; }
    public double FuseMs { get; init; }
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();
}
