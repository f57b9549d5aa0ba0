using RagService.Core.Search;

namespace RagService.Retrieval.Rewriting;

/// <summary>What the rewrite call returned, kept for a second pass over the same rewrites.</summary>
/// <param name="Failure">Why the call failed or timed out; null when it returned.</param>
internal sealed record RewriteOutcome(IReadOnlyList<RewrittenQuery> Rewrites, string? Failure);

/// <summary>A search fanned out over rewritten queries: each query's response (the original's first) and the hits by chunk id.</summary>
internal sealed record RewriteFanOut(RewriteOutcome Outcome, IReadOnlyList<SearchResponse> Responses, IReadOnlyDictionary<string, SearchHit> HitsById)
{
    /// <summary>What a per-query stage did for the original query, from its own trace.</summary>
    public SearchTraceStep? OriginalStep(string stage) =>
        Responses[0].Trace?.Steps.FirstOrDefault(s => s.Stage == stage);
}
