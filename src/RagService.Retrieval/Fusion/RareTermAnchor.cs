using System.Globalization;
using RagService.Core.Indexes;

namespace RagService.Retrieval.Fusion;

/// <summary>
/// Why a hybrid search kept its top BM25 hit first: the rare query term it holds verbatim, how rare the term is,
/// how much of the hit's score the term carries, and each leg's lead (the z-score of its best hit in its own list).
/// </summary>
public sealed record AnchorDecision(string ChunkId, string Surface, int DocumentFrequency, int Chunks, double OthersShare, double Bm25Lead, double DenseLead)
{
    /// <summary>The trace's line for the decision.</summary>
    public string Note => string.Create(CultureInfo.InvariantCulture,
        $"rare-term anchor: bm25 #1 holds '{Surface}' (in {DocumentFrequency} of {Chunks} chunks; best hit without it {OthersShare:0.##} of its score), bm25 lead z {Bm25Lead:0.#} > dense lead z {DenseLead:0.#}: kept first");

    /// <summary>
    /// The line for a filtered search (tenant, ACL, documents): the index-wide chunk counts would tell the caller
    /// how many chunks it may not open hold the term, so they are left out.
    /// </summary>
    public string FilteredNote => string.Create(CultureInfo.InvariantCulture,
        $"rare-term anchor: bm25 #1 holds the rare term '{Surface}' (best hit without it {OthersShare:0.##} of its score), bm25 lead z {Bm25Lead:0.#} > dense lead z {DenseLead:0.#}: kept first");
}

/// <summary>
/// The rule that keeps an exact match on a rare term from being outvoted (issue 14). Fusion averages the legs;
/// when the query names something only a handful of chunks contain (an identifier, a code, a name), the dense
/// leg has no idea which of many look-alike texts carries it, and its lowest score for the one that does can
/// push that chunk below look-alikes. The top BM25 hit is kept first when all of these hold:
/// <list type="number">
/// <item>it holds, verbatim (case-insensitive, as a whole word), a query term that at most
/// <c>maxChunks</c> chunks of the index contain, and at most one in twenty (the rare term: in a handful of
/// chunks, every term is in a few of them);</item>
/// <item>the best BM25 hit without that term scores at most <c>maxOthersShare</c> of it: the rare term, not the
/// query's common words, makes the match;</item>
/// <item>the dense leg has no comparable signal: its best hit leads its own list by a smaller z-score than the
/// BM25 hit leads the BM25 list.</item>
/// </list>
/// A rule on what each leg says about this query, not a weight: the thresholds were decided on the train halves
/// of the templated-records set and SciFact (docs/benchmarks.md, "Rare terms").
/// </summary>
public static class RareTermAnchor
{
    /// <summary>A rare term is in at most one chunk in this many.</summary>
    public const int RareShareDivisor = 20;

    /// <param name="bm25">The BM25 leg's live hits, best first.</param>
    /// <param name="dense">The dense leg's live hits, best first.</param>
    /// <param name="terms">The query's terms with their document frequencies.</param>
    /// <param name="textOf">A live chunk's index text by id.</param>
    /// <param name="maxChunks">The most chunks a term may be in and still count as rare.</param>
    /// <param name="maxOthersShare">The largest share of the hit's BM25 score the best hit without the rare term may reach.</param>
    public static AnchorDecision? Decide(
        IReadOnlyList<ScoredChunkId> bm25,
        IReadOnlyList<ScoredChunkId> dense,
        QueryTermStatistics terms,
        Func<string, string> textOf,
        int maxChunks,
        double maxOthersShare)
    {
        ArgumentNullException.ThrowIfNull(bm25);
        ArgumentNullException.ThrowIfNull(dense);
        ArgumentNullException.ThrowIfNull(terms);
        ArgumentNullException.ThrowIfNull(textOf);
        if (bm25.Count == 0 || bm25[0].Score <= 0)
        {
            return null;
        }

        var top = bm25[0];
        var topText = textOf(top.ChunkId);
        var bm25Lead = Lead(bm25);
        var denseLead = dense.Count == 0 ? double.NegativeInfinity : Lead(dense);
        if (dense.Count > 0 && dense[0].ChunkId != top.ChunkId && denseLead >= bm25Lead)
        {
            return null;
        }

        // The rarest qualifying term first: it is the one that names the chunk.
        var rare = Math.Min(maxChunks, terms.Chunks / RareShareDivisor);
        foreach (var term in terms.Terms.Where(t => t.DocumentFrequency > 0 && t.DocumentFrequency <= rare).OrderBy(t => t.DocumentFrequency))
        {
            if (!HoldsVerbatim(topText, term.Surface))
            {
                continue;
            }

            var others = bm25.Skip(1).FirstOrDefault(h => !HoldsVerbatim(textOf(h.ChunkId), term.Surface));
            var share = others.ChunkId is null ? 0 : others.Score / top.Score;
            if (share <= maxOthersShare)
            {
                return new AnchorDecision(top.ChunkId, term.Surface, term.DocumentFrequency, terms.Chunks, share, bm25Lead,
                    double.IsNegativeInfinity(denseLead) ? 0 : denseLead);
            }
        }

        return null;
    }

    /// <summary>The best item's z-score within its list: how far ahead of the rest the leg puts its best hit.</summary>
    public static double Lead(IReadOnlyList<ScoredChunkId> hits)
    {
        ArgumentNullException.ThrowIfNull(hits);
        if (hits.Count < 2)
        {
            return 0;
        }

        var mean = hits.Average(h => (double)h.Score);
        var sd = Math.Sqrt(hits.Average(h => ((double)h.Score - mean) * ((double)h.Score - mean)));
        return sd > 0 ? (hits[0].Score - mean) / sd : 0;
    }

    /// <summary>
    /// True when <paramref name="text"/> contains <paramref name="surface"/>, ignoring case, not inside a longer
    /// word: a letter or digit next to an end of the match that is itself a letter or digit spoils it (Han text
    /// has no word spaces, so a Han end is always a boundary).
    /// </summary>
    public static bool HoldsVerbatim(string text, string surface)
    {
        if (string.IsNullOrEmpty(text) || string.IsNullOrWhiteSpace(surface))
        {
            return false;
        }

        for (var at = text.IndexOf(surface, StringComparison.OrdinalIgnoreCase); at >= 0; at = text.IndexOf(surface, at + 1, StringComparison.OrdinalIgnoreCase))
        {
            var end = at + surface.Length;
            if (!Joins(text, at - 1, surface[0]) && !Joins(text, end, surface[^1]))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Joins(string text, int index, char edge) =>
        index >= 0 && index < text.Length && IsWordChar(edge) && IsWordChar(text[index]) && !IsHan(edge) && !IsHan(text[index]);

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c);

    private static bool IsHan(char c) => c is >= '\u3400' and <= '\u9FFF' or >= '\uF900' and <= '\uFAFF';
}
