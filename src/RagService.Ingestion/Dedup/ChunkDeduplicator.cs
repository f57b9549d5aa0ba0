using RagService.Core.Chunks;
using RagService.Core.Jobs;
using RagService.Core.Options;

namespace RagService.Ingestion.Dedup;

/// <summary>What deduplication decided for one document's chunks.</summary>
/// <param name="Chunks">The chunks, duplicates marked with <see cref="Chunk.DuplicateOf"/>.</param>
/// <param name="Signatures">MinHash signatures of the originals, for the catalog's near-duplicate lookups.</param>
public sealed record DeduplicationResult(IReadOnlyList<Chunk> Chunks, IReadOnlyList<ChunkSignature> Signatures, int ExactDuplicates, int NearDuplicates);

/// <summary>
/// Links each chunk that repeats an earlier chunk of the index to that original: exactly (same content
/// hash) or nearly (exact Jaccard of word 3-shingles at or above the threshold, for candidates found
/// through LSH bands whose MinHash estimate comes near it). Earlier means already live in the catalog,
/// or seen earlier in this run (earlier documents of the batch, earlier chunks of the same document).
/// A linked chunk is still indexed lexically with its own text; only its embedding is saved.
/// </summary>
public sealed class ChunkDeduplicator(DeduplicationOptions options, IDuplicateIndex? stored = null)
{
    /// <summary>
    /// How far under the threshold an estimate may fall and still be checked exactly: about four standard
    /// errors of a 128-hash estimate near 0.9, so a true near-duplicate is not lost to the estimate's noise.
    /// </summary>
    private const double EstimateMargin = 0.12;

    private readonly Dictionary<string, string> _originalByHash = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<(string ChunkId, uint[] Signature)>> _originalsByBand = new(StringComparer.Ordinal);

    // Originals seen in this run keep their text, so the exact check needs no lookup for them.
    private readonly Dictionary<string, string> _originalTexts = new(StringComparer.Ordinal);

    public async Task<DeduplicationResult> MarkAsync(string documentId, IReadOnlyList<Chunk> chunks, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(documentId);
        ArgumentNullException.ThrowIfNull(chunks);
        if (!options.Enabled || chunks.Count == 0)
        {
            return new DeduplicationResult(chunks, [], 0, 0);
        }

        var signatures = chunks.Select(c => MinHasher.Words(c.Text).Count >= options.MinWords ? MinHasher.Signature(c.Text) : null).ToList();
        var bands = signatures.Select(s => s is null ? [] : MinHasher.BandKeys(s)).ToList();

        var candidates = stored is null
            ? []
            : await stored.FindCandidatesAsync(documentId, chunks.Select(c => c.ContentHash).ToList(), bands.SelectMany(b => b).ToList(), ct).ConfigureAwait(false);
        var storedByHash = candidates.GroupBy(c => c.ContentHash, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(c => c.ChunkId, StringComparer.Ordinal).First().ChunkId, StringComparer.Ordinal);
        var storedSignatures = candidates.Where(c => c.MinHash is { Length: > 0 })
            .Select(c => (c.ChunkId, Signature: MinHasher.FromBytes(c.MinHash!))).ToList();
        var storedTexts = candidates.Where(c => c.Text is not null)
            .GroupBy(c => c.ChunkId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Text!, StringComparer.Ordinal);
        var shingleCache = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);

        var result = new List<Chunk>(chunks.Count);
        var kept = new List<ChunkSignature>();
        int exact = 0, near = 0;
        for (var i = 0; i < chunks.Count; i++)
        {
            var chunk = chunks[i];
            var original = _originalByHash.GetValueOrDefault(chunk.ContentHash) ?? storedByHash.GetValueOrDefault(chunk.ContentHash);
            if (original is not null)
            {
                exact++;
            }
            else if (signatures[i] is { } signature && NearestOriginal(chunk.Text, signature, bands[i], storedSignatures, storedTexts, shingleCache) is { } similar)
            {
                original = similar;
                near++;
            }

            if (original is not null)
            {
                result.Add(chunk with { DuplicateOf = original });
                continue;
            }

            result.Add(chunk);
            _originalByHash.TryAdd(chunk.ContentHash, chunk.Id);
            if (signatures[i] is { } own)
            {
                _originalTexts[chunk.Id] = chunk.Text;
                foreach (var key in bands[i])
                {
                    if (!_originalsByBand.TryGetValue(key, out var list))
                    {
                        _originalsByBand[key] = list = [];
                    }

                    list.Add((chunk.Id, own));
                }

                kept.Add(new ChunkSignature(chunk.Id, MinHasher.ToBytes(own), bands[i]));
            }
        }

        return new DeduplicationResult(result, kept, exact, near);
    }

    private string? NearestOriginal(
        string text,
        uint[] signature,
        IReadOnlyList<string> bandKeys,
        IReadOnlyList<(string ChunkId, uint[] Signature)> stored,
        IReadOnlyDictionary<string, string> storedTexts,
        Dictionary<string, HashSet<string>> shingleCache)
    {
        string? best = null;
        var bestScore = 0.0;
        HashSet<string>? own = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in bandKeys)
        {
            if (_originalsByBand.TryGetValue(key, out var list))
            {
                foreach (var (id, other) in list)
                {
                    Consider(id, other);
                }
            }
        }

        // Stored candidates came back because they share a band with some chunk of this document; check them all.
        foreach (var (id, other) in stored)
        {
            Consider(id, other);
        }

        return best;

        void Consider(string id, uint[] other)
        {
            if (!seen.Add(id))
            {
                return;
            }

            if (MinHasher.EstimateJaccard(signature, other) < options.NearDuplicateJaccard - EstimateMargin)
            {
                return;
            }

            // Without the original's text the pair cannot be confirmed, and an unconfirmed link could hide a document.
            var originalText = _originalTexts.GetValueOrDefault(id) ?? storedTexts.GetValueOrDefault(id);
            if (originalText is null)
            {
                return;
            }

            own ??= MinHasher.Shingles(text);
            if (!shingleCache.TryGetValue(id, out var theirs))
            {
                shingleCache[id] = theirs = MinHasher.Shingles(originalText);
            }

            var jaccard = MinHasher.ExactJaccard(own, theirs);
            if (jaccard >= options.NearDuplicateJaccard && jaccard > bestScore)
            {
                best = id;
                bestScore = jaccard;
            }
        }
    }
}
