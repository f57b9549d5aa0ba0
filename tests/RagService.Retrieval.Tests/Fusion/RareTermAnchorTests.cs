using RagService.Core.Chunks;
using RagService.Core.Indexes;
using RagService.Core.Search;
using RagService.Retrieval.Fusion;
using RagService.Retrieval.Tests.InMemory;

namespace RagService.Retrieval.Tests.Fusion;

/// <summary>The rare-term anchor: an exact match on a rare term is not outvoted by a dense leg that cannot weigh it (issue 14).</summary>
public sealed class RareTermAnchorTests
{
    private static readonly Dictionary<string, string> Texts = new(StringComparer.Ordinal)
    {
        ["a"] = "asset MX-48213-QF pump inspected",
        ["b"] = "asset MX-51120-KD pump inspected",
        ["c"] = "asset MX-70031-PA pump inspected",
    };

    private static QueryTermStatistics Terms(int chunks, params (string Surface, int Df)[] terms) =>
        new(terms.Select(t => new QueryTermFrequency(t.Surface, t.Surface.ToLowerInvariant(), t.Df)).ToList(), chunks);

    private static List<ScoredChunkId> Hits(params (string Id, float Score)[] hits) => hits.Select(h => new ScoredChunkId(h.Id, h.Score)).ToList();

    // BM25 puts a far ahead on the rare term; the dense leg is flat (it cannot tell look-alikes apart).
    private static readonly List<ScoredChunkId> Bm25 = Hits(("a", 9f), ("b", 2f), ("c", 2f));
    private static readonly List<ScoredChunkId> FlatDense = Hits(("b", 0.61f), ("c", 0.60f), ("a", 0.59f));

    [Fact]
    public void The_top_bm25_hit_holding_a_rare_term_verbatim_is_anchored_and_the_note_says_why()
    {
        var decision = RareTermAnchor.Decide(Bm25, FlatDense, Terms(400, ("pump", 300), ("48213", 1)), id => Texts[id], maxChunks: 3, maxOthersShare: 0.5);

        Assert.NotNull(decision);
        Assert.Equal("a", decision.ChunkId);
        Assert.Equal("48213", decision.Surface);
        Assert.Equal(1, decision.DocumentFrequency);
        Assert.Equal(2.0 / 9.0, decision.OthersShare, 6);
        Assert.True(decision.Bm25Lead > decision.DenseLead);
        Assert.StartsWith("rare-term anchor: bm25 #1 holds '48213' (in 1 of 400 chunks;", decision.Note, StringComparison.Ordinal);
        Assert.EndsWith("kept first", decision.Note, StringComparison.Ordinal);
        Assert.DoesNotContain("400", decision.FilteredNote, StringComparison.Ordinal);
        Assert.StartsWith("rare-term anchor: bm25 #1 holds the rare term '48213'", decision.FilteredNote, StringComparison.Ordinal);
    }

    [Fact]
    public void A_term_in_more_chunks_than_the_limit_is_not_rare()
    {
        Assert.Null(RareTermAnchor.Decide(Bm25, FlatDense, Terms(400, ("48213", 4)), id => Texts[id], maxChunks: 3, maxOthersShare: 0.5));
        Assert.NotNull(RareTermAnchor.Decide(Bm25, FlatDense, Terms(400, ("48213", 3)), id => Texts[id], maxChunks: 3, maxOthersShare: 0.5));
    }

    [Fact]
    public void In_a_small_index_no_term_is_rare()
    {
        // One chunk in 19 is more than one in twenty.
        Assert.Null(RareTermAnchor.Decide(Bm25, FlatDense, Terms(19, ("48213", 1)), id => Texts[id], maxChunks: 3, maxOthersShare: 0.5));
        Assert.NotNull(RareTermAnchor.Decide(Bm25, FlatDense, Terms(20, ("48213", 1)), id => Texts[id], maxChunks: 3, maxOthersShare: 0.5));
    }

    [Fact]
    public void A_match_the_common_words_carry_is_not_anchored()
    {
        // The best hit without the rare term scores 0.8 of the top hit: the query's other words make the match.
        var bm25 = Hits(("a", 10f), ("b", 8f), ("c", 2f));
        var dense = Hits(("b", 0.6f), ("c", 0.6f), ("a", 0.6f));

        Assert.Null(RareTermAnchor.Decide(bm25, dense, Terms(400, ("48213", 1)), id => Texts[id], maxChunks: 3, maxOthersShare: 0.5));
    }

