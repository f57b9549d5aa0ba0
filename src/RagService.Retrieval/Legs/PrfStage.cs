using RagService.Core.Search;
using RagService.Core.Text;
using RagService.Retrieval.Pipeline;

namespace RagService.Retrieval.Legs;

/// <summary>
/// The "prf" stage: right after the BM25 leg (while the dense leg still runs), terms from the top BM25
/// hits expand the query (<see cref="PseudoRelevanceFeedback"/>) and the expanded query runs as a second
/// lexical leg, fused with a lower weight. Skipped for queries in Chinese unless configured.
/// </summary>
internal sealed class PrfStage(SearchComponents components) : ISearchStage<SearchContext>
{
    public string Name => "prf";

    public async Task<StageOutcome> RunAsync(SearchContext context, CancellationToken cancellationToken)
    {
        var options = components.Options;
        var chineseSkipsPrf = !options.PrfForChinese && Scripts.ContainsHan(context.LexicalQuery);
        if (!context.Switches.Prf || !context.UseBm25 || chineseSkipsPrf)
        {
            return StageOutcome.Off(context.Switches.Prf && chineseSkipsPrf ? "off for Chinese queries (Retrieval:PrfForChinese)" : "off");
        }

        var hits = context.Bm25.Hits;
        if (hits.Count == 0)
        {
            return new StageOutcome(false, "expansion=[]");
        }

        var top = hits.Take(options.PrfDocuments).ToList();
        var resolved = await components.Chunks.ResolveAsync(top.Select(h => h.ChunkId).ToHashSet(StringComparer.Ordinal), cancellationToken).ConfigureAwait(false);
        var texts = resolved.ToDictionary(c => c.Id, c => c.IndexText, StringComparer.Ordinal);
        var feedback = top.Where(h => texts.ContainsKey(h.ChunkId)).Select(h => (texts[h.ChunkId], (double)h.Score)).ToList();
        var expansion = PseudoRelevanceFeedback.ExpansionTerms(context.LexicalQuery, feedback, options.PrfTerms);
        if (expansion.Count == 0)
        {
            return new StageOutcome(false, "expansion=[]");
        }

        var expanded = PseudoRelevanceFeedback.ExpandedQuery(context.LexicalQuery, expansion);
        context.PrfHits = await components.Lexical.SearchAsync(expanded, Bm25LegStage.Wanted(context, options), context.Filter, cancellationToken).ConfigureAwait(false);
        return new StageOutcome(true, $"expansion=[{string.Join(' ', expansion.Select(e => e.Term))}]");
    }
}
