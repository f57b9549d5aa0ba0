using RagService.Core.Search;
using RagService.Retrieval.Pipeline;

namespace RagService.Retrieval.Hygiene;

/// <summary>
/// The "dedup" stage: near-duplicates in the top <see cref="RetrievalOptions.DuplicateWindow"/> move below
/// every distinct hit (<see cref="NearDuplicateSuppressor"/>). MMR replaces it when on.
/// </summary>
internal sealed class DedupStage(RetrievalOptions options) : ISearchStage<SearchContext>
{
    public string Name => "dedup";

    public Task<StageOutcome> RunAsync(SearchContext context, CancellationToken cancellationToken)
    {
        var stages = context.Switches;
        var ranked = context.Candidates;
        if (stages.Mmr)
        {
            return Task.FromResult(StageOutcome.Off("replaced by mmr"));
        }

        if (!stages.Deduplicate)
        {
            return Task.FromResult(StageOutcome.Off("off"));
        }

        if (ranked.Count < 2)
        {
            return Task.FromResult(new StageOutcome(false, NothingToCompare(ranked.Count)));
        }

        var window = Math.Min(ranked.Count, Math.Max(1, options.DuplicateWindow));
        var (order, demoted) = NearDuplicateSuppressor.Reorder(ranked.Select(c => context.Live[c.ChunkId].Text).ToList(), options.DuplicateThreshold, window);
        context.Candidates = order.Select(i => ranked[i]).ToList();
        return Task.FromResult(new StageOutcome(demoted > 0, FormattableString.Invariant($"{demoted} near-duplicates demoted (Jaccard ≥ {options.DuplicateThreshold})")));
    }

    /// <summary>The note of a hygiene stage that ran over fewer than two candidates.</summary>
    public static string NothingToCompare(int candidates) => candidates == 1
        ? "1 candidate, nothing to compare"
        : "no candidates, nothing to compare";
}
