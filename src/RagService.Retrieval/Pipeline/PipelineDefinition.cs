using RagService.Core.Search;
using RagService.Retrieval.Boosts;
using RagService.Retrieval.Fusion;
using RagService.Retrieval.Hygiene;
using RagService.Retrieval.Legs;
using RagService.Retrieval.QueryUnderstanding;
using RagService.Retrieval.Reranking;
using RagService.Retrieval.Rewriting;
using RagService.Retrieval.Routing;
using RagService.Retrieval.SecondStage;

namespace RagService.Retrieval.Pipeline;

/// <summary>Where a stage runs when the search fans out over rewritten queries.</summary>
internal enum StageScope
{
    /// <summary>Inside each rewritten query's own search; the fanned-out trace shows the original query's step.</summary>
    EachQuery,

    /// <summary>Once per search, on the (fused) ranking.</summary>
    WholeSearch,
}

/// <summary>An entry of the pipeline: one stage, or branches of stages that run concurrently.</summary>
internal abstract record PipelineEntry;

/// <param name="Traced">False for a stage whose work the trace reports in its own fields (the legs' timings and counts).</param>
internal sealed record StageEntry(ISearchStage<SearchContext> Stage, StageScope Scope, bool Traced = true) : PipelineEntry;

/// <summary>Branches that run at the same time, each a sequence of stages; their trace steps follow in branch order.</summary>
internal sealed record ConcurrentEntry(IReadOnlyList<IReadOnlyList<StageEntry>> Branches) : PipelineEntry;

/// <summary>
/// The search pipeline, in one place: which stages run, in which order, and with which switches. The
/// order is the trace's (README, "Search stages"): rewrite → query-understanding → routing → language → the legs
/// (BM25 then PRF ∥ dense ∥ the second model's query embedding) → fusion → section-boost → date-hint →
/// second-stage → rerank → llm-rerank → dedup → mmr.
/// </summary>
internal static class PipelineDefinition
{
    /// <summary>The switches one search runs with: the configured defaults overridden by the request's <see cref="SearchStages"/>.</summary>
    public static EffectiveStages Switches(RetrievalOptions options, SearchStages? requested) => EffectiveStages.From(options, requested);

    /// <param name="fanOut">Runs one search of the pipeline; the rewrite stage fans out through it.</param>
    public static IReadOnlyList<PipelineEntry> Build(SearchComponents components, Func<SearchRequest, CancellationToken, Task<SearchResponse>> fanOut) =>
    [
        new StageEntry(new RewriteFanOutStage(components, fanOut), StageScope.WholeSearch),
        new StageEntry(new QueryUnderstandingStage(), StageScope.EachQuery),
        new StageEntry(new RoutingStage(components.Options), StageScope.EachQuery),
        new StageEntry(new LanguageCoverageStage(components), StageScope.EachQuery),
        new ConcurrentEntry(
        [
            [new StageEntry(new Bm25LegStage(components), StageScope.EachQuery, Traced: false), new StageEntry(new PrfStage(components), StageScope.EachQuery)],
            [new StageEntry(new DenseLegStage(components), StageScope.EachQuery, Traced: false)],
            [new StageEntry(new SecondQueryEmbeddingStage(components.SecondEmbedder), StageScope.EachQuery, Traced: false)],
        ]),
        new StageEntry(new FusionStage(components), StageScope.EachQuery),
        new StageEntry(new SectionBoostStage(components.Options), StageScope.EachQuery),
        new StageEntry(new DateHintStage(components.Options), StageScope.WholeSearch),
        new StageEntry(new SecondStageRescoreStage(components), StageScope.EachQuery),
        new StageEntry(new CrossEncoderRerankStage(components), StageScope.EachQuery),
        new StageEntry(new LlmRerankStage(components), StageScope.WholeSearch),
        new StageEntry(new DedupStage(components.Options), StageScope.WholeSearch),
        new StageEntry(new MmrStage(components.Options), StageScope.WholeSearch),
    ];
}
