using System.Diagnostics;
using System.Globalization;
using RagService.Core.Chunks;
using RagService.Core.Indexes;
using RagService.Core.Models;
using RagService.Core.Search;
using RagService.Retrieval.Fusion;

namespace RagService.Retrieval;

/// <summary>
/// Searches one RagService index by BM25, by dense vectors, or by both fused. The two legs run in
/// parallel; the filter is applied inside each retriever; hits are resolved to live chunks and stale
/// ids (a document replaced or deleted since the index was read) are dropped before fusion, so a
/// dead chunk neither appears nor pushes live chunks down the ranking.
/// </summary>
public sealed class HybridRetriever
{
    private readonly ILexicalIndex lexical;
    private readonly IVectorIndex vectors;
    private readonly IEmbeddingModel embedder;
    private readonly IChunkLookup chunks;
    private readonly RetrievalOptions options;
    private readonly IRankFusion fusion;

    public HybridRetriever(
        ILexicalIndex lexical,
        IVectorIndex vectors,
        IEmbeddingModel embedder,
        IChunkLookup chunks,
        RetrievalOptions options)
    {
        ArgumentNullException.ThrowIfNull(lexical);
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentNullException.ThrowIfNull(embedder);
        ArgumentNullException.ThrowIfNull(chunks);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Bm25Candidates);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.DenseCandidates);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Bm25Weight);
        ArgumentOutOfRangeException.ThrowIfNegative(options.DenseWeight);

        this.lexical = lexical;
        this.vectors = vectors;
        this.embedder = embedder;
        this.chunks = chunks;
        this.options = options;
        fusion = CreateFusion(options);
    }

    public RetrievalOptions Options => options;

    public async Task<SearchResponse> SearchAsync(SearchRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.Query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(request.TopK);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(request.TopK, RetrievalOptions.MaxTopK);
        cancellationToken.ThrowIfCancellationRequested();

        var filter = request.Filter ?? SearchFilter.None;
        var bm25Wanted = Math.Max(options.Bm25Candidates, request.TopK);
        var denseWanted = Math.Max(options.DenseCandidates, request.TopK);
        var useBm25 = request.Mode is SearchMode.Bm25 or SearchMode.Hybrid;
        var useDense = request.Mode is SearchMode.Dense or SearchMode.Hybrid;

        // Lucene and USearch searches are synchronous; running the BM25 leg on the pool lets it overlap
        // with query embedding, which dominates the dense leg's latency.
        var bm25Task = useBm25
            ? Task.Run(() => SearchLexical(request.Query, bm25Wanted, filter), cancellationToken)
            : Task.FromResult(LegResult.Skipped);
        var denseTask = useDense
            ? SearchDenseAsync(request.Query, denseWanted, filter, cancellationToken)
            : Task.FromResult(LegResult.Skipped);
        await Task.WhenAll(bm25Task, denseTask).ConfigureAwait(false);
        var bm25 = await bm25Task.ConfigureAwait(false);
        var dense = await denseTask.ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();

        var fuseClock = Stopwatch.StartNew();
        var live = ResolveLive(bm25.Hits, dense.Hits, filter);
        var bm25Live = KeepLive(bm25.Hits, live);
        var denseLive = KeepLive(dense.Hits, live);
        var hits = request.Mode == SearchMode.Hybrid
            ? Fuse(bm25Live, denseLive, live, request.TopK)
            : Single(request.Mode == SearchMode.Bm25 ? bm25Live : denseLive, request.Mode, live, request.TopK);
        fuseClock.Stop();

        var staleDropped = CountDistinct(bm25.Hits, dense.Hits) - live.Count;
        var trace = request.IncludeTrace
            ? new SearchTrace
            {
                Mode = ModeName(request.Mode),
                Bm25Candidates = bm25.Hits.Count,
                DenseCandidates = dense.Hits.Count,
                Bm25Ms = bm25.SearchMs,
                DenseMs = dense.SearchMs,
                EmbedMs = dense.EmbedMs,
                FuseMs = fuseClock.Elapsed.TotalMilliseconds,
                Settings = Settings(request, bm25Wanted, denseWanted, filter, staleDropped),
            }
            : null;
        return new SearchResponse(hits, trace);
    }

    private LegResult SearchLexical(string query, int topK, SearchFilter filter)
    {
        var clock = Stopwatch.StartNew();
        var hits = lexical.Search(query, topK, filter);
        return new LegResult(hits, clock.Elapsed.TotalMilliseconds, 0);
    }

    private async Task<LegResult> SearchDenseAsync(string query, int topK, SearchFilter filter, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var embedded = await embedder.EmbedAsync([query], EmbeddingPurpose.Query, cancellationToken).ConfigureAwait(false);
        var embedMs = clock.Elapsed.TotalMilliseconds;
        if (embedded.Length != 1 || embedded[0].Length != vectors.Dimensions)
        {
            throw new InvalidOperationException(
                $"Embedding model '{embedder.Name}' returned a vector of {(embedded.Length == 1 ? embedded[0].Length : 0)} dimensions; the vector index holds {vectors.Dimensions}.");
        }

        clock.Restart();

        // The vector index cannot evaluate a filter, so the catalog names the chunks it may return.
        var allowed = filter.IsEmpty ? null : chunks.AllowedChunkIds(filter);
        IReadOnlyList<ScoredChunkId> hits = allowed is { Count: 0 }
            ? []
            : await Task.Run(() => vectors.Search(embedded[0], topK, allowed), cancellationToken).ConfigureAwait(false);
        return new LegResult(hits, clock.Elapsed.TotalMilliseconds, embedMs);
    }

    private Dictionary<string, Chunk> ResolveLive(IReadOnlyList<ScoredChunkId> bm25, IReadOnlyList<ScoredChunkId> dense, SearchFilter filter)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var hit in bm25)
        {
            ids.Add(hit.ChunkId);
        }

        foreach (var hit in dense)
        {
            ids.Add(hit.ChunkId);
        }

        var live = new Dictionary<string, Chunk>(StringComparer.Ordinal);
        if (ids.Count == 0)
        {
            return live;
        }

        foreach (var chunk in chunks.Resolve(ids))
        {
            // The filter carries tenant and ACL restrictions: re-checking it on the resolved chunk means
            // a backend that ignored it, or tags changed since indexing, cannot leak a chunk.
            if (ids.Contains(chunk.Id) && filter.Matches(chunk))
            {
                live[chunk.Id] = chunk;
            }
        }

        return live;
    }

    private static List<ScoredChunkId> KeepLive(IReadOnlyList<ScoredChunkId> hits, Dictionary<string, Chunk> live)
    {
        var kept = new List<ScoredChunkId>(hits.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var hit in hits)
        {
            if (live.ContainsKey(hit.ChunkId) && seen.Add(hit.ChunkId))
            {
                kept.Add(hit);
            }
        }

        return kept;
    }

    private List<SearchHit> Fuse(List<ScoredChunkId> bm25, List<ScoredChunkId> dense, Dictionary<string, Chunk> live, int topK)
    {
        var bm25Ranks = Ranks(bm25);
        var denseRanks = Ranks(dense);
        var fused = fusion.Fuse(
        [
            new RankedList("bm25", bm25, options.Bm25Weight),
            new RankedList("dense", dense, options.DenseWeight),
        ]);

        var hits = new List<SearchHit>(Math.Min(topK, fused.Count));
        foreach (var candidate in fused.Take(topK))
        {
            var breakdown = new ScoreBreakdown { FusedScore = (float)candidate.Score };
            if (bm25Ranks.TryGetValue(candidate.ChunkId, out var b))
            {
                breakdown = breakdown with { Bm25Rank = b.Rank, Bm25Score = b.Score };
            }

            if (denseRanks.TryGetValue(candidate.ChunkId, out var d))
            {
                breakdown = breakdown with { DenseRank = d.Rank, DenseScore = d.Score };
            }

            hits.Add(new SearchHit(live[candidate.ChunkId], (float)candidate.Score, breakdown));
        }

        return hits;
    }

    /// <summary>One retriever alone: its own score is the hit's score (and its "fused" score, as nothing is fused).</summary>
    private static List<SearchHit> Single(List<ScoredChunkId> leg, SearchMode mode, Dictionary<string, Chunk> live, int topK)
    {
        var hits = new List<SearchHit>(Math.Min(topK, leg.Count));
        for (var i = 0; i < leg.Count && i < topK; i++)
        {
            var hit = leg[i];
            var breakdown = mode == SearchMode.Bm25
                ? new ScoreBreakdown { Bm25Rank = i + 1, Bm25Score = hit.Score, FusedScore = hit.Score }
                : new ScoreBreakdown { DenseRank = i + 1, DenseScore = hit.Score, FusedScore = hit.Score };
            hits.Add(new SearchHit(live[hit.ChunkId], hit.Score, breakdown));
        }

        return hits;
    }

    private static Dictionary<string, (int Rank, float Score)> Ranks(List<ScoredChunkId> leg)
    {
        var ranks = new Dictionary<string, (int, float)>(leg.Count, StringComparer.Ordinal);
        for (var i = 0; i < leg.Count; i++)
        {
            ranks[leg[i].ChunkId] = (i + 1, leg[i].Score);
        }

        return ranks;
    }

    private static int CountDistinct(IReadOnlyList<ScoredChunkId> a, IReadOnlyList<ScoredChunkId> b) =>
        a.Select(h => h.ChunkId).Concat(b.Select(h => h.ChunkId)).Distinct(StringComparer.Ordinal).Count();

    private Dictionary<string, string> Settings(SearchRequest request, int bm25Wanted, int denseWanted, SearchFilter filter, int staleDropped)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["topK"] = Invariant(request.TopK),
            ["filtered"] = filter.IsEmpty ? "false" : "true",
            ["staleDropped"] = Invariant(staleDropped),
        };
        if (request.Mode is SearchMode.Bm25 or SearchMode.Hybrid)
        {
            settings["bm25Candidates"] = Invariant(bm25Wanted);
        }

        if (request.Mode is SearchMode.Dense or SearchMode.Hybrid)
        {
            settings["denseCandidates"] = Invariant(denseWanted);
            settings["embeddingModel"] = embedder.Name;
        }

        if (request.Mode == SearchMode.Hybrid)
        {
            settings["fusion"] = fusion.Name;
            settings["bm25Weight"] = Invariant(options.Bm25Weight);
            settings["denseWeight"] = Invariant(options.DenseWeight);
            if (fusion is ReciprocalRankFusion rrf)
            {
                settings["rrfK"] = Invariant(rrf.K);
            }
        }

        return settings;
    }

    private static string Invariant(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);

    private static string ModeName(SearchMode mode) => mode switch
    {
        SearchMode.Bm25 => "bm25",
        SearchMode.Dense => "dense",
        _ => "hybrid",
    };

    private static IRankFusion CreateFusion(RetrievalOptions options) => options.Fusion.ToLowerInvariant() switch
    {
        "rrf" => new ReciprocalRankFusion(options.RrfK),
        "weighted" => new WeightedScoreFusion(),
        _ => throw new ArgumentException($"Unknown fusion '{options.Fusion}'; expected 'rrf' or 'weighted'.", nameof(options)),
    };

    private sealed record LegResult(IReadOnlyList<ScoredChunkId> Hits, double SearchMs, double EmbedMs)
    {
        public static LegResult Skipped { get; } = new([], 0, 0);
    }
}
