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
        var catalog = new CandidateCatalog([new DuplicateCandidate(stored.Id, "old", stored.ContentHash, MinHasher.ToBytes(signature), stored.Text)], MinHasher.BandKeys(signature));
        var near = Disclaimer.Replace("without notice", "without prior notice", StringComparison.Ordinal);

        var result = await new ChunkDeduplicator(new DeduplicationOptions { NearDuplicateJaccard = 0.8 }, catalog).MarkAsync("new", [Chunk("new", 0, Disclaimer), Chunk("new", 1, near)], CancellationToken.None);

        Assert.Equal(["old-3", "old-3"], result.Chunks.Select(c => c.DuplicateOf));
        Assert.Equal("new", catalog.LastExcluded);
    }

    [Fact]
    public void Exact_jaccard_counts_shared_word_shingles()
    {
        var a = MinHasher.Shingles("one two three four");
        var b = MinHasher.Shingles("one two three five");

        Assert.Equal(2, a.Count);
        Assert.Equal(1.0 / 3, MinHasher.ExactJaccard(a, b), 6);
        Assert.Equal(1.0, MinHasher.ExactJaccard(a, MinHasher.Shingles("One, two; THREE four.")));
    }

    [Fact]
    public async Task A_pair_whose_minhash_estimate_passes_but_whose_exact_jaccard_fails_is_not_linked()
    {
        const double threshold = 0.8;
        var original = Record(0);
        var originalShingles = MinHasher.Shingles(original);
        var originalSignature = MinHasher.Signature(original);

        // The estimate's noise: among templated records that truly sit under the threshold, some are estimated above it.
        var fooled = Enumerable.Range(1, 2000).Select(Record).First(r =>
            MinHasher.EstimateJaccard(originalSignature, MinHasher.Signature(r)) >= threshold
            && MinHasher.ExactJaccard(originalShingles, MinHasher.Shingles(r)) < threshold);

        var inBatch = await new ChunkDeduplicator(new DeduplicationOptions { NearDuplicateJaccard = threshold })
            .MarkAsync("a", [Chunk("a", 0, original), Chunk("a", 1, fooled)], CancellationToken.None);
        var catalog = new CandidateCatalog(
            [new DuplicateCandidate("old-0", "old", ChunkIdentity.ContentHash(original), MinHasher.ToBytes(originalSignature), original)],
            MinHasher.BandKeys(MinHasher.Signature(fooled)));
        var fromCatalog = await new ChunkDeduplicator(new DeduplicationOptions { NearDuplicateJaccard = threshold }, catalog)
            .MarkAsync("new", [Chunk("new", 0, fooled)], CancellationToken.None);

        Assert.Null(inBatch.Chunks[1].DuplicateOf);
        Assert.Equal(0, inBatch.NearDuplicates);
        Assert.Null(fromCatalog.Chunks[0].DuplicateOf);
    }

    [Fact]
    public async Task A_true_near_duplicate_is_linked_after_the_exact_check_and_one_without_stored_text_is_not()
    {
        var near = Disclaimer.Replace("at any time", "at any moment", StringComparison.Ordinal);
        var signature = MinHasher.Signature(Disclaimer);
        Assert.True(MinHasher.ExactJaccard(MinHasher.Shingles(Disclaimer), MinHasher.Shingles(near)) >= 0.9);
        var withText = new CandidateCatalog([new DuplicateCandidate("old-0", "old", ChunkIdentity.ContentHash(Disclaimer), MinHasher.ToBytes(signature), Disclaimer)], MinHasher.BandKeys(signature));
        var withoutText = new CandidateCatalog([new DuplicateCandidate("old-0", "old", ChunkIdentity.ContentHash(Disclaimer), MinHasher.ToBytes(signature))], MinHasher.BandKeys(signature));

        var linked = await new ChunkDeduplicator(new DeduplicationOptions(), withText).MarkAsync("new", [Chunk("new", 0, near)], CancellationToken.None);
        var unconfirmed = await new ChunkDeduplicator(new DeduplicationOptions(), withoutText).MarkAsync("new", [Chunk("new", 0, near)], CancellationToken.None);

        Assert.Equal("old-0", linked.Chunks[0].DuplicateOf);
        Assert.Equal(1, linked.NearDuplicates);
        Assert.Null(unconfirmed.Chunks[0].DuplicateOf);
    }

    /// <summary>A templated maintenance record: the same words each time but for its number and the identifier in every paragraph.</summary>
    private static string Record(int n)
    {
        var id = $"MX-{10000 + (n * 7919 % 90000)}-Q{(char)('A' + (n % 26))}";
        return $"Maintenance record {n}. Asset {id} was inspected by the field team on schedule and the pump housing showed normal wear. "
            + "The technician logged the oil level, the belt tension and the motor temperature, cleaned the intake filter and confirmed that the safety guards were fitted. "
            + $"The seals of {id} were replaced and the pressure test passed within tolerance after a full cycle of the line. "
            + $"Next inspection of {id} is due in six months unless vibration alarms are raised by the monitoring system before then.";
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
