using RagService.Retrieval.QueryUnderstanding;

namespace RagService.Retrieval.Routing;

/// <summary>The fusion weights routing chose for one query, and why.</summary>
public readonly record struct RoutedWeights(double Bm25, double Dense, string Reason);

/// <summary>
/// Per-query fusion weights from the query's intent: exact-match queries (identifiers, code, short
/// keyword lists) lean on BM25, which matches their tokens literally; open questions lean on the dense
/// model, which matches meaning. The multipliers scale the configured weights.
/// </summary>
public static class IntentRouter
{
    public static RoutedWeights Route(QueryAnalysis analysis, RetrievalOptions options, double bm25Weight, double denseWeight)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        ArgumentNullException.ThrowIfNull(options);
        var (lexical, reason) = analysis.Intent switch
        {
            QueryIntent.Identifier => (options.RouteIdentifierBm25Share, "identifier: BM25-leaning"),
            QueryIntent.Code => (options.RouteCodeBm25Share, "code-like: BM25-leaning"),
            QueryIntent.Keyword => (options.RouteKeywordBm25Share, "short keyword query: BM25-leaning"),
            QueryIntent.Question => (options.RouteQuestionBm25Share, "open question: dense-leaning"),
            _ => (0.5, "statement: configured weights"),
        };

        // A share of 0.5 keeps the configured weights; 1.0 would be BM25 alone, 0 dense alone.
        var bm25 = bm25Weight * 2 * lexical;
        var dense = denseWeight * 2 * (1 - lexical);
        return new RoutedWeights(bm25, dense, reason);
    }
}
