using System.Text.RegularExpressions;

namespace RagService.Retrieval.Legs;

/// <summary>
/// RM3-style pseudo-relevance feedback without an LLM: the top BM25 hits are assumed relevant; terms
/// weighted by their frequency in each feedback passage and the passage's normalised BM25 score
/// (the relevance model) are ranked, and the best terms not already in the query form an expansion.
/// The expanded query runs as its own lexical leg, fused with a lower weight than the original query,
/// which plays the role of RM3's interpolation with the original query model.
/// </summary>
public static partial class PseudoRelevanceFeedback
{
    // Function words and scientific-abstract boilerplate that feedback passages share regardless of topic.
    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can", "could", "did", "do", "does", "for", "from",
        "had", "has", "have", "he", "her", "his", "how", "i", "if", "in", "into", "is", "it", "its", "may", "more", "most",
        "no", "not", "of", "on", "or", "our", "she", "should", "so", "such", "than", "that", "the", "their", "them", "then",
        "there", "these", "they", "this", "those", "to", "was", "we", "were", "what", "when", "where", "which", "while", "who",
        "why", "will", "with", "would", "you", "also", "both", "each", "other", "some", "all", "any", "between", "after",
        "before", "during", "however", "here", "using", "used", "use", "based", "within", "without", "among", "two", "one",
        "three", "results", "result", "study", "studies", "showed", "show", "shown", "found", "data", "analysis", "method",
        "methods", "conclusion", "conclusions", "background", "objective", "significant", "significantly", "associated",
        "compared", "patients", "increased", "higher", "lower", "effect", "effects", "our", "well", "only", "over", "under",
    };

    /// <summary>The expansion terms, best first, with their relevance-model weights.</summary>
    /// <param name="query">The original query; its terms are never added again.</param>
    /// <param name="feedback">Feedback passages, best first, with their retrieval scores.</param>
    /// <param name="terms">How many expansion terms to keep.</param>
    public static IReadOnlyList<(string Term, double Weight)> ExpansionTerms(string query, IReadOnlyList<(string Text, double Score)> feedback, int terms)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(feedback);
        if (feedback.Count == 0 || terms <= 0)
        {
            return [];
        }

        var queryTerms = Tokens(query).ToHashSet(StringComparer.Ordinal);
        var max = feedback.Max(f => f.Score);
        var min = feedback.Min(f => f.Score);
        var documentFrequency = new Dictionary<string, int>(StringComparer.Ordinal);
        var model = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (text, score) in feedback)
        {
            var tokens = Tokens(text).Where(t => t.Length > 2 && !StopWords.Contains(t) && !t.All(char.IsAsciiDigit)).ToList();
            if (tokens.Count == 0)
            {
                continue;
            }

            // P(d|q) from the normalised score; P(w|d) from the passage's term frequencies.
            var documentWeight = max > min ? 0.5 + (0.5 * (score - min) / (max - min)) : 1.0;
            foreach (var group in tokens.GroupBy(t => t, StringComparer.Ordinal))
            {
                model[group.Key] = model.GetValueOrDefault(group.Key) + (documentWeight * group.Count() / tokens.Count);
                documentFrequency[group.Key] = documentFrequency.GetValueOrDefault(group.Key) + 1;
            }
        }

        // A term in one feedback passage only is more likely that passage's topic than the query's.
        var minimumDocuments = feedback.Count >= 3 ? 2 : 1;
        return model
            .Where(kv => !queryTerms.Contains(kv.Key) && documentFrequency[kv.Key] >= minimumDocuments)
            .OrderByDescending(kv => kv.Value)
            .ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Take(terms)
            .Select(kv => (kv.Key, kv.Value))
            .ToList();
    }

    /// <summary>The query the expansion leg runs: the original words plus the expansion terms.</summary>
    public static string ExpandedQuery(string query, IReadOnlyList<(string Term, double Weight)> expansion) =>
        expansion.Count == 0 ? query : query + " " + string.Join(' ', expansion.Select(e => e.Term));

    private static IEnumerable<string> Tokens(string text) =>
        Word().Matches(text.ToLowerInvariant()).Select(m => m.Value);

    [GeneratedRegex(@"[\p{L}][\p{L}\p{N}\-]*")]
    private static partial Regex Word();
}
