using System.Globalization;
using RagService.Core.Indexes;
using RagService.Core.Search;
using RagService.Retrieval.QueryUnderstanding;

namespace RagService.Retrieval.Pipeline;

/// <summary>Turns a finished search context into hits (with each hit's per-stage scores) and, when asked, its trace.</summary>
internal static class SearchResponseBuilder
{
    /// <summary>The response of a search of one query.</summary>
    public static SearchResponse Single(SearchContext context, SearchComponents components)
    {
        var request = context.Request;
        var hits = ToHits(context, request.TopK);
        if (!request.IncludeTrace)
        {
            return new SearchResponse(hits, null);
        }

        var staleDropped = context.Bm25.Hits.Concat(context.PrfHits).Concat(context.Dense.Hits)
            .Select(h => h.ChunkId).Distinct(StringComparer.Ordinal).Count() - context.Live.Count;
        var trace = new SearchTrace
        {
            Mode = ModeName(request.Mode),
            Bm25Candidates = context.Bm25.Hits.Count,
            DenseCandidates = context.Dense.Hits.Count,
            Bm25Ms = context.Bm25.SearchMs,
            DenseMs = context.Dense.SearchMs,
            EmbedMs = context.Dense.EmbedMs,
            FuseMs = context.Steps.Where(s => s.Stage is "fusion" or "section-boost").Sum(s => s.Ms),
            Settings = Settings(context, components, staleDropped),
            Steps = WithRanks(context, hits),
        };
        return new SearchResponse(hits, trace);
    }

    /// <summary>
    /// The response of a search fanned out over rewritten queries: each hit as the query that found it first
    /// reported it, scored by the fused ranking, with the cross-query RRF score and the whole-search stages'
    /// scores added; the trace is the original query's, with the whole-search steps.
    /// </summary>
    public static SearchResponse FannedOut(SearchContext context, SearchComponents components)
    {
        var fanOut = context.FanOut!;
        var request = context.Request;
        var hits = context.Candidates.Take(request.TopK).Select(c =>
        {
            var hit = fanOut.HitsById[c.ChunkId];
            var scores = new Dictionary<string, float>(hit.Scores.StageScores ?? new Dictionary<string, float>(), StringComparer.Ordinal);
            if (fanOut.Responses.Count > 1)
            {
                scores["rewrite-rrf"] = (float)c.FusedScore;
            }

            if (context.StageScores.TryGetValue(c.ChunkId, out var extra))
            {
                foreach (var (name, value) in extra)
                {
                    scores[name] = value;
                }
            }

            return hit with { Score = (float)c.Score, Scores = hit.Scores with { StageScores = scores.Count > 0 ? scores : null } };
        }).ToList();

        SearchTrace? trace = null;
        if (request.IncludeTrace && fanOut.Responses[0].Trace is { } first)
        {
            var options = components.Options;
            var settings = new Dictionary<string, string>(first.Settings, StringComparer.Ordinal)
            {
                ["topK"] = Invariant(request.TopK),
                ["rewrite"] = "true",
                ["rewriter"] = components.Rewriter!.Name,
                ["rewriteTechniques"] = context.Switches.Techniques.ToString(),
                ["rewrittenQueries"] = Invariant(fanOut.Outcome.Rewrites.Count),
                ["rewriteBudgetMs"] = Invariant(options.RewriteBudgetMs),
            };
            AddWholeSearchSettings(settings, context, components);
            trace = first with { Settings = settings, Steps = WithRanks(context, hits) };
        }

        return new SearchResponse(hits, trace);
    }

    /// <summary>A retry with the query's dates as a boost: its date-hint step says the filter matched nothing first.</summary>
    public static SearchResponse WithDateFallback(SearchResponse retry, DateDecision dates)
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

    /// <summary>
    /// The steps with each returned hit's rank in the ranking the step left. A per-query step of a fanned-out
    /// search comes from the original query's own search and keeps its ranks there (of its returned hits,
    /// <see cref="RetrievalOptions.RewriteCandidates"/> at least), narrowed to this search's hits.
    /// </summary>
    private static List<SearchTraceStep> WithRanks(SearchContext context, IReadOnlyList<SearchHit> hits)
    {
        var ids = hits.Select(h => h.Chunk.Id).ToHashSet(StringComparer.Ordinal);
        return context.Steps.Select(step =>
        {
            if (context.Rankings.TryGetValue(step, out var ranking))
            {
                var ranks = new Dictionary<string, int>(ids.Count, StringComparer.Ordinal);
                for (var i = 0; i < ranking.Length && ranks.Count < ids.Count; i++)
                {
                    if (ids.Contains(ranking[i]))
                    {
                        ranks[ranking[i]] = i + 1;
                    }
                }

                return step with { Ranks = ranks };
            }

            return step.Ranks is { } earlier
                ? step with { Ranks = earlier.Where(r => ids.Contains(r.Key)).ToDictionary(r => r.Key, r => r.Value, StringComparer.Ordinal) }
                : step;
        }).ToList();
    }

