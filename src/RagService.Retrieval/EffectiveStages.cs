using RagService.Core.Search;

namespace RagService.Retrieval;

/// <summary>The stage settings one search runs with: the configured options, overridden by the request's <see cref="SearchStages"/>.</summary>
internal sealed record EffectiveStages(
    bool QueryUnderstanding,
    bool Routing,
    bool Prf,
    string Fusion,
    int RrfK,
    double Bm25Weight,
    double DenseWeight,
    bool SecondStage,
    bool Rerank,
    bool Deduplicate,
    bool Rewrite)
{
    public static EffectiveStages From(RetrievalOptions options, SearchStages? stages)
    {
        var fusion = (stages?.Fusion ?? options.Fusion).ToLowerInvariant();
        if (fusion is not ("rrf" or "weighted" or "zscore"))
        {
            throw new ArgumentException($"Unknown fusion '{fusion}'; expected 'rrf', 'weighted' or 'zscore'.", nameof(stages));
        }

        var rrfK = stages?.RrfK ?? options.RrfK;
        var bm25 = stages?.Bm25Weight ?? options.Bm25Weight;
        var dense = stages?.DenseWeight ?? options.DenseWeight;
        ArgumentOutOfRangeException.ThrowIfNegative(rrfK);
        ArgumentOutOfRangeException.ThrowIfNegative(bm25);
        ArgumentOutOfRangeException.ThrowIfNegative(dense);
        return new EffectiveStages(
            stages?.QueryUnderstanding ?? options.QueryUnderstanding,
            stages?.Routing ?? options.Routing,
            stages?.PseudoRelevanceFeedback ?? options.PseudoRelevanceFeedback,
            fusion,
            rrfK,
            bm25,
            dense,
            stages?.SecondStage ?? options.SecondStage,
            stages?.Rerank ?? options.Rerank,
            stages?.Deduplicate ?? options.Deduplicate,
            stages?.Rewrite ?? options.Rewrite);
    }
}
