using RagService.Core.Search;

namespace RagService.Retrieval.Pipeline;

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
    /// <summary>Which rewriting techniques run (see <see cref="Rewriting.RewriteTechniques"/>).</summary>
    public Rewriting.RewriteTechniques Techniques { get; init; } = Rewriting.RewriteTechniques.None;

    public bool LlmRerank { get; init; }

    public bool DateHints { get; init; }

    public string DateHintMode { get; init; } = "auto";

    public bool Mmr { get; init; }

    /// <summary>The rare-term anchor of hybrid fusion (<see cref="Fusion.RareTermAnchor"/>).</summary>
    public bool RareTermAnchor { get; init; } = true;

    public double MmrLambda { get; init; } = 0.7;

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
            stages?.Rewrite ?? options.Rewrite)
        {
            Techniques = new Rewriting.RewriteTechniques(
                (stages?.MultiQuery ?? options.RewriteMultiQuery) ? Math.Max(0, options.RewriteParaphrases) : 0,
                stages?.Decompose ?? options.RewriteDecompose,
                stages?.StepBack ?? options.RewriteStepBack,
                stages?.Hyde ?? options.RewriteHyde),
            LlmRerank = stages?.LlmRerank ?? options.LlmRerank,
            DateHints = stages?.DateHints ?? options.DateHints,
            DateHintMode = DateMode(stages?.DateHintMode ?? options.DateHintMode, nameof(stages)),
            Mmr = stages?.Mmr ?? options.Mmr,
            RareTermAnchor = stages?.RareTermAnchor ?? options.RareTermAnchor,
            MmrLambda = Lambda(stages?.MmrLambda ?? options.MmrLambda, nameof(stages)),
        };
    }

    /// <summary>The date-hint modes: "auto", "boost" or "filter".</summary>
    public static bool IsDateHintMode(string? mode) => mode?.ToLowerInvariant() is "auto" or "boost" or "filter";

    private static string DateMode(string mode, string parameter) => IsDateHintMode(mode)
        ? mode.ToLowerInvariant()
        : throw new ArgumentException($"Unknown date hint mode '{mode}'; expected 'auto', 'boost' or 'filter'.", parameter);

    private static double Lambda(double lambda, string parameter) => lambda is >= 0 and <= 1
        ? lambda
        : throw new ArgumentOutOfRangeException(parameter, lambda, "MMR lambda must be between 0 and 1.");
}
