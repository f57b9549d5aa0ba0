using RagService.Api.Querying;
using RagService.Core.Search;
using RagService.Evaluation.Retrieval;
using RagService.Indexing;

namespace RagService.Api.EvalRuns;

/// <summary>The search service the API runs, called directly (no HTTP, no JSON).</summary>
public sealed class InProcessSearcher(SearchService search, IndexStore store) : IEvalSearcher
{
    public string Transport => "in-process SearchService";

    public async Task<EvalSearchResult> SearchAsync(string query, int topK, SearchMode mode, SearchStages? stages, bool trace, CancellationToken ct)
    {
        var response = await search.SearchAsync(store, new SearchRequest { Query = query, TopK = topK, Mode = mode, Stages = stages, IncludeTrace = trace }, ct);
        return new EvalSearchResult(
            response.Hits.Select(h => new EvalHit(h.Chunk.DocumentId, h.Scores.FusedScore, h.Scores.Bm25Rank, h.Scores.DenseRank, h.Scores.StageScores)).ToList(),
            response.Trace);
    }
}
