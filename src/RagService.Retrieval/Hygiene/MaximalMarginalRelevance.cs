using System.Text.RegularExpressions;

namespace RagService.Retrieval.Hygiene;

/// <summary>
/// Maximal marginal relevance (Carbonell and Goldstein, 1998) over the top of a ranking: repeatedly picks
/// the candidate with the best λ·relevance − (1 − λ)·(its highest similarity to a candidate already
/// picked). Relevance is the candidates' scores min-max normalised over the window; similarity is the
/// cosine of term-frequency vectors of the texts (words; Chinese as character bigrams), so it needs no
/// stored vectors. λ = 1 keeps the order; lower values push candidates that repeat better-ranked ones
/// down, including partial overlaps that near-duplicate suppression's Jaccard threshold lets through.
/// </summary>
public static partial class MaximalMarginalRelevance
{
    /// <returns>The new order (indexes into <paramref name="texts"/>) and how many of the window's positions changed.</returns>
    public static (IReadOnlyList<int> Order, int Moved) Reorder(IReadOnlyList<string> texts, IReadOnlyList<double> relevance, double lambda, int window)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(relevance);
        ArgumentOutOfRangeException.ThrowIfNotEqual(relevance.Count, texts.Count, nameof(relevance));
        ArgumentOutOfRangeException.ThrowIfLessThan(lambda, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(lambda, 1);
        var n = Math.Min(texts.Count, Math.Max(0, window));
        if (n < 2)
        {
            return (Enumerable.Range(0, texts.Count).ToList(), 0);
        }

        var min = relevance.Take(n).Min();
        var max = relevance.Take(n).Max();
        var span = max - min;
        var rel = relevance.Take(n).Select(r => span > 0 ? (r - min) / span : 1.0).ToArray();
        var vectors = texts.Take(n).Select(TermVector).ToArray();

        var order = new List<int>(texts.Count);
        var picked = new bool[n];
        var maxSimilarity = new double[n];
        for (var round = 0; round < n; round++)
        {
            var best = -1;
            var bestScore = double.NegativeInfinity;
            for (var i = 0; i < n; i++)
            {
                if (picked[i])
                {
                    continue;
                }

                var score = (lambda * rel[i]) - ((1 - lambda) * maxSimilarity[i]);
                if (score > bestScore + 1e-12)
                {
                    best = i;
                    bestScore = score;
                }
            }

            picked[best] = true;
            order.Add(best);
            for (var i = 0; i < n; i++)
            {
                if (!picked[i])
                {
                    maxSimilarity[i] = Math.Max(maxSimilarity[i], Cosine(vectors[i], vectors[best]));
                }
            }
        }

        var moved = order.Where((index, position) => index != position).Count();
        order.AddRange(Enumerable.Range(n, texts.Count - n));
        return (order, moved);
    }

    /// <summary>Cosine similarity of two texts' term-frequency vectors, in [0, 1].</summary>
    public static double Similarity(string a, string b) => Cosine(TermVector(a), TermVector(b));

    private static Dictionary<string, double> TermVector(string text)
    {
        var vector = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (Match m in Word().Matches(text.ToLowerInvariant()))
        {
            var word = m.Value;
            if (Han().IsMatch(word) && word.Length > 1)
            {
                for (var i = 0; i + 1 < word.Length; i++)
                {
                    Add(vector, word.Substring(i, 2));
                }
            }
            else
            {
                Add(vector, word);
            }
        }

        return vector;
    }

    private static void Add(Dictionary<string, double> vector, string term) =>
        vector[term] = vector.TryGetValue(term, out var count) ? count + 1 : 1;

    private static double Cosine(Dictionary<string, double> a, Dictionary<string, double> b)
    {
        if (a.Count == 0 || b.Count == 0)
        {
            return 0;
        }

        var (small, large) = a.Count <= b.Count ? (a, b) : (b, a);
        var dot = 0.0;
        foreach (var (term, weight) in small)
        {
            if (large.TryGetValue(term, out var other))
            {
                dot += weight * other;
            }
        }

        return dot / (Norm(a) * Norm(b));
    }

    private static double Norm(Dictionary<string, double> vector) => Math.Sqrt(vector.Values.Sum(v => v * v));

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex Word();

    [GeneratedRegex(@"\p{IsCJKUnifiedIdeographs}")]
    private static partial Regex Han();
}
