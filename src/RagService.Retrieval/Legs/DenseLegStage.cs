using System.Diagnostics;
using RagService.Core.Indexes;
using RagService.Core.Models;
using RagService.Core.Search;
using RagService.Retrieval.Pipeline;

namespace RagService.Retrieval.Legs;

/// <summary>
/// The dense leg: the query embedded as a query, then the vector index searched. The vector index cannot
/// evaluate a filter, so the chunk lookup names the chunks it may return; the index searches a small
/// allowed set exactly rather than oversampling its graph, and an empty one not at all.
/// </summary>
internal sealed class DenseLegStage(SearchComponents components) : ISearchStage<SearchContext>
{
    public string Name => "dense";

    public async Task<StageOutcome> RunAsync(SearchContext context, CancellationToken cancellationToken)
    {
        if (!context.UseDense)
        {
            return StageOutcome.Off("bm25 mode");
        }

        if (context.Hybrid && context.Languages.Dense.Skipped)
        {
            return StageOutcome.Off($"skipped: {context.Languages.Dense.Note}");
        }

        var embedder = components.Embedder;
        var vectors = components.Vectors;
        var clock = Stopwatch.StartNew();
        var embedded = await embedder.EmbedAsync([context.Analysis.Text], EmbeddingPurpose.Query, cancellationToken).ConfigureAwait(false);
        var embedMs = clock.Elapsed.TotalMilliseconds;
        if (embedded.Length != 1 || embedded[0].Length != vectors.Dimensions)
        {
            throw new InvalidOperationException(
                $"Embedding model '{embedder.Name}' returned a vector of {(embedded.Length == 1 ? embedded[0].Length : 0)} dimensions; the vector index holds {vectors.Dimensions}.");
        }

        clock.Restart();
        var filter = context.Filter;
        var allowed = filter.IsEmpty ? null : await components.Chunks.AllowedChunkIdsAsync(filter, cancellationToken).ConfigureAwait(false);
        var wanted = Math.Max(context.Request.TopK, components.Options.DenseCandidates);
        IReadOnlyList<ScoredChunkId> hits = allowed is { Count: 0 }
            ? []
            : await vectors.SearchAsync(embedded[0], wanted, allowed, cancellationToken).ConfigureAwait(false);
        context.Dense = new LegResult(hits, clock.Elapsed.TotalMilliseconds, embedMs, embedded[0]);
        return new StageOutcome(true, FormattableString.Invariant($"{hits.Count} hits"));
    }
}
