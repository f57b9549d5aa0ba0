namespace RagService.Evaluation.Parsing;

/// <summary>
/// Exact Levenshtein distance with Myers' bit-parallel algorithm in Hyyrö's block form: the
/// pattern is held as 64-row bit vectors, so a 45,000-character comparison costs about
/// 45,000 × 700 word operations instead of two billion cell updates.
/// </summary>
public static class EditDistance
{
    public static int Between(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return Between(a.Select(c => (int)c).ToArray(), b.Select(c => (int)c).ToArray());
    }

    /// <summary>Distance between two symbol sequences (characters, or word ids for word error rate).</summary>
    public static int Between(IReadOnlyList<int> a, IReadOnlyList<int> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        // The shorter sequence is the bit-vector pattern: fewer blocks per text symbol.
        var (pattern, text) = a.Count <= b.Count ? (a, b) : (b, a);
        var m = pattern.Count;
        if (m == 0)
        {
            return text.Count;
        }

        var blocks = (m + 63) / 64;
        var peq = new Dictionary<int, ulong[]>();
        for (var i = 0; i < m; i++)
        {
            if (!peq.TryGetValue(pattern[i], out var bits))
            {
                peq[pattern[i]] = bits = new ulong[blocks];
            }

            bits[i / 64] |= 1UL << (i % 64);
        }

        var pv = new ulong[blocks];
        var mv = new ulong[blocks];
        Array.Fill(pv, ulong.MaxValue);
        var lastBit = 1UL << ((m - 1) % 64);
        const ulong HighBit = 1UL << 63;
        var empty = new ulong[blocks];
        var score = m;

        foreach (var symbol in text)
        {
            var eqs = peq.TryGetValue(symbol, out var found) ? found : empty;
            // Row 0 of the matrix grows by one per text symbol: the carry into the first block is +1.
            var hin = 1;
            for (var k = 0; k < blocks; k++)
            {
                var eq = eqs[k];
                var p = pv[k];
                var mm = mv[k];
                var xv = eq | mm;
                if (hin < 0)
                {
                    eq |= 1UL;
                }

                var xh = (((eq & p) + p) ^ p) | eq;
                var ph = mm | ~(xh | p);
                var mh = p & xh;
                var high = k == blocks - 1 ? lastBit : HighBit;
                var hout = (ph & high) != 0 ? 1 : (mh & high) != 0 ? -1 : 0;
                ph <<= 1;
                mh <<= 1;
                if (hin < 0)
                {
                    mh |= 1UL;
                }
                else if (hin > 0)
                {
                    ph |= 1UL;
                }

                pv[k] = mh | ~(xv | ph);
                mv[k] = ph & xv;
                hin = hout;
            }

            score += hin;
        }

        return score;
    }

    /// <summary>1 − distance / longer length: 1 for identical texts, 0 for nothing in common.</summary>
    public static double Similarity(string expected, string actual)
    {
        var longer = Math.Max(expected.Length, actual.Length);
        return longer == 0 ? 1.0 : 1.0 - (double)Between(expected, actual) / longer;
    }

    /// <summary>Character error rate: edits needed per character of the reference.</summary>
    public static double CharacterErrorRate(string reference, string hypothesis) =>
        reference.Length == 0 ? (hypothesis.Length == 0 ? 0 : 1) : (double)Between(reference, hypothesis) / reference.Length;

    /// <summary>Word error rate: word-level edits per word of the reference.</summary>
    public static double WordErrorRate(string reference, string hypothesis)
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        int[] Words(string s) => s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .Select(w => ids.TryGetValue(w, out var id) ? id : ids[w] = ids.Count).ToArray();
        var r = Words(reference);
        var h = Words(hypothesis);
        return r.Length == 0 ? (h.Length == 0 ? 0 : 1) : (double)Between(r, h) / r.Length;
    }
}
