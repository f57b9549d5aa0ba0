using System.Diagnostics;
using RagService.Core.Search;
using RagService.Retrieval.Pipeline;

namespace RagService.Retrieval.Legs;

/// <summary>The BM25 leg: the lexical index searched with the filter applied inside it, for at least topK candidates.</summary>
internal sealed class Bm25LegStage(SearchComponents components) : ISearchStage<SearchContext>
{
    public string Name => "bm25";

    public async Task<StageOutcome> RunAsync(SearchContext context, CancellationToken cancellationToken)
    {
        if (!context.UseBm25)
        {
            return StageOutcome.Off("dense mode");
        }

        var clock = Stopwatch.StartNew();
        var hits = await components.Lexical.SearchAsync(context.LexicalQuery, Wanted(context, components.Options), context.Filter, cancellationToken).ConfigureAwait(false);
        context.Bm25 = new LegResult(hits, clock.Elapsed.TotalMilliseconds, 0, null);
        return new StageOutcome(true, FormattableString.Invariant($"{hits.Count} hits"));
    }

    /// <summary>BM25 candidates: the configured number, raised to topK.</summary>
    public static int Wanted(SearchContext context, RetrievalOptions options) => Math.Max(options.Bm25Candidates, context.Request.TopK);
}
