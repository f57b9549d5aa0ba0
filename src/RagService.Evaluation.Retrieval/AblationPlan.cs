using RagService.Core.Search;
using RagService.Retrieval;

namespace RagService.Evaluation.Retrieval;

/// <summary>One row of an evaluation: a name, a mode and the stage switches it runs with (null: the configured defaults).</summary>
public sealed record AblationStep(string Name, SearchMode Mode, SearchStages? Stages);

/// <summary>
/// The ablation <c>rag eval --ablation</c> runs: each retriever alone, the fusion variants, then each
/// stage added in turn on top of the previous row, and finally the default configuration exactly as
/// the API runs it, and that configuration with each optional first-stage step left out in turn (the
/// rows that decide whether PRF and routing stay on, measured on the final stack). Every row is
/// measured, including the stages that do not help.
/// </summary>
public static class AblationPlan
{
    public static IReadOnlyList<AblationStep> For(RetrievalOptions options)
    {
        var off = new SearchStages
        {
            Rewrite = false, QueryUnderstanding = false, DateHints = false, Routing = false, PseudoRelevanceFeedback = false,
            SecondStage = false, Rerank = false, LlmRerank = false, Deduplicate = false, Mmr = false, RareTermAnchor = false,
            Fusion = "rrf", Bm25Weight = 1, DenseWeight = 1,
        };
        var weighted = off with { Fusion = options.Fusion, Bm25Weight = options.Bm25Weight, DenseWeight = options.DenseWeight };
        var understanding = weighted with { QueryUnderstanding = true, DateHints = true };
        var routing = understanding with { Routing = true };
        var prf = routing with { PseudoRelevanceFeedback = true };
        var second = prf with { SecondStage = true };
        var dedup = second with { Deduplicate = true };
        var anchor = dedup with { RareTermAnchor = true };
        var rerank = anchor with { Rerank = true };
        var steps = new List<AblationStep>
        {
            new("bm25", SearchMode.Bm25, off),
            new("dense", SearchMode.Dense, off),
            new("hybrid rrf k=60", SearchMode.Hybrid, off),
            new("hybrid rrf k=20", SearchMode.Hybrid, off with { RrfK = 20 }),
            new("hybrid weighted min-max", SearchMode.Hybrid, off with { Fusion = "weighted" }),
            new("hybrid z-score", SearchMode.Hybrid, off with { Fusion = "zscore" }),
            new($"{options.Fusion} bm25 {options.Bm25Weight:0.##} dense {options.DenseWeight:0.##}", SearchMode.Hybrid, weighted),
            new("+ query understanding, date hints", SearchMode.Hybrid, understanding),
            new("+ routing", SearchMode.Hybrid, routing),
            new("+ PRF", SearchMode.Hybrid, prf),
            new("+ second stage", SearchMode.Hybrid, second),
            new("+ dedup", SearchMode.Hybrid, dedup),
            new("+ rare-term anchor", SearchMode.Hybrid, anchor),
        };
        if (!string.IsNullOrWhiteSpace(options.RerankerModelPath))
        {
            steps.Add(new("+ rerank", SearchMode.Hybrid, rerank));
        }

        steps.Add(new("default configuration", SearchMode.Hybrid, null));
        steps.Add(new($"default, PRF {(options.PseudoRelevanceFeedback ? "off" : "on")}", SearchMode.Hybrid, new SearchStages { PseudoRelevanceFeedback = !options.PseudoRelevanceFeedback }));
        steps.Add(new($"default, routing {(options.Routing ? "off" : "on")}", SearchMode.Hybrid, new SearchStages { Routing = !options.Routing }));
        steps.Add(new($"default, MMR {(options.Mmr ? "off" : "on")} (λ {options.MmrLambda:0.##})", SearchMode.Hybrid, new SearchStages { Mmr = !options.Mmr }));
        steps.Add(new($"default, second stage {(options.SecondStage ? "off" : "on")}", SearchMode.Hybrid, new SearchStages { SecondStage = !options.SecondStage }));
        steps.Add(new($"default, rare-term anchor {(options.RareTermAnchor ? "off" : "on")}", SearchMode.Hybrid, new SearchStages { RareTermAnchor = !options.RareTermAnchor }));
        return steps;
    }
}
