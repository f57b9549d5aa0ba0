using System.Text.RegularExpressions;

namespace RagService.Retrieval.Hygiene;

/// <summary>
/// Keeps the top of a ranking free of copies: a hit whose word-trigram Jaccard similarity with a
/// better-ranked kept hit reaches the threshold is moved below every distinct hit (not dropped, so
/// topK still returns topK results when there are that many).
/// </summary>
public static partial class NearDuplicateSuppressor
{
    /// <returns>The new order (indexes into <paramref name="texts"/>) and how many hits were demoted.</returns>
    public static (IReadOnlyList<int> Order, int Demoted) Reorder(IReadOnlyList<string> texts, double threshold, int window = 100)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var kept = new List<int>();
        var demoted = new List<int>();
        var shingles = new List<HashSet<long>>();
        for (var i = 0; i < texts.Count; i++)
        {
            if (i >= window)
            {
                kept.Add(i);
                continue;
            }

            var mine = Shingles(texts[i]);
            var duplicate = false;
            foreach (var other in shingles)
            {
                if (Jaccard(mine, other) >= threshold)
                {
                    duplicate = true;
                    break;
                }
            }

            if (duplicate)
            {
                demoted.Add(i);
            }
            else
            {
                kept.Add(i);
                shingles.Add(mine);
            }
        }

        // Demoted hits go after the distinct ones inside the window, before the unexamined tail.
        var head = kept.Where(i => i < window).ToList();
        var tail = kept.Where(i => i >= window);
        return ([.. head, .. demoted, .. tail], demoted.Count);
    }

    public static double Jaccard(HashSet<long> a, HashSet<long> b)
    {
        if (a.Count == 0 && b.Count == 0)
        {
            return 1;
        }

        var (small, large) = a.Count <= b.Count ? (a, b) : (b, a);
        var shared = small.Count(large.Contains);
        return shared / (double)(a.Count + b.Count - shared);
    }

    /// <summary>Word trigrams, hashed (a collision can only make two texts look slightly more alike).</summary>
    public static HashSet<long> Shingles(string text)
    {
        var words = Word().Matches(text.ToLowerInvariant()).Select(m => (long)string.GetHashCode(m.ValueSpan, StringComparison.Ordinal)).ToArray();
        var set = new HashSet<long>();
        if (words.Length < 3)
        {
            set.Add(words.Aggregate(17L, (h, w) => (h * 31) + w));
            return set;
        }

        for (var i = 0; i + 2 < words.Length; i++)
        {
            set.Add((((words[i] * 1_000_003) + words[i + 1]) * 1_000_003) + words[i + 2]);
        }

        return set;
    }

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex Word();
}
