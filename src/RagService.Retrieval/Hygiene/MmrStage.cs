using RagService.Core.Search;
using RagService.Retrieval.Pipeline;

namespace RagService.Retrieval.Hygiene;

/// <summary>
/// The "mmr" stage: maximal marginal relevance over the top <see cref="RetrievalOptions.MmrWindow"/>
/// (<see cref="MaximalMarginalRelevance"/>), in place of near-duplicate suppression.
/// </summary>
internal sealed class MmrStage(RetrievalOptions options) : ISearchStage<SearchContext>
{
    public string Name => "mmr";

    public Task<StageOutcome> RunAsync(SearchContext context, CancellationToken cancellationToken)
    {
        var stages = context.Switches;
        var ranked = context.Candidates;
        if (!stages.Mmr)
        {
            return Task.FromResult(StageOutcome.Off("off"));
        }

        if (ranked.Count < 2)
        {
            return Task.FromResult(new StageOutcome(false, DedupStage.NothingToCompare(ranked.Count)));
        }

        var window = Math.Min(ranked.Count, Math.Max(1, options.MmrWindow));
        var (order, moved) = MaximalMarginalRelevance.Reorder(
            ranked.Select(c => context.Live[c.ChunkId].Text).ToList(), ranked.Select(c => c.Score).ToList(), stages.MmrLambda, window);
        context.Candidates = order.Select(i => ranked[i]).ToList();
        return Task.FromResult(new StageOutcome(moved > 0, FormattableString.Invariant(
            $"λ={stages.MmrLambda:0.###} over the top {window}: {moved} positions changed")));
    }
}
