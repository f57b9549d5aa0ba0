using RagService.Core.Search;
using RagService.Retrieval.Pipeline;

namespace RagService.Retrieval.Reranking;

/// <summary>The "rerank" stage: the cross-encoder reorders the top <see cref="RetrievalOptions.RerankCandidates"/> within <see cref="RetrievalOptions.RerankBudgetMs"/>.</summary>
internal sealed class CrossEncoderRerankStage(SearchComponents components) : ISearchStage<SearchContext>
{
    public string Name => "rerank";

    public async Task<StageOutcome> RunAsync(SearchContext context, CancellationToken cancellationToken)
    {
        var reranker = components.Reranker;
        if (!context.Switches.Rerank || reranker is null || context.Candidates.Count == 0)
        {
            return StageOutcome.Off(reranker is null ? "no reranker configured" : "off");
        }

        if (context.Languages.Rerank is { Skipped: true } language)
        {
            return StageOutcome.Off($"skipped: {language.Note}");
        }

        var options = components.Options;
        var result = await HeadReranking.RerankAsync(
            reranker, options.RerankCandidates, options.RerankBudgetMs, context.RankingQuery, context.Candidates, context.Live, cancellationToken).ConfigureAwait(false);
        context.Candidates = result.Ranked;
        context.RerankScores = result.Scores;
        return new StageOutcome(result.Scores is not null, result.Note);
    }
}
