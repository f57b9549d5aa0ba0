using System.Diagnostics;
using System.Globalization;
using RagService.Core.Chunks;
using RagService.Core.Indexes;
using RagService.Core.Search;
using RagService.Retrieval.Hygiene;
using RagService.Retrieval.QueryUnderstanding;

namespace RagService.Retrieval;

/// <summary>
/// Dates in the query ("date-hint"), LLM reranking ("llm-rerank") and result hygiene ("dedup" or "mmr"):
/// the stages the plain and the rewritten searches share.
/// </summary>
public sealed partial class HybridRetriever
{
    private enum DateUse
    {
        None,
        Filter,
        Boost,
    }

    /// <summary>What the dates in a query do to this search, and why (for the trace).</summary>
    private sealed record DateDecision(DateHint? Hint, DateUse Use, string Detail)
    {
        public static DateDecision Off { get; } = new(null, DateUse.None, "off");
    }

    /// <summary>
    /// A range with a direction ("since March 2024", "before 2022-06-01") says which documents the user wants:
    /// in "auto" mode it filters. A period ("in 2023", "2024年3月") may as well describe the content, and a
    /// document's date is its upload time unless the uploader tagged one, so it boosts rather than excludes.
    /// A date range in the request's own filter always wins.
    /// </summary>
    private static DateDecision DecideDates(EffectiveStages stages, string query, SearchFilter? requestFilter)
    {
        if (!stages.QueryUnderstanding || !stages.DateHints)
        {
            return DateDecision.Off;
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

    /// <summary>Candidates whose document date is in the hint's range gain <see cref="RetrievalOptions.DateBoost"/> × the best score.</summary>
    private int ApplyDateBoost(DateDecision dates, List<Candidate> ranked, IReadOnlyDictionary<string, Chunk> live)
    {
        if (dates.Use != DateUse.Boost || ranked.Count == 0)
        {
            return 0;
        }

        var bonus = options.DateBoost * ranked.Max(c => Math.Abs(c.Score));
        var boosted = 0;
        for (var i = 0; i < ranked.Count; i++)
        {
            var chunk = live[ranked[i].ChunkId];
            if ((chunk.DocumentDate ?? SearchFilter.DateTag(chunk.Tags)) is { } date && dates.Hint!.Contains(date))
            {
                ranked[i] = ranked[i] with { Score = ranked[i].Score + bonus };
                boosted++;
            }
        }

        if (boosted > 0)
        {
            ranked.Sort((a, b) => b.Score != a.Score ? b.Score.CompareTo(a.Score) : StringComparer.Ordinal.Compare(a.ChunkId, b.ChunkId));
        }

        return boosted;
    }

    /// <summary>
    /// A date filter read from the query ("auto" mode) that leaves nothing: the search runs again with the
    /// dates as a boost, since a document's date may only be its upload time. The trace says so.
    /// </summary>
    private async Task<SearchResponse> DatesAsBoostAsync(SearchRequest request, DateDecision dates, CancellationToken cancellationToken)
    {
        var retry = await SearchAsync(request with { Stages = (request.Stages ?? new SearchStages()) with { DateHintMode = "boost" } }, cancellationToken).ConfigureAwait(false);
        return AnnotateDateFallback(retry, dates);
    }

    private static SearchResponse AnnotateDateFallback(SearchResponse retry, DateDecision dates)
    {
        if (retry.Trace is not { } trace)
        {
            return retry;
        }

        var steps = trace.Steps
            .Select(s => s.Stage == "date-hint" ? s with { Detail = $"{dates.Detail} matched nothing; instead {s.Detail}" } : s)
            .ToList();
        return retry with { Trace = trace with { Steps = steps } };
    }

    private static SearchTraceStep DateStep(DateDecision dates, int boosted, double ms) => dates.Use switch
    {
        DateUse.Filter => new SearchTraceStep("date-hint", true, ms, dates.Detail),
        DateUse.Boost => new SearchTraceStep("date-hint", boosted > 0, ms, $"{dates.Detail}: {boosted} candidates boosted"),
        _ => new SearchTraceStep("date-hint", false, ms, dates.Detail),
    };

    /// <summary>LLM reranking of the top candidates, then near-duplicate suppression or MMR.</summary>
    private async Task<List<Candidate>> FinalStagesAsync(
        string query, List<Candidate> ranked, IReadOnlyDictionary<string, Chunk> live, EffectiveStages stages,
        List<SearchTraceStep> steps, Dictionary<string, Dictionary<string, float>> stageScores, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        if (stages.LlmRerank && llmReranker is not null && ranked.Count > 0)
        {
            (ranked, var scores, var note) = await RerankAsync(
                llmReranker, options.LlmRerankCandidates, options.LlmRerankBudgetMs, query, ranked, live, cancellationToken).ConfigureAwait(false);
            foreach (var (id, score) in scores ?? [])
            {
                if (!stageScores.TryGetValue(id, out var mine))
                {
                    stageScores[id] = mine = new Dictionary<string, float>(StringComparer.Ordinal);
                }

                mine["llm-rerank"] = score;
            }

            steps.Add(new SearchTraceStep("llm-rerank", scores is not null, clock.Elapsed.TotalMilliseconds, note));
        }
        else
        {
            steps.Add(new SearchTraceStep("llm-rerank", false, 0, llmReranker is null ? "no LLM configured" : "off"));
        }

        if (stages.Mmr && ranked.Count > 1)
        {
            steps.Add(new SearchTraceStep("dedup", false, 0, "replaced by mmr"));
            clock.Restart();
            var window = Math.Min(ranked.Count, Math.Max(1, options.MmrWindow));
            var (order, moved) = MaximalMarginalRelevance.Reorder(
                ranked.Select(c => live[c.ChunkId].Text).ToList(), ranked.Select(c => c.Score).ToList(), stages.MmrLambda, window);
            ranked = order.Select(i => ranked[i]).ToList();
            steps.Add(new SearchTraceStep("mmr", moved > 0, clock.Elapsed.TotalMilliseconds, FormattableString.Invariant(
                $"λ={stages.MmrLambda:0.###} over the top {window}: {moved} positions changed")));
        }
        else if (stages.Deduplicate && ranked.Count > 1)
        {
            clock.Restart();
            var window = Math.Min(ranked.Count, Math.Max(1, options.DuplicateWindow));
            var (order, demoted) = NearDuplicateSuppressor.Reorder(ranked.Select(c => live[c.ChunkId].Text).ToList(), options.DuplicateThreshold, window);
            ranked = order.Select(i => ranked[i]).ToList();
            steps.Add(new SearchTraceStep("dedup", demoted > 0, clock.Elapsed.TotalMilliseconds, FormattableString.Invariant($"{demoted} near-duplicates demoted (Jaccard ≥ {options.DuplicateThreshold})")));
            steps.Add(new SearchTraceStep("mmr", false, 0, "off"));
        }
        else
        {
            steps.Add(new SearchTraceStep("dedup", false, 0, "off"));
            steps.Add(new SearchTraceStep("mmr", false, 0, "off"));
        }

        return ranked;
    }

    private void AddFinalStageSettings(Dictionary<string, string> settings, EffectiveStages stages, DateDecision dates)
    {
        settings["dateHints"] = stages.QueryUnderstanding && stages.DateHints ? stages.DateHintMode : "off";
        if (dates.Hint is { } hint && dates.Use != DateUse.None)
        {
            settings["dateHint"] = $"{(dates.Use == DateUse.Filter ? "filter" : "boost")} {hint.Range}";
        }

        settings["llmRerank"] = stages.LlmRerank && llmReranker is not null ? "true" : "false";
        if (stages.LlmRerank && llmReranker is not null)
        {
            settings["llmReranker"] = llmReranker.Name;
            settings["llmRerankCandidates"] = options.LlmRerankCandidates.ToString(CultureInfo.InvariantCulture);
            settings["llmRerankBudgetMs"] = options.LlmRerankBudgetMs.ToString(CultureInfo.InvariantCulture);
        }

        settings["hygiene"] = stages.Mmr ? "mmr" : stages.Deduplicate ? "dedup" : "off";
        if (stages.Mmr)
        {
            settings["mmrLambda"] = stages.MmrLambda.ToString(CultureInfo.InvariantCulture);
        }
    }
}
