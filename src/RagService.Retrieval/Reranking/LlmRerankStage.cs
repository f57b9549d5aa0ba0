using RagService.Core.Search;
using RagService.Retrieval.Pipeline;

namespace RagService.Retrieval.Reranking;

/// <summary>
/// The "llm-rerank" stage: the LLM reorders the top <see cref="RetrievalOptions.LlmRerankCandidates"/> in one
/// listwise call within <see cref="RetrievalOptions.LlmRerankBudgetMs"/>; once per search, on the fused
/// ranking of all rewritten queries when the search fanned out.
/// </summary>
internal sealed class LlmRerankStage(SearchComponents components) : ISearchStage<SearchContext>
{
    public string Name => "llm-rerank";

    public async Task<StageOutcome> RunAsync(SearchContext context, CancellationToken cancellationToken)
    {
        var reranker = components.LlmReranker;
        if (!context.Switches.LlmRerank || reranker is null || context.Candidates.Count == 0)
        {
            return StageOutcome.Off(reranker is null ? "no LLM configured" : "off");
        }

        var options = components.Options;
        var result = await HeadReranking.RerankAsync(
            reranker, options.LlmRerankCandidates, options.LlmRerankBudgetMs, context.RankingQuery, context.Candidates, context.Live, cancellationToken).ConfigureAwait(false);
        context.Candidates = result.Ranked;
        foreach (var (id, score) in result.Scores ?? [])
        {
            if (!context.StageScores.TryGetValue(id, out var mine))
            {
                context.StageScores[id] = mine = new Dictionary<string, float>(StringComparer.Ordinal);
            }

            mine["llm-rerank"] = score;
        }

        return new StageOutcome(result.Scores is not null, result.Note);
    }
}