    [Fact]
    public void A_rare_term_the_top_hit_does_not_hold_verbatim_is_not_an_anchor()
    {
        // "4821" is a term of the query, but only "MX-48213-QF" is in the text: part of a longer word is not a match.
        Assert.Null(RareTermAnchor.Decide(Bm25, FlatDense, Terms(400, ("4821", 1)), id => Texts[id], maxChunks: 3, maxOthersShare: 0.5));
    }

    [Fact]
    public void A_dense_leg_surer_of_another_chunk_than_bm25_is_of_its_own_is_not_overruled()
    {
        // BM25's lead over a flat list of 3 is z 1.41; the dense leg puts b further ahead of a long flat list.
        var bm25 = Hits(("a", 9f), ("b", 2f), ("c", 2f));
        var dense = new List<ScoredChunkId> { new("b", 0.95f) };
        dense.AddRange(Enumerable.Range(0, 30).Select(i => new ScoredChunkId("x" + i, 0.30f)));

        Assert.Null(RareTermAnchor.Decide(bm25, dense, Terms(400, ("48213", 1)), id => Texts.GetValueOrDefault(id, ""), maxChunks: 3, maxOthersShare: 0.5));
    }

    [Theory]
    [InlineData("Asset MX-48213-QF was inspected", "MX-48213-QF", true)]
    [InlineData("asset mx-48213-qf.", "MX-48213-QF", true)]
    [InlineData("asset MX-482130-QF", "48213", false)]
    [InlineData("ref 148213", "48213", false)]
    [InlineData("ref 48213", "48213", true)]
    [InlineData("一个API网关的配置", "网关", true)]
    [InlineData("K8s集群", "K8s", true)]
    [InlineData("", "x", false)]
    public void Verbatim_means_the_whole_word_ignoring_case(string text, string surface, bool expected) =>
        Assert.Equal(expected, RareTermAnchor.HoldsVerbatim(text, surface));

    /// <summary>
    /// Sixty look-alike records; the query names one by its identifier. The dense leg cannot weigh the identifier
    /// and ranks that record last; rank fusion then puts a look-alike first. With the anchor, it is first.
    /// </summary>
    [Fact]
    public async Task A_hybrid_search_keeps_the_record_holding_the_identifier_first_and_the_trace_says_why()
    {
        const string query = "pump AX7";
        var chunks = Enumerable.Range(0, 60).Select(i => TestChunks.Create($"c{i:00}", $"d{i:00}", $"pump record AX{i} inspected, AX{i} passed")).ToList();
        var lexical = new InMemoryLexicalIndex(chunks);
        var vectors = new InMemoryVectorIndex(2);
        vectors.Upsert(chunks.Select(c => c.Id).ToList(), chunks.Select((c, i) => i == 7 ? new[] { 0f, 1f } : [1f, 0.02f * i]).ToList());
        var embedder = new FixedEmbeddingModel(2, new Dictionary<string, float[]> { [query] = [1f, 0f] });
        var retriever = new HybridRetriever(lexical, vectors, embedder, new InMemoryChunkLookup(chunks), HybridRetrieverTests.Classic);

        var anchored = await retriever.SearchAsync(new SearchRequest { Query = query, IncludeTrace = true }, CancellationToken.None);
        var outvoted = await retriever.SearchAsync(new SearchRequest { Query = query, IncludeTrace = true, Stages = new SearchStages { RareTermAnchor = false } }, CancellationToken.None);

        Assert.Equal("c07", anchored.Hits[0].Chunk.Id);
        Assert.NotEqual("c07", outvoted.Hits[0].Chunk.Id);
        var fusion = anchored.Trace!.Steps.Single(s => s.Stage == "fusion").Detail;
        Assert.Contains("rare-term anchor: bm25 #1 holds 'ax7' (in 1 of 60 chunks;", fusion, StringComparison.Ordinal);
        Assert.DoesNotContain("rare-term anchor", outvoted.Trace!.Steps.Single(s => s.Stage == "fusion").Detail, StringComparison.Ordinal);
    }
}