    private static List<SearchHit> ToHits(SearchContext context, int topK)
    {
        var bm25Ranks = Ranks(context.Bm25Live);
        var denseRanks = Ranks(context.DenseLive);
        var hits = new List<SearchHit>(Math.Min(topK, context.Candidates.Count));
        foreach (var candidate in context.Candidates.Take(topK))
        {
            var breakdown = new ScoreBreakdown { FusedScore = (float)candidate.FusedScore };
            if (bm25Ranks.TryGetValue(candidate.ChunkId, out var b))
            {
                breakdown = breakdown with { Bm25Rank = b.Rank, Bm25Score = b.Score };
            }

            if (denseRanks.TryGetValue(candidate.ChunkId, out var d))
            {
                breakdown = breakdown with { DenseRank = d.Rank, DenseScore = d.Score };
            }

            if (context.RerankScores is { } rerankScores && rerankScores.TryGetValue(candidate.ChunkId, out var r))
            {
                breakdown = breakdown with { RerankScore = r };
            }

            if (context.StageScores.TryGetValue(candidate.ChunkId, out var s))
            {
                breakdown = breakdown with { StageScores = s };
            }

            hits.Add(new SearchHit(context.Live[candidate.ChunkId], (float)candidate.Score, breakdown));
        }

        return hits;
    }

    private static Dictionary<string, (int Rank, float Score)> Ranks(List<ScoredChunkId> leg)
    {
        var ranks = new Dictionary<string, (int, float)>(leg.Count, StringComparer.Ordinal);
        for (var i = 0; i < leg.Count; i++)
        {
            ranks[leg[i].ChunkId] = (i + 1, leg[i].Score);
        }

        return ranks;
    }

    private static Dictionary<string, string> Settings(SearchContext context, SearchComponents components, int staleDropped)
    {
        var request = context.Request;
        var stages = context.Switches;
        var options = components.Options;
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["topK"] = Invariant(request.TopK),
            ["filtered"] = context.Filter.IsEmpty ? "false" : "true",
            ["staleDropped"] = Invariant(staleDropped),
            ["queryUnderstanding"] = Bool(stages.QueryUnderstanding),
            ["pseudoRelevanceFeedback"] = Bool(stages.Prf),
            ["deduplicate"] = Bool(stages.Deduplicate),
            ["rerank"] = Bool(stages.Rerank && components.Reranker is not null),
            ["rewrite"] = Bool(stages.Rewrite && components.Rewriter is not null),
        };
        AddWholeSearchSettings(settings, context, components);
        if (context.UseBm25)
        {
            settings["bm25Candidates"] = Invariant(Math.Max(options.Bm25Candidates, request.TopK));
        }

        if (context.UseDense)
        {
            settings["denseCandidates"] = Invariant(Math.Max(options.DenseCandidates, request.TopK));
            settings["embeddingModel"] = components.Embedder.Name;
        }

        if (context.Hybrid)
        {
            settings["fusion"] = context.FusionName;
            settings["routing"] = Bool(stages.Routing);
            settings["rareTermAnchor"] = Bool(stages.RareTermAnchor);
            settings["bm25Weight"] = Invariant(context.Weights.Bm25);
            settings["denseWeight"] = Invariant(context.Weights.Dense);
            settings["secondStage"] = Bool(stages.SecondStage && components.SecondEmbedder is not null);
            if (components.SecondEmbedder is not null)
            {
                settings["secondStageModel"] = components.SecondEmbedder.Name;
            }

            if (context.FusionName == "rrf")
            {
                settings["rrfK"] = Invariant(stages.RrfK);
            }
        }

        return settings;
    }

    /// <summary>The settings of the stages that run once per search, rewritten or not: dates, LLM reranking, hygiene.</summary>
    private static void AddWholeSearchSettings(Dictionary<string, string> settings, SearchContext context, SearchComponents components)
    {
        var stages = context.Switches;
        var options = components.Options;
        settings["dateHints"] = stages.QueryUnderstanding && stages.DateHints ? stages.DateHintMode : "off";
        if (context.Dates is { Hint: { } hint, Use: not DateUse.None } dates)
        {
            settings["dateHint"] = $"{(dates.Use == DateUse.Filter ? "filter" : "boost")} {hint.Range}";
        }

        var llmRerank = stages.LlmRerank && components.LlmReranker is not null;
        settings["llmRerank"] = Bool(llmRerank);
        if (llmRerank)
        {
            settings["llmReranker"] = components.LlmReranker!.Name;
            settings["llmRerankCandidates"] = Invariant(options.LlmRerankCandidates);
            settings["llmRerankBudgetMs"] = Invariant(options.LlmRerankBudgetMs);
        }

        settings["hygiene"] = stages.Mmr ? "mmr" : stages.Deduplicate ? "dedup" : "off";
        if (stages.Mmr)
        {
            settings["mmrLambda"] = stages.MmrLambda.ToString(CultureInfo.InvariantCulture);
        }
    }

    private static string Bool(bool value) => value ? "true" : "false";

    private static string Invariant(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);

    public static string ModeName(SearchMode mode) => mode switch
    {
        SearchMode.Bm25 => "bm25",
        SearchMode.Dense => "dense",
        _ => "hybrid",
    };
}
