using RagService.Core.Indexes;
using RagService.Retrieval.Fusion;

namespace RagService.Retrieval.Tests.Fusion;

public sealed class WeightedScoreFusionTests
{
    [Fact]
    public void Scores_are_min_max_normalised_per_list_then_weighted()
    {
        var bm25 = new RankedList("bm25", [new("a", 12f), new("b", 8f), new("c", 2f)], Weight: 1);
        var dense = new RankedList("dense", [new("c", 0.9f), new("a", 0.5f), new("d", 0.4f)], Weight: 2);

        var fused = new WeightedScoreFusion().Fuse([bm25, dense]);

        // bm25 normalised: a 1, b 0.6, c 0; dense normalised: c 1, a 0.2, d 0.
        // a = 1 + 2·0.2 = 1.4; c = 0 + 2·1 = 2; b = 0.6; d = 0.
        Assert.Equal(["c", "a", "b", "d"], fused.Select(f => f.ChunkId));
        Assert.Equal(2.0, fused[0].Score, 5);
        Assert.Equal(1.4, fused[1].Score, 5);
        Assert.Equal(0.6, fused[2].Score, 5);
        Assert.Equal(0.0, fused[3].Score, 5);
    }

    [Fact]
    public void A_list_without_spread_counts_each_item_as_one()
    {
        var fused = new WeightedScoreFusion().Fuse(
        [
            new RankedList("bm25", [new ScoredChunkId("a", 3f)], 0.5),
            new RankedList("dense", [], 1),
        ]);

        Assert.Equal(0.5, Assert.Single(fused).Score, 12);
    }
}
