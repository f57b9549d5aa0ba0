using System.Diagnostics;
using RagService.Core.Search;
using RagService.Retrieval.QueryUnderstanding;
using RagService.Retrieval.Rewriting;

namespace RagService.Retrieval.Pipeline;

/// <summary>
/// Runs the stages of <see cref="PipelineDefinition"/> over one search and records the trace: each stage's
/// name, whether it applied, its elapsed time and its note; each stage run is also a span and a
/// latency measurement (<see cref="SearchTelemetry"/>). When the rewrite stage fanned the search out
/// over rewritten queries, the per-query stages already ran inside each query's own search, so their steps
/// are taken from the original query's trace and only the whole-search stages run here.
/// </summary>
internal sealed class SearchPipeline
{
    private readonly SearchComponents components;
    private readonly IReadOnlyList<PipelineEntry> entries;

    public SearchPipeline(SearchComponents components)
    {
        this.components = components;
        entries = PipelineDefinition.Build(components, (request, ct) => RunAsync(request, null, ct));
    }

    /// <param name="earlierRewrites">The rewrites of a first attempt, reused when the search runs again.</param>
    public async Task<SearchResponse> RunAsync(SearchRequest request, RewriteOutcome? earlierRewrites, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.Query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(request.TopK);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(request.TopK, RetrievalOptions.MaxTopK);
        cancellationToken.ThrowIfCancellationRequested();

        // The caller's ACL principals ride in the filter from here on: every leg, the PRF expansion, the rewritten
        // queries' searches and the re-check of resolved chunks all apply them.
        request = request.Scoped();
        var context = new SearchContext(request, PipelineDefinition.Switches(components.Options, request.Stages), earlierRewrites);
        foreach (var entry in entries)
        {
            await RunEntryAsync(entry, context, cancellationToken).ConfigureAwait(false);
        }

        var response = context.FanOut is null ? SearchResponseBuilder.Single(context, components) : SearchResponseBuilder.FannedOut(context, components);

        // A date filter read from the query ("auto" mode) that leaves nothing: the search runs again with the
        // dates as a boost, since a document's date may only be its upload time. The trace says so.
        if (response.Hits.Count == 0 && context.Dates.Use == DateUse.Filter && context.Switches.DateHintMode == "auto")
        {
            var boost = request with { Stages = (request.Stages ?? new SearchStages()) with { DateHintMode = "boost" } };
            var retry = await RunAsync(boost, context.FanOut?.Outcome, cancellationToken).ConfigureAwait(false);
            return SearchResponseBuilder.WithDateFallback(retry, context.Dates);
        }

        return response;
    }

    private static async Task RunEntryAsync(PipelineEntry entry, SearchContext context, CancellationToken cancellationToken)
    {
        switch (entry)
        {
            case StageEntry stage:
                await RunStageAsync(stage, context, context.Steps, cancellationToken).ConfigureAwait(false);
                break;
            case ConcurrentEntry concurrent:
                // Each branch on its own thread-pool thread: a model or index that works synchronously inside
                // its async method still overlaps the other branches.
                var sinks = concurrent.Branches.Select(_ => new List<SearchTraceStep>()).ToList();
                await Task.WhenAll(concurrent.Branches.Select((branch, i) => Task.Run(
                    async () =>
                    {
                        foreach (var stage in branch)
                        {
                            await RunStageAsync(stage, context, sinks[i], cancellationToken).ConfigureAwait(false);
                        }
                    },
                    cancellationToken))).ConfigureAwait(false);
                foreach (var sink in sinks)
                {
                    context.Steps.AddRange(sink);
                }

                break;
            default:
                throw new InvalidOperationException($"Unknown pipeline entry {entry.GetType().Name}.");
        }
    }

    private static async Task RunStageAsync(StageEntry entry, SearchContext context, List<SearchTraceStep> sink, CancellationToken cancellationToken)
    {
        if (context.FanOut is { } fanOut && entry.Scope == StageScope.EachQuery)
        {
            if (entry.Traced && fanOut.OriginalStep(entry.Stage.Name) is { } step)
            {
                sink.Add(step);
            }

            return;
        }

        using var activity = SearchTelemetry.StartStage(entry.Stage.Name);
        var clock = Stopwatch.StartNew();
        var outcome = await entry.Stage.RunAsync(context, cancellationToken).ConfigureAwait(false);
        SearchTelemetry.RecordStage(activity, entry.Stage.Name, outcome.Applied, clock.Elapsed);
        if (entry.Traced)
        {
            var step = new SearchTraceStep(entry.Stage.Name, outcome.Applied, clock.Elapsed.TotalMilliseconds, outcome.Detail);
            sink.Add(step);

            // The ranking as this stage left it, for the trace's per-stage ranks of the returned hits. Only the
            // sequential stages after fusion have one (the concurrent legs write to their own sinks, before it).
            if (context.Request.IncludeTrace && ReferenceEquals(sink, context.Steps) && context.Candidates.Count > 0)
            {
                context.Rankings[step] = context.Candidates.Select(c => c.ChunkId).ToArray();
            }
        }
    }
}
