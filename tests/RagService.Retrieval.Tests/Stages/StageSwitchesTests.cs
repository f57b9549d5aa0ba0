using RagService.Core.Search;

namespace RagService.Retrieval.Tests.Stages;

/// <summary>The service's settings as stage switches: what the dashboard shows a search runs with when nothing overrides them.</summary>
public sealed class StageSwitchesTests
{
    [Fact]
    public void Every_stage_switch_has_the_configured_value()
    {
        var options = new RetrievalOptions
        {
            Mmr = true, MmrLambda = 0.4, RewriteHyde = false, Fusion = "rrf", RrfK = 20, Rerank = false, DateHintMode = "boost", Routing = true,
        };

        var switches = options.StageSwitches();

        // A switch added to SearchStages without a configured default would show as unknown: none may be left out.
        Assert.All(typeof(SearchStages).GetProperties(), p => Assert.True(p.GetValue(switches) is not null, $"{p.Name} is not set"));
        Assert.Equal((true, 0.4, false, "rrf", 20, false, "boost", true, true),
            (switches.Mmr, switches.MmrLambda, switches.Hyde, switches.Fusion, switches.RrfK, switches.Rerank, switches.DateHintMode, switches.Routing, switches.PseudoRelevanceFeedback));

        // An index's defaults go over them member by member.
        var index = new SearchStages { Mmr = false, Fusion = "zscore" }.Over(switches);
        Assert.Equal((false, "zscore", 0.4, 20), (index.Mmr, index.Fusion, index.MmrLambda, index.RrfK));
    }
}
