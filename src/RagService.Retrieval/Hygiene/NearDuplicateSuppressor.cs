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
        var shingles = new List<HashSet<string>>();
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

    public static double Jaccard(HashSet<string> a, HashSet<string> b)
    {
        if (a.Count == 0 && b.Count == 0)
        {
            return 1;
        }

        var (small, large) = a.Count <= b.Count ? (a, b) : (b, a);
        var shared = small.Count(large.Contains);
        return shared / (double)(a.Count + b.Count - shared);
    }

    public static HashSet<string> Shingles(string text)
    {
        var words = Word().Matches(text.ToLowerInvariant()).Select(m => m.Value).ToArray();
        var set = new HashSet<string>(StringComparer.Ordinal);
        if (words.Length < 3)
        {
            set.Add(string.Join(' ', words));
            return set;
        }

        for (var i = 0; i + 2 < words.Length; i++)
        {
            set.Add(words[i] + " " + words[i + 1] + " " + words[i + 2]);
        }

        return set;
    }

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex Word();
}
