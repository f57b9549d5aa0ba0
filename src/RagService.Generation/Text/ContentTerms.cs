using System.Text;

namespace RagService.Generation.Text;

/// <summary>
/// Reduces text to the content terms that evidence matching compares: lower-cased words without stop
/// words, lightly stemmed so "treats", "treated" and "treating" meet; Chinese (Han) runs become
/// character bigrams, the usual unit of Chinese term matching when no segmenter is at hand.
/// The stemming is deliberately crude: both sides go through the same rules, so only consistency matters.
/// </summary>
public static class ContentTerms
{
    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "the", "and", "or", "but", "nor", "not", "no", "of", "in", "on", "at", "to", "for", "from", "by",
        "with", "without", "about", "as", "into", "onto", "over", "under", "between", "after", "before", "during",
        "up", "down", "out", "off", "than", "then", "so", "if", "is", "are", "was", "were", "be", "been", "being",
        "am", "do", "does", "did", "done", "have", "has", "had", "having", "it", "its", "this", "that", "these",
        "those", "there", "here", "their", "they", "them", "he", "she", "his", "her", "him", "we", "us", "our",
        "you", "your", "i", "me", "my", "what", "which", "who", "whom", "whose", "when", "where", "why", "how",
        "can", "could", "should", "would", "will", "shall", "may", "might", "must", "also", "any", "all", "some",
        "such", "each", "both", "few", "more", "most", "other", "only", "own", "same", "very", "just", "too",
        "again", "once", "further", "much", "many", "tell", "explain", "describe", "please", "via", "per",
    };

    // Han characters that carry grammar rather than content; a bigram across them matches nothing useful.
    private const string HanFunctionCharacters = "的了是吗呢吧啊么什哪谁怎这那个";

    /// <summary>Content terms in text order, repeats included.</summary>
    public static IReadOnlyList<string> Extract(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var terms = new List<string>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (IsHan(c))
            {
                var start = i;
                while (i < text.Length && IsHan(text[i]))
                {
                    i++;
                }

                AddHanTerms(terms, text.AsSpan(start, i - start));
            }
            else if (char.IsLetterOrDigit(c))
            {
                var start = i;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) && !IsHan(text[i]) || IsInnerApostrophe(text, i)))
                {
                    i++;
                }

                AddWord(terms, text[start..i]);
            }
            else
            {
                i++;
            }
        }

        return terms;
    }

    /// <summary>The distinct content terms of a text.</summary>
    public static HashSet<string> Distinct(string text) => new(Extract(text), StringComparer.Ordinal);

    /// <summary>
    /// True when two stemmed Latin terms are forms of one word the crude stemmer left apart ("approv" and
    /// "approval", "book" and "booking"): the shorter, at least four letters, begins the longer, which is
    /// at most three letters longer. Numbers and Han bigrams are never variants.
    /// </summary>
    public static bool AreVariants(string a, string b)
    {
        var (shorter, longer) = a.Length <= b.Length ? (a, b) : (b, a);
        return shorter.Length >= 4 && longer.Length - shorter.Length <= 3 && longer.Length > shorter.Length
            && longer.StartsWith(shorter, StringComparison.Ordinal) && shorter.All(char.IsAsciiLetterLower);
    }

    public static string Stem(string word)
    {
        var w = word;
        if (w.Length > 4 && w.EndsWith("ies", StringComparison.Ordinal))
        {
            w = w[..^3] + "y";
        }
        else if (w.EndsWith("sses", StringComparison.Ordinal))
        {
            w = w[..^2];
        }
        else if (w.Length > 4 && (w.EndsWith("ches", StringComparison.Ordinal) || w.EndsWith("shes", StringComparison.Ordinal)
                 || w.EndsWith("xes", StringComparison.Ordinal) || w.EndsWith("zes", StringComparison.Ordinal)))
        {
            w = w[..^2];
        }
        else if (w.Length > 3 && w[^1] == 's' && w[^2] is not ('s' or 'u' or 'i'))
        {
            w = w[..^1];
        }

        if (w.Length > 6 && w.EndsWith("ing", StringComparison.Ordinal))
        {
            w = w[..^3];
        }
        else if (w.Length > 5 && w.EndsWith("ed", StringComparison.Ordinal))
        {
            w = w[..^2];
        }

        // "reduce", "reduced", "reducing" all end as "reduc".
        if (w.Length > 4 && w[^1] == 'e')
        {
            w = w[..^1];
        }

        return w;
    }

    private static void AddWord(List<string> terms, string raw)
    {
        var word = raw.ToLowerInvariant();
        if (word.EndsWith("'s", StringComparison.Ordinal) || word.EndsWith("’s", StringComparison.Ordinal))
        {
            word = word[..^2];
        }

        var isNumber = word.All(char.IsDigit);
        if ((!isNumber && word.Length < 2) || StopWords.Contains(word))
        {
            return;
        }

        terms.Add(isNumber ? word : Stem(word));
    }

    private static void AddHanTerms(List<string> terms, ReadOnlySpan<char> run)
    {
        var piece = new StringBuilder();
        foreach (var c in run)
        {
            if (HanFunctionCharacters.Contains(c))
            {
                FlushHan(terms, piece);
            }
            else
            {
                piece.Append(c);
            }
        }

        FlushHan(terms, piece);
    }

    private static void FlushHan(List<string> terms, StringBuilder piece)
    {
        if (piece.Length == 1)
        {
            terms.Add(piece.ToString());
        }

        for (var i = 0; i + 1 < piece.Length; i++)
        {
            terms.Add(string.Concat(piece[i], piece[i + 1]));
        }

        piece.Clear();
    }

    private static bool IsInnerApostrophe(string text, int i) =>
        text[i] is '\'' or '’' && i + 1 < text.Length && char.IsLetter(text[i + 1]) && i > 0 && char.IsLetter(text[i - 1]);

    private static bool IsHan(char c) => c is >= '\u4E00' and <= '\u9FFF' or >= '\u3400' and <= '\u4DBF' or >= '\uF900' and <= '\uFAFF';
}
