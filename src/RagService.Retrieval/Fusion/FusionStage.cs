using RagService.Core.Chunks;
using RagService.Core.Indexes;
using RagService.Core.Search;
using RagService.Retrieval.Pipeline;

namespace RagService.Retrieval.Fusion;

/// <summary>
/// The "fusion" stage. The legs' hits are first resolved to live chunks: stale ids (a document replaced or
/// deleted since the index was read) and chunks the filter does not admit are dropped before fusion, so a
/// dead chunk neither appears nor pushes live chunks down. A hybrid search then fuses BM25, dense and the
/// PRF leg (rrf, weighted or zscore, with the routed weights); a one-leg search keeps that leg's order, and so
/// does a hybrid search whose dense leg the "language" stage skipped.
/// </summary>
internal sealed class FusionStage(SearchComponents components) : ISearchStage<SearchContext>
{
    public string Name => "fusion";

    public async Task<StageOutcome> RunAsync(SearchContext context, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var live = await ResolveLiveAsync(context, cancellationToken).ConfigureAwait(false);
        context.Live = live;
        context.Bm25Live = KeepLive(context.Bm25.Hits, live);
        context.PrfLive = KeepLive(context.PrfHits, live);
        context.DenseLive = KeepLive(context.Dense.Hits, live);
        var stages = context.Switches;
        var weights = context.Weights;
        var prfWeight = weights.Bm25 * components.Options.PrfWeight;
        // A hybrid search whose dense leg the language rule skipped is a lexical search: it keeps the lexical
        // order exactly, so it can never rank below its own lexical leg.
        var lexicalOnly = context.Hybrid && context.Languages.Dense.Skipped;
        if (!context.Hybrid || lexicalOnly)
        {
            context.FusionName = "none";
            var leg = context.Request.Mode == SearchMode.Dense
                ? context.DenseLive
                : (context.PrfLive.Count > 0 ? FuseLexical(context.Bm25Live, context.PrfLive) : context.Bm25Live);
            context.Candidates = leg.Select(h => new Candidate(h.ChunkId, h.Score, h.Score)).ToList();
            return new StageOutcome(false, lexicalOnly
                ? "single leg (bm25): dense skipped by language"
                : $"single leg ({SearchResponseBuilder.ModeName(context.Request.Mode)})");
        }

        var lists = new List<RankedList> { new("bm25", context.Bm25Live, weights.Bm25), new("dense", context.DenseLive, weights.Dense) };
        if (context.PrfLive.Count > 0)
        {
            lists.Add(new RankedList("bm25-prf", context.PrfLive, prfWeight));
        }

        var fusion = Create(stages.Fusion, stages.RrfK);
        context.FusionName = fusion.Name;
        context.Candidates = fusion.Fuse(lists).Select(f => new Candidate(f.ChunkId, f.Score, f.Score)).ToList();
        var anchor = await AnchorAsync(context, cancellationToken).ConfigureAwait(false);
        return new StageOutcome(true, FormattableString.Invariant(
            $"{fusion.Name}{(fusion.Name == "rrf" ? $" k={stages.RrfK}" : "")}; bm25 {weights.Bm25:0.###}, dense {weights.Dense:0.###}{(context.PrfLive.Count > 0 ? $", prf {prfWeight:0.###}" : "")}; {context.Candidates.Count} candidates{anchor}"));
    }

    /// <summary>The rare-term anchor (<see cref="RareTermAnchor"/>): keeps the top BM25 hit first when the rule holds; its trace note, or "".</summary>
    private async Task<string> AnchorAsync(SearchContext context, CancellationToken cancellationToken)
    {
        if (!context.Switches.RareTermAnchor || context.Bm25Live.Count == 0)
        {
            return "";
        }

        var options = components.Options;
        var terms = await components.Lexical.TermStatisticsAsync(context.LexicalQuery, cancellationToken).ConfigureAwait(false);
        var live = context.Live;
        var decision = RareTermAnchor.Decide(context.Bm25Live, context.DenseLive, terms, id => live[id].IndexText, options.RareTermMaxChunks, options.RareTermMaxOthersShare);
        if (decision is null)
        {
            return "";
        }

        context.Anchor = decision;
        Candidate.KeepFirst(context.Candidates, decision.ChunkId);
        return "; " + (context.Filter.IsEmpty ? decision.Note : decision.FilteredNote);
    }

    private static IRankFusion Create(string name, int rrfK) => name switch
    {
        "rrf" => new ReciprocalRankFusion(rrfK),
        "weighted" => new WeightedScoreFusion(),
        "zscore" => new ZScoreFusion(),
        _ => throw new ArgumentException($"Unknown fusion '{name}'; expected 'rrf', 'weighted' or 'zscore'.", nameof(name)),
    };

    private async Task<Dictionary<string, Chunk>> ResolveLiveAsync(SearchContext context, CancellationToken cancellationToken)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var hit in context.Bm25.Hits.Concat(context.PrfHits).Concat(context.Dense.Hits))
        {
            ids.Add(hit.ChunkId);
        }

        var live = new Dictionary<string, Chunk>(StringComparer.Ordinal);
        if (ids.Count == 0)
        {
            return live;
        }

        foreach (var chunk in await components.Chunks.ResolveAsync(ids, cancellationToken).ConfigureAwait(false))
        {
            // The filter carries tenant and ACL restrictions: re-checking it on the resolved chunk means
            // a backend that ignored it, or tags changed since indexing, cannot leak a chunk.
            if (ids.Contains(chunk.Id) && context.Filter.Matches(chunk))
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

    private static List<ScoredChunkId> FuseLexical(List<ScoredChunkId> original, List<ScoredChunkId> expanded) =>
        new ReciprocalRankFusion().Fuse([new RankedList("bm25", original, 1.0), new RankedList("bm25-prf", expanded, 0.5)])
            .Select(f => new ScoredChunkId(f.ChunkId, (float)f.Score)).ToList();
}
