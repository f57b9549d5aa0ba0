using RagService.Core.Search;

namespace RagService.Retrieval.Tests.Stages;

public sealed class SearchStagesTests
{
    [Fact]
    public void A_requests_switches_win_over_the_index_defaults_and_unset_ones_take_them()
    {
        var index = new SearchStages { LlmRerank = true, Mmr = true, MmrLambda = 0.5, DateHintMode = "filter", StepBack = false };
        var request = new SearchStages { Mmr = false, StepBack = true };

        var merged = request.Over(index);

        Assert.Equal(new SearchStages { LlmRerank = true, Mmr = false, MmrLambda = 0.5, DateHintMode = "filter", StepBack = true }, merged);
        Assert.Same(request, request.Over(null));
    }
}
