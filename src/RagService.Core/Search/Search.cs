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

    /// <summary>Per-request switches for the retrieval stages; null keeps the configured defaults.</summary>
    public SearchStages? Stages { get; init; }

    /// <summary>
    /// What the caller may see; null sees everything (in-process tools). The tenant is settled by which index is
    /// searched; the principals become <see cref="SearchFilter.Principals"/> through <see cref="Scoped"/>.
    /// </summary>
    public Security.AccessScope? Scope { get; init; }

    /// <summary>This request with the scope's principals in its filter (unchanged for a scope that sees all), so every leg filters by them.</summary>
    public SearchRequest Scoped() => Scope is { SeesAll: false } scope && Filter.Principals is null
        ? this with { Filter = Filter with { Principals = scope.Principals } }
        : this;
}

/// <summary>
/// Per-request overrides of the retrieval pipeline. Every member is optional: null keeps the value
/// configured for the service, so a request says only what it changes.
/// </summary>
public sealed record SearchStages
{
    /// <summary>LLM query rewriting (multi-query, decomposition, step-back, HyDE) fused across the rewritten queries; only when an LLM is configured.</summary>
    public bool? Rewrite { get; init; }

    /// <summary>Rewriting technique: paraphrases of the query (multi-query).</summary>
    public bool? MultiQuery { get; init; }

    /// <summary>Rewriting technique: a compound question split into its sub-questions.</summary>
    public bool? Decompose { get; init; }

    /// <summary>Rewriting technique: a step-back question, more general than the query.</summary>
    public bool? StepBack { get; init; }

    /// <summary>Rewriting technique: HyDE, a hypothetical answer passage searched as a query.</summary>
    public bool? Hyde { get; init; }

    /// <summary>Language detection, quoted phrases, section references and dates pulled out of the query.</summary>
    public bool? QueryUnderstanding { get; init; }

    /// <summary>Dates named in the query ("in 2023", "since March 2024", "2024年3月") become a document-date filter or boost (with query understanding).</summary>
    public bool? DateHints { get; init; }

    /// <summary>"auto" (a range with a direction filters, a period boosts), "boost" or "filter". An explicit date filter in the request always wins.</summary>
    public string? DateHintMode { get; init; }

    /// <summary>Per-query fusion weights from the query's intent.</summary>
    public bool? Routing { get; init; }

    /// <summary>Pseudo-relevance feedback (RM3-style) expansion as an extra lexical leg.</summary>
    public bool? PseudoRelevanceFeedback { get; init; }

    /// <summary>"rrf", "weighted" (min-max) or "zscore".</summary>
    public string? Fusion { get; init; }

    public int? RrfK { get; init; }

    public double? Bm25Weight { get; init; }

    public double? DenseWeight { get; init; }

    /// <summary>Keeps the top BM25 hit first when it holds a rare query term (an identifier, a code, a name) that the dense leg cannot weigh.</summary>
    public bool? RareTermAnchor { get; init; }

    /// <summary>Rescoring of the fused top candidates with BM25 and both embedding models together.</summary>
    public bool? SecondStage { get; init; }

    /// <summary>Cross-encoder reranking (when a reranker is configured).</summary>
    public bool? Rerank { get; init; }

    /// <summary>LLM reranking of the top candidates (listwise, when an LLM is configured), within a latency budget.</summary>
    public bool? LlmRerank { get; init; }

    /// <summary>Near-duplicate suppression of the final ranking.</summary>
    public bool? Deduplicate { get; init; }

    /// <summary>Maximal marginal relevance diversification of the top of the ranking; replaces near-duplicate suppression when on.</summary>
    public bool? Mmr { get; init; }

    /// <summary>MMR's λ in [0, 1]: 1 ranks by relevance alone, lower values trade relevance for diversity.</summary>
    public double? MmrLambda { get; init; }

    /// <summary>
    /// These switches over <paramref name="defaults"/> (an index's stage defaults): each member set here wins,
    /// each one left null takes the default's value.
    /// </summary>
    public SearchStages Over(SearchStages? defaults) => defaults is null ? this : new SearchStages
    {
        Rewrite = Rewrite ?? defaults.Rewrite,
        MultiQuery = MultiQuery ?? defaults.MultiQuery,
        Decompose = Decompose ?? defaults.Decompose,
        StepBack = StepBack ?? defaults.StepBack,
        Hyde = Hyde ?? defaults.Hyde,
        QueryUnderstanding = QueryUnderstanding ?? defaults.QueryUnderstanding,
        DateHints = DateHints ?? defaults.DateHints,
        DateHintMode = DateHintMode ?? defaults.DateHintMode,
        Routing = Routing ?? defaults.Routing,
        PseudoRelevanceFeedback = PseudoRelevanceFeedback ?? defaults.PseudoRelevanceFeedback,
        Fusion = Fusion ?? defaults.Fusion,
        RrfK = RrfK ?? defaults.RrfK,
        Bm25Weight = Bm25Weight ?? defaults.Bm25Weight,
        DenseWeight = DenseWeight ?? defaults.DenseWeight,
        RareTermAnchor = RareTermAnchor ?? defaults.RareTermAnchor,
        SecondStage = SecondStage ?? defaults.SecondStage,
        Rerank = Rerank ?? defaults.Rerank,
        LlmRerank = LlmRerank ?? defaults.LlmRerank,
        Deduplicate = Deduplicate ?? defaults.Deduplicate,
        Mmr = Mmr ?? defaults.Mmr,
        MmrLambda = MmrLambda ?? defaults.MmrLambda,
    };
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

    /// <summary>Scores of further stages by name (e.g. "second-dense", "second-stage"), when they ran.</summary>
    public IReadOnlyDictionary<string, float>? StageScores { get; init; }
}

public sealed record SearchHit(Chunk Chunk, float Score, ScoreBreakdown Scores)
{
    /// <summary>
    /// For generation: <see cref="Chunk"/> with the chunks assembled around it (its section or its
    /// neighbours, small-to-big), in document order, the hit included. Empty when the hit was not widened.
    /// Each chunk keeps its own provenance, so what is quoted from a neighbour is cited to the neighbour.
    /// </summary>
    public IReadOnlyList<Chunk> Context { get; init; } = [];

    /// <summary>What a generator reads for this hit: <see cref="Context"/>, or the chunk alone.</summary>
    public IReadOnlyList<Chunk> Passage => Context.Count > 0 ? Context : [Chunk];
}

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

    /// <summary>What each stage did, in order: its name, whether it ran, its time and a short note.</summary>
    public IReadOnlyList<SearchTraceStep> Steps { get; init; } = [];
}

/// <summary>One retrieval stage in a trace.</summary>
public sealed record SearchTraceStep(string Stage, bool Applied, double Ms, string Detail)
{
    /// <summary>
    /// The rank (1 = first) of each returned hit, by chunk id, in the ranking as this stage left it; a hit missing
    /// here was not in that ranking (a later stage brought it in). Null for the stages before there is a ranking
    /// (query understanding, routing, the legs): each hit's BM25 and dense ranks are in its scores.
    /// </summary>
    public IReadOnlyDictionary<string, int>? Ranks { get; init; }
}
