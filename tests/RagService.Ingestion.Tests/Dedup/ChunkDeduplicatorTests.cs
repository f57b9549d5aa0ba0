using RagService.Core.Chunks;
using RagService.Core.Jobs;
using RagService.Core.Options;
using RagService.Ingestion.Dedup;

namespace RagService.Ingestion.Tests.Dedup;

public sealed class ChunkDeduplicatorTests
{
    private static readonly string Disclaimer =
        "This document is provided for information only and does not constitute legal advice. The company accepts no liability " +
        "for any loss arising from reliance on its contents, and all figures are subject to change without notice at any time.";

    private static Chunk Chunk(string doc, int ordinal, string text) => new()
    {
        Id = $"{doc}-{ordinal}",
        DocumentId = doc,
        DocumentVersion = 1,
        Ordinal = ordinal,
        Text = text,
        IndexText = text,
        ContentHash = ChunkIdentity.ContentHash(text),
    };

    [Fact]
    public void MinHash_estimates_jaccard_high_for_a_one_word_edit_and_low_for_unrelated_text()
    {
        var edited = Disclaimer.Replace("legal advice", "tax advice", StringComparison.Ordinal);
        var other = "Backups are kept for thirty days in two regions and restored weekly to prove that they work as intended.";

        Assert.Equal(1.0, MinHasher.EstimateJaccard(MinHasher.Signature(Disclaimer), MinHasher.Signature(Disclaimer)));
        Assert.InRange(MinHasher.EstimateJaccard(MinHasher.Signature(Disclaimer), MinHasher.Signature(edited)), 0.8, 1.0);
        Assert.InRange(MinHasher.EstimateJaccard(MinHasher.Signature(Disclaimer), MinHasher.Signature(other)), 0.0, 0.2);
        Assert.Equal(MinHasher.Signature(Disclaimer), MinHasher.FromBytes(MinHasher.ToBytes(MinHasher.Signature(Disclaimer))));
    }

    [Fact]
    public void Chinese_text_is_shingled_by_character()
    {
        Assert.Equal(["备", "份", "保", "留", "30", "天"], MinHasher.Words("备份保留30天"));
    }

    [Fact]
    public async Task Exact_and_near_duplicates_across_documents_of_a_batch_point_to_the_first_copy()
    {
        var dedup = new ChunkDeduplicator(new DeduplicationOptions { NearDuplicateJaccard = 0.8 });
        var near = Disclaimer.Replace("at any time", "at any moment", StringComparison.Ordinal);

        var first = await dedup.MarkAsync("a", [Chunk("a", 0, "Intro of A is unique to the first document here."), Chunk("a", 1, Disclaimer)], CancellationToken.None);
        var second = await dedup.MarkAsync("b", [Chunk("b", 0, Disclaimer), Chunk("b", 1, near), Chunk("b", 2, "Body of B talks about something else entirely.")], CancellationToken.None);

        Assert.All(first.Chunks, c => Assert.Null(c.DuplicateOf));
        Assert.Equal("a-1", second.Chunks[0].DuplicateOf);
        Assert.Equal("a-1", second.Chunks[1].DuplicateOf);
        Assert.Null(second.Chunks[2].DuplicateOf);
        Assert.Equal((1, 1), (second.ExactDuplicates, second.NearDuplicates));
        Assert.DoesNotContain(second.Signatures, s => s.ChunkId is "b-0" or "b-1");
    }

    [Fact]
    public async Task A_chunk_below_the_threshold_is_kept_and_disabled_dedup_marks_nothing()
    {
        var rewritten = string.Join(' ', Disclaimer.Split(' ').Take(20)) + " and then the rest of this paragraph is written completely differently from the original one.";

        var strict = await new ChunkDeduplicator(new DeduplicationOptions()).MarkAsync("a", [Chunk("a", 0, Disclaimer), Chunk("a", 1, rewritten)], CancellationToken.None);
        var off = await new ChunkDeduplicator(new DeduplicationOptions { Enabled = false }).MarkAsync("a", [Chunk("a", 0, Disclaimer), Chunk("a", 1, Disclaimer)], CancellationToken.None);

        Assert.Null(strict.Chunks[1].DuplicateOf);
        Assert.All(off.Chunks, c => Assert.Null(c.DuplicateOf));
    }

    [Fact]
    public async Task Duplicates_of_chunks_already_in_the_catalog_are_found_by_hash_and_by_band()
    {
        var stored = Chunk("old", 3, Disclaimer);
        var signature = MinHasher.Signature(Disclaimer);
        var catalog = new CandidateCatalog([new DuplicateCandidate(stored.Id, "old", stored.ContentHash, MinHasher.ToBytes(signature))], MinHasher.BandKeys(signature));
        var near = Disclaimer.Replace("without notice", "without prior notice", StringComparison.Ordinal);

        var result = await new ChunkDeduplicator(new DeduplicationOptions { NearDuplicateJaccard = 0.8 }, catalog).MarkAsync("new", [Chunk("new", 0, Disclaimer), Chunk("new", 1, near)], CancellationToken.None);

        Assert.Equal(["old-3", "old-3"], result.Chunks.Select(c => c.DuplicateOf));
        Assert.Equal("new", catalog.LastExcluded);
    }

    /// <summary>Answers candidate lookups like the catalog: by content hash, or by any shared band key.</summary>
    private sealed class CandidateCatalog(IReadOnlyList<DuplicateCandidate> candidates, IReadOnlyList<string> bands) : IDuplicateIndex
    {
        public string? LastExcluded { get; private set; }

        public Task<IReadOnlyList<DuplicateCandidate>> FindCandidatesAsync(string excludeDocumentId, IReadOnlyCollection<string> contentHashes, IReadOnlyCollection<string> bandKeys, CancellationToken ct)
        {
            LastExcluded = excludeDocumentId;
            return Task.FromResult<IReadOnlyList<DuplicateCandidate>>(candidates.Where(c => contentHashes.Contains(c.ContentHash) || bandKeys.Intersect(bands).Any()).ToList());
        }

        public Task<IReadOnlyList<string>> RequeueOrphanedDuplicatesAsync(CancellationToken ct) => Task.FromResult<IReadOnlyList<string>>([]);

        public Task<IReadOnlyList<ChunkSignature>> SignaturesOfAsync(string documentId, CancellationToken ct) => Task.FromResult<IReadOnlyList<ChunkSignature>>([]);
    }
}
