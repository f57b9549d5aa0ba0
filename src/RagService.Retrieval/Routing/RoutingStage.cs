using RagService.Core.Search;
using RagService.Retrieval.Pipeline;

namespace RagService.Retrieval.Routing;

/// <summary>The "routing" stage: fusion weights from the query's intent (hybrid searches with query understanding), else the configured weights.</summary>
internal sealed class RoutingStage(RetrievalOptions options) : ISearchStage<SearchContext>
{
    public string Name => "routing";

    public Task<StageOutcome> RunAsync(SearchContext context, CancellationToken cancellationToken)
    {
        var stages = context.Switches;
        var routed = stages.Routing && stages.QueryUnderstanding && context.Hybrid;
        var weights = routed
            ? IntentRouter.Route(context.Analysis, options, stages.Bm25Weight, stages.DenseWeight)
            : new RoutedWeights(stages.Bm25Weight, stages.DenseWeight, "configured weights");
        context.Weights = weights;
        return Task.FromResult(new StageOutcome(routed, FormattableString.Invariant($"{weights.Reason}: bm25 {weights.Bm25:0.###}, dense {weights.Dense:0.###}")));
    }
}
