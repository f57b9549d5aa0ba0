using RagService.Core.Indexes;
using RagService.Retrieval.Fusion;

namespace RagService.Retrieval.Tests.Fusion;

public sealed class ReciprocalRankFusionTests
{
    private static RankedList List(string name, double weight, params string[] ids) =>
        new(name, ids.Select((id, i) => new ScoredChunkId(id, 100 - i)).ToList(), weight);

    [Fact]
    public void Scores_are_the_sum_of_one_over_k_plus_rank()
    {
        var fused = new ReciprocalRankFusion().Fuse(
        [
            List("bm25", 1, "a", "b", "c"),
            List("dense", 1, "c", "a"),
        ]);

        // a: 1/61 + 1/62, c: 1/63 + 1/61, b: 1/62
        Assert.Equal(["a", "c", "b"], fused.Select(f => f.ChunkId));
        Assert.Equal(1.0 / 61 + 1.0 / 62, fused[0].Score, 12);
        Assert.Equal(1.0 / 63 + 1.0 / 61, fused[1].Score, 12);
        Assert.Equal(1.0 / 62, fused[2].Score, 12);
    }

    [Fact]
    public void Weights_scale_each_lists_votes()
    {
        var fused = new ReciprocalRankFusion(k: 10).Fuse(
        [
            List("bm25", 0.5, "a", "b"),
            List("dense", 2, "b", "a"),
        ]);

        // a: 0.5/11 + 2/12 = 0.21212..., b: 0.5/12 + 2/11 = 0.22348...
        Assert.Equal(["b", "a"], fused.Select(f => f.ChunkId));
        Assert.Equal(0.5 / 12 + 2.0 / 11, fused[0].Score, 12);
        Assert.Equal(0.5 / 11 + 2.0 / 12, fused[1].Score, 12);
    }

    [Fact]
    public void K_zero_gives_plain_reciprocal_ranks()
    {
        var fused = new ReciprocalRankFusion(k: 0).Fuse([List("only", 1, "x", "y", "z")]);

        Assert.Equal([1.0, 0.5, 1.0 / 3], fused.Select(f => f.Score));
    }

    [Fact]
    public void Ties_are_ordered_by_chunk_id_and_duplicates_vote_once()
    {
        var fused = new ReciprocalRankFusion().Fuse(
        [
            List("bm25", 1, "b", "b", "a"),
            List("dense", 1, "a", "b"),
        ]);

        // b: 1/61 (its second listing is ignored) + 1/62; a: 1/63 + 1/61 — b first.
        Assert.Equal(["b", "a"], fused.Select(f => f.ChunkId));
        Assert.Equal(1.0 / 61 + 1.0 / 62, fused[0].Score, 12);

        var tied = new ReciprocalRankFusion().Fuse([List("x", 1, "q"), List("y", 1, "p")]);
        Assert.Equal(["p", "q"], tied.Select(f => f.ChunkId));
    }

    [Fact]
    public void Negative_k_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReciprocalRankFusion(-1));
    }
}
