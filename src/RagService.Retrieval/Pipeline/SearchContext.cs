using RagService.Core.Chunks;
using RagService.Core.Indexes;
using RagService.Core.Search;
using RagService.Retrieval.Legs;
using RagService.Retrieval.QueryUnderstanding;
using RagService.Retrieval.Rewriting;
using RagService.Retrieval.Routing;

namespace RagService.Retrieval.Pipeline;

/// <summary>
/// One search as it walks through the stages: the request, the stage switches in effect, what query
/// understanding found, each leg's hits, the live chunks, the candidate list and the trace steps recorded
/// so far. Each stage reads what the stages before it left and adds its own part.
/// </summary>
internal sealed class SearchContext
{
    public SearchContext(SearchRequest request, EffectiveStages switches, RewriteOutcome? earlierRewrites)
    {
        Request = request;
        Switches = switches;
        EarlierRewrites = earlierRewrites;
        Filter = request.Filter ?? SearchFilter.None;
        Analysis = QueryAnalysis.Plain(request.Query.Trim());
        LexicalQuery = Analysis.Text;
        RankingQuery = request.Query;
    }

    public SearchRequest Request { get; }

    /// <summary>The configured stage settings overridden by the request's.</summary>
    public EffectiveStages Switches { get; }

    /// <summary>The rewrites of a first attempt, reused when the search runs again (a date filter that left nothing).</summary>
    public RewriteOutcome? EarlierRewrites { get; }

    public bool UseBm25 => Request.Mode is SearchMode.Bm25 or SearchMode.Hybrid;

    public bool UseDense => Request.Mode is SearchMode.Dense or SearchMode.Hybrid;

    public bool Hybrid => Request.Mode == SearchMode.Hybrid;

    /// <summary>The filter each retriever applies: the request's, narrowed by a date the query names.</summary>
    public SearchFilter Filter { get; set; }

    public QueryAnalysis Analysis { get; set; }

    /// <summary>The query the lexical index sees (quotes stripped without query understanding).</summary>
    public string LexicalQuery { get; set; }

    /// <summary>The query rerankers score passages against.</summary>
    public string RankingQuery { get; set; }

    public DateDecision Dates { get; set; } = DateDecision.Off;

    public RoutedWeights Weights { get; set; }

    /// <summary>The query's language and what it means for each model (the "language" stage); everything covered until it runs.</summary>
    public LanguageDecisions Languages { get; set; } = LanguageDecisions.Unchecked;

    public LegResult Bm25 { get; set; } = LegResult.Skipped;

    public LegResult Dense { get; set; } = LegResult.Skipped;

    /// <summary>The PRF leg's hits (the expanded query's BM25 search); empty when PRF added no term.</summary>
    public IReadOnlyList<ScoredChunkId> PrfHits { get; set; } = [];

    /// <summary>The second stage's model's vector of the query, embedded alongside the legs.</summary>
    public float[]? SecondQueryVector { get; set; }

    /// <summary>The chunks the hits resolved to that are live and pass the filter, by id.</summary>
    public Dictionary<string, Chunk> Live { get; set; } = new(StringComparer.Ordinal);

    public List<ScoredChunkId> Bm25Live { get; set; } = [];

    public List<ScoredChunkId> PrfLive { get; set; } = [];

    public List<ScoredChunkId> DenseLive { get; set; } = [];

    /// <summary>The ranking so far, best first.</summary>
    public List<Candidate> Candidates { get; set; } = [];

    public string FusionName { get; set; } = "none";

    /// <summary>The top BM25 hit fusion kept first for its rare query term; later reordering stages keep it there.</summary>
    public Fusion.AnchorDecision? Anchor { get; set; }

    /// <summary>Per-hit scores of later stages by stage name ("second-dense", "llm-rerank").</summary>
    public Dictionary<string, Dictionary<string, float>> StageScores { get; } = new(StringComparer.Ordinal);

    /// <summary>The cross-encoder's score of each candidate it scored; null when it did not run.</summary>
    public Dictionary<string, float>? RerankScores { get; set; }

    /// <summary>Set by the rewrite stage when the search fanned out over rewritten queries.</summary>
    public RewriteFanOut? FanOut { get; set; }

    /// <summary>The trace steps, in stage order; recorded by the pipeline.</summary>
    public List<SearchTraceStep> Steps { get; } = [];

    /// <summary>For a traced search: the candidate order (chunk ids, best first) each step left, by step.</summary>
    public Dictionary<SearchTraceStep, string[]> Rankings { get; } = new(ReferenceEqualityComparer.Instance);
}
