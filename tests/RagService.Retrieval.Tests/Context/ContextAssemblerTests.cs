using RagService.Core.Chunks;
using RagService.Core.Indexes;
using RagService.Core.Search;
using RagService.Retrieval.Context;

namespace RagService.Retrieval.Tests.Context;

public sealed class ContextAssemblerTests
{
    /// <summary>Six chunks of one document: ordinals 0-2 in section s1, 3-5 in section s2, each 10 tokens.</summary>
    private static readonly Chunk[] Document = Enumerable.Range(0, 6).Select(i => new Chunk
    {
        Id = $"c{i}",
        DocumentId = "d",
        DocumentVersion = 1,
        Ordinal = i,
        Text = $"Text {i}.",
        IndexText = $"Text {i}.",
        ContentHash = $"h{i}",
        TokenCount = 10,
        ParentSectionId = i < 3 ? "s1" : "s2",
        PreviousChunkId = i > 0 ? $"c{i - 1}" : null,
        NextChunkId = i < 5 ? $"c{i + 1}" : null,
    }).ToArray();

    private sealed class DocumentLookup : IChunkLookup
    {
        public Task<IReadOnlyList<Chunk>> ResolveAsync(IReadOnlyCollection<string> chunkIds, CancellationToken ct) =>
            Task.FromResult<IReadOnlyList<Chunk>>(Document.Where(c => chunkIds.Contains(c.Id)).ToList());

        public Task<IReadOnlySet<string>?> AllowedChunkIdsAsync(SearchFilter filter, CancellationToken ct) => Task.FromResult<IReadOnlySet<string>?>(null);

        public Task<IReadOnlyList<Chunk>> SectionOfAsync(Chunk chunk, CancellationToken ct) =>
            Task.FromResult<IReadOnlyList<Chunk>>(Document.Where(c => c.ParentSectionId == chunk.ParentSectionId).ToList());
    }

    private readonly ContextAssembler _assembler = new(new DocumentLookup());

    [Fact]
    public async Task Section_expansion_returns_the_hits_whole_section_in_document_order()
    {
        var passage = Assert.Single(await _assembler.AssembleAsync([Document[4]], 100, ContextExpansion.Section, CancellationToken.None));

        Assert.Equal(["c3", "c4", "c5"], passage.Chunks.Select(c => c.Id));
        Assert.Equal("Text 3.\n\nText 4.\n\nText 5.", passage.Text);
        Assert.Equal(Document[4], passage.Hit);
    }

    [Fact]
    public async Task Expansion_stops_at_the_budget_and_takes_the_nearest_chunks_first()
    {
        var passage = Assert.Single(await _assembler.AssembleAsync([Document[1]], 25, ContextExpansion.Neighbours, CancellationToken.None));

        Assert.Equal(["c0", "c1"], passage.Chunks.Select(c => c.Id));
        Assert.True(passage.Tokens <= 25);
    }

    [Fact]
    public async Task Neighbours_cross_section_boundaries_and_every_chunk_appears_once()
    {
        var passages = await _assembler.AssembleAsync([Document[2], Document[3]], 50, ContextExpansion.Neighbours, CancellationToken.None);

        Assert.Equal(2, passages.Count);
        var all = passages.SelectMany(p => p.Chunks).Select(c => c.Id).ToList();
        Assert.Equal(all.Distinct().Count(), all.Count);
        Assert.Equal(["c0", "c1", "c2", "c4"], passages[0].Chunks.Select(c => c.Id).Order());
        Assert.Contains("c3", passages[1].Chunks.Select(c => c.Id));
    }

    [Fact]
    public async Task Without_expansion_hits_are_kept_in_rank_order_within_the_budget()
    {
        var passages = await _assembler.AssembleAsync([Document[5], Document[0], Document[2]], 20, ContextExpansion.None, CancellationToken.None);

        Assert.Equal(["c5", "c0"], passages.Select(p => p.Hit.Id));
    }

    [Fact]
    public async Task Widen_keeps_every_hit_in_rank_order_and_gives_the_ones_the_budget_reaches_their_section()
    {
        var hits = new[] { Document[4], Document[1], Document[5] }
            .Select(c => new SearchHit(c, 1f, new ScoreBreakdown())).ToList();

        var widened = await _assembler.WidenAsync(hits, 40, ContextExpansion.Section, CancellationToken.None);

        Assert.Equal(["c4", "c1", "c5"], widened.Select(h => h.Chunk.Id));
        // 30 tokens of hits, then c3 for the first hit; c0 and c2 would exceed 40.
        Assert.Equal(["c3", "c4"], widened[0].Passage.Select(c => c.Id));
        Assert.Empty(widened[1].Context);
        Assert.Equal(["c1"], widened[1].Passage.Select(c => c.Id));
        Assert.Same(hits[2], widened[2]);
        Assert.Same(hits, await _assembler.WidenAsync(hits, 40, ContextExpansion.None, CancellationToken.None));
    }
}
