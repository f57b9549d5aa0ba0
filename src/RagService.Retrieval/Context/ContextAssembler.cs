using RagService.Core.Chunks;
using RagService.Core.Search;

namespace RagService.Retrieval.Context;

/// <summary>How far a retrieved chunk is widened for generation.</summary>
public enum ContextExpansion
{
    /// <summary>The retrieved chunks only.</summary>
    None,

    /// <summary>The chunks before and after each hit in its document, nearest first.</summary>
    Neighbours,

    /// <summary>The other chunks of each hit's section, nearest first: small-to-big retrieval.</summary>
    Section,
}

/// <summary>How the answer generator's context is assembled when a request does not say (bound from <c>AnswerContext</c>).</summary>
public sealed record AnswerContextOptions
{
    public const string Section = "AnswerContext";

    /// <summary>Small-to-big by default: a hit is read with the rest of its section.</summary>
    public ContextExpansion Expansion { get; init; } = ContextExpansion.Section;

    /// <summary>
    /// Tokens (embedding-model tokens, as chunks count them) for the hits and their context together. The hits
    /// come first, so this must leave room above topK × chunk size for any widening to happen.
    /// </summary>
    public int MaxTokens { get; init; } = 3000;
}

/// <summary>One retrieved chunk and the surrounding chunks assembled for it, in document order.</summary>
public sealed record AssembledPassage(Chunk Hit, IReadOnlyList<Chunk> Chunks)
{
    public int Tokens => Chunks.Sum(c => c.TokenCount);

    public string Text => string.Join("\n\n", Chunks.Select(c => c.Text));
}

/// <summary>
/// Small-to-big: retrieval matches small, precise chunks; generation reads them with their context.
/// Every hit is included first (in rank order, while the budget lasts), then each hit is widened in
/// rank order by its section's (or its document's neighbouring) chunks, nearest first, until the token
/// budget is spent. A chunk is included once, under the best-ranked hit that reached it.
/// </summary>
public sealed class ContextAssembler(IChunkLookup lookup)
{
    public async Task<IReadOnlyList<AssembledPassage>> AssembleAsync(IReadOnlyList<Chunk> hits, int budgetTokens, ContextExpansion expansion, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(hits);
        ArgumentOutOfRangeException.ThrowIfNegative(budgetTokens);
        var used = 0;
        var taken = new HashSet<string>(StringComparer.Ordinal);
        var passages = new List<(Chunk Hit, List<Chunk> Chunks)>();
        foreach (var hit in hits)
        {
            if (taken.Contains(hit.Id))
            {
                continue;
            }

            if (used + hit.TokenCount > budgetTokens && passages.Count > 0)
            {
                break;
            }

            taken.Add(hit.Id);
            used += hit.TokenCount;
            passages.Add((hit, [hit]));
        }

        if (expansion != ContextExpansion.None)
        {
            foreach (var (hit, chunks) in passages)
            {
                foreach (var candidate in await SurroundingsAsync(hit, expansion, ct).ConfigureAwait(false))
                {
                    if (taken.Contains(candidate.Id) || used + candidate.TokenCount > budgetTokens)
                    {
                        continue;
                    }

                    taken.Add(candidate.Id);
                    used += candidate.TokenCount;
                    chunks.Add(candidate);
                }
            }
        }

        return passages.Select(p => new AssembledPassage(p.Hit, p.Chunks.OrderBy(c => c.Ordinal).ToList())).ToList();
    }

    /// <summary>
    /// The hits for a generator: every hit kept in rank order, each hit that the budget reached carrying
    /// its assembled passage as <see cref="SearchHit.Context"/> (the hits past the budget read alone).
    /// </summary>
    public async Task<IReadOnlyList<SearchHit>> WidenAsync(IReadOnlyList<SearchHit> hits, int budgetTokens, ContextExpansion expansion, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(hits);
        if (expansion == ContextExpansion.None || hits.Count == 0)
        {
            return hits;
        }

        var passages = (await AssembleAsync(hits.Select(h => h.Chunk).ToList(), budgetTokens, expansion, ct).ConfigureAwait(false))
            .ToDictionary(p => p.Hit.Id, StringComparer.Ordinal);
        return hits.Select(h => passages.TryGetValue(h.Chunk.Id, out var passage) && passage.Chunks.Count > 1
            ? h with { Context = passage.Chunks }
            : h).ToList();
    }

    /// <summary>The hit's context, nearest first (ties: the chunk before).</summary>
    private async Task<IReadOnlyList<Chunk>> SurroundingsAsync(Chunk hit, ContextExpansion expansion, CancellationToken ct)
    {
        if (expansion == ContextExpansion.Section)
        {
            return (await lookup.SectionOfAsync(hit, ct).ConfigureAwait(false))
                .Where(c => c.Id != hit.Id && c.DocumentId == hit.DocumentId)
                .OrderBy(c => Math.Abs(c.Ordinal - hit.Ordinal)).ThenBy(c => c.Ordinal)
                .ToList();
        }

        return await NeighboursAsync(hit, ct).ConfigureAwait(false);
    }

    /// <summary>The chunks before and after the hit in its document, alternating outwards.</summary>
    private async Task<IReadOnlyList<Chunk>> NeighboursAsync(Chunk hit, CancellationToken ct)
    {
        var neighbours = new List<Chunk>();
        Chunk? before = hit, after = hit;
        while (before is not null || after is not null)
        {
            before = before?.PreviousChunkId is { } p ? (await lookup.ResolveAsync([p], ct).ConfigureAwait(false)).FirstOrDefault() : null;
            if (before is not null)
            {
                neighbours.Add(before);
            }

            after = after?.NextChunkId is { } n ? (await lookup.ResolveAsync([n], ct).ConfigureAwait(false)).FirstOrDefault() : null;
            if (after is not null)
            {
                neighbours.Add(after);
            }
        }

        return neighbours;
    }
}
