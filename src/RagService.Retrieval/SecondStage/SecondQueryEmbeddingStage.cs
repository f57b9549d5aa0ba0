using RagService.Core.Models;
using RagService.Core.Search;
using RagService.Retrieval.Pipeline;

namespace RagService.Retrieval.SecondStage;

/// <summary>
/// The second stage's model embeds the query while the legs run, so the rescoring after fusion does not
/// wait for it; only in hybrid searches with the stage on and a second model configured.
/// </summary>
internal sealed class SecondQueryEmbeddingStage(IEmbeddingModel? secondEmbedder) : ISearchStage<SearchContext>
{
    public string Name => "second-stage-query";

    public async Task<StageOutcome> RunAsync(SearchContext context, CancellationToken cancellationToken)
    {
        if (!SecondStageRescoreStage.Runs(context, secondEmbedder))
        {
            return StageOutcome.Off("off");
        }

        var embedded = await secondEmbedder!.EmbedAsync([context.Analysis.Text], EmbeddingPurpose.Query, cancellationToken).ConfigureAwait(false);
        context.SecondQueryVector = embedded[0];
        return new StageOutcome(true, secondEmbedder.Name);
    }
}
