using RagService.Core.Indexes;
using RagService.Retrieval.Pipeline;

namespace RagService.Retrieval.QueryUnderstanding;

/// <summary>What a date named in the query does to one search.</summary>
internal enum DateUse
{
    None,
    Filter,
    Boost,
}

/// <summary>What the dates in a query do to this search, and why (for the trace).</summary>
internal sealed record DateDecision(DateHint? Hint, DateUse Use, string Detail)
{
    public static DateDecision Off { get; } = new(null, DateUse.None, "off");

    /// <summary>
    /// A range with a direction ("since March 2024", "before 2022-06-01") says which documents the user wants:
    /// in "auto" mode it filters. A period ("in 2023", "2024年3月") may as well describe the content, and a
    /// document's date is its upload time unless the uploader tagged one, so it boosts rather than excludes.
    /// A date range in the request's own filter always wins.
    /// </summary>
    public static DateDecision Decide(EffectiveStages stages, string query, SearchFilter? requestFilter)
    {
        if (!stages.QueryUnderstanding || !stages.DateHints)
        {
            return Off;
        }

        if (DateHints.Extract(query) is not { } hint)
        {
            return new DateDecision(null, DateUse.None, "no date in the query");
        }

        if (requestFilter is { HasDateRange: true })
        {
            return new DateDecision(hint, DateUse.None, $"'{hint.Text}' {hint.Range} ignored: the request's own date filter wins");
        }

        var filter = stages.DateHintMode switch
        {
            "filter" => true,
            "boost" => false,
            _ => hint.Directional,
        };
        return filter
            ? new DateDecision(hint, DateUse.Filter, $"filter {hint.Range} from '{hint.Text}' ({stages.DateHintMode})")
            : new DateDecision(hint, DateUse.Boost, $"boost {hint.Range} from '{hint.Text}' ({stages.DateHintMode})");
    }

    /// <summary><paramref name="filter"/> narrowed to the hint's range when the dates filter this search.</summary>
    public SearchFilter Narrow(SearchFilter filter) =>
        Use == DateUse.Filter ? filter with { ModifiedAfter = Hint!.After, ModifiedBefore = Hint.Before } : filter;
}
