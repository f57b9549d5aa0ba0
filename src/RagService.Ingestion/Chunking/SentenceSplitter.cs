using System.Text.RegularExpressions;

namespace RagService.Ingestion.Chunking;

/// <summary>
/// Splits prose at sentence ends: ". ? !" (and the Arabic "؟ ۔") followed by whitespace, and the Chinese
/// full-width "。！？；" which need no space after them.
/// </summary>
public static partial class SentenceSplitter
{
    public static IReadOnlyList<string> Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sentences = new List<string>();
        var start = 0;
        foreach (Match end in SentenceEnd().Matches(text))
        {
            var stop = end.Index + end.Length;
            if (IsAbbreviation(text, end.Index))
            {
                continue;
            }

            Add(sentences, text[start..stop]);
            start = stop;
        }

        Add(sentences, text[start..]);
        return sentences;
    }

    private static void Add(List<string> sentences, string sentence)
    {
        var trimmed = sentence.Trim();
        if (trimmed.Length > 0)
        {
            sentences.Add(trimmed);
        }
    }

    /// <summary>"e.g. the" and "Dr. Smith" are not sentence ends; a wrong split would cut a sentence in two.</summary>
    private static bool IsAbbreviation(string text, int periodIndex)
    {
        if (text[periodIndex] != '.')
        {
            return false;
        }

        var wordStart = periodIndex;
        while (wordStart > 0 && !char.IsWhiteSpace(text[wordStart - 1]))
        {
            wordStart--;
        }

        var word = text[wordStart..(periodIndex + 1)];
        return Abbreviations.Contains(word) || (word.Length == 2 && char.IsUpper(word[0]));
    }

    private static readonly HashSet<string> Abbreviations = new(StringComparer.OrdinalIgnoreCase)
    {
        "e.g.", "i.e.", "etc.)", "vs.", "cf.", "mr.", "mrs.", "ms.", "dr.", "prof.", "no.", "fig.", "approx.", "inc.", "ltd.", "st.",
    };

    [GeneratedRegex(@"[.?!؟۔]+[""'”’)\]]*(?=\s)|[。！？；]+[”’」』）]*")]
    private static partial Regex SentenceEnd();
}
