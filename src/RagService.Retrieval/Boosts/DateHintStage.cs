using RagService.Core.Indexes;
using RagService.Core.Search;
using RagService.Retrieval.Pipeline;
using RagService.Retrieval.QueryUnderstanding;

namespace RagService.Retrieval.Boosts;

/// <summary>
/// The "date-hint" stage: reports what a date named in the query did. A filter was applied inside each
/// retriever already (decided by query understanding, or once for all rewritten queries); a boost happens
/// here: candidates whose document date is in the hint's range gain <see cref="RetrievalOptions.DateBoost"/>
/// × the best score.
/// </summary>
internal sealed class DateHintStage(RetrievalOptions options) : ISearchStage<SearchContext>
{
    public string Name => "date-hint";

    public Task<StageOutcome> RunAsync(SearchContext context, CancellationToken cancellationToken)
    {
        var dates = context.Dates;
        return Task.FromResult(dates.Use switch
        {
            DateUse.Filter => new StageOutcome(true, dates.Detail),
            DateUse.Boost when Boost(dates.Hint!, context) is var boosted => new StageOutcome(boosted > 0, $"{dates.Detail}: {boosted} candidates boosted"),
            _ => new StageOutcome(false, dates.Detail),
        });
    }

    private int Boost(DateHint hint, SearchContext context)
    {
        var ranked = context.Candidates;
        if (ranked.Count == 0)
        {
            return 0;
        }

        var bonus = options.DateBoost * ranked.Max(c => Math.Abs(c.Score));
        var boosted = 0;
        for (var i = 0; i < ranked.Count; i++)
        {
            var chunk = context.Live[ranked[i].ChunkId];
            if ((chunk.DocumentDate ?? SearchFilter.DateTag(chunk.Tags)) is { } date && hint.Contains(date))
            {
                ranked[i] = ranked[i] with { Score = ranked[i].Score + bonus };
                boosted++;
            }
        }

        if (boosted > 0)
        {
            Candidate.SortBestFirst(ranked);
        }

        return boosted;
    }
}
