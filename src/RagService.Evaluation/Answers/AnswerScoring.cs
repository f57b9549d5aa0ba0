using System.Text;
using System.Text.RegularExpressions;

namespace RagService.Evaluation.Answers;

/// <summary>
/// How an answer is compared with its gold strings: both sides Unicode-normalised (NFKC: full-width
/// digits and punctuation fold), lower-cased, citation markers [n] removed, and reduced to their letters
/// and digits, so "0.58 USD" matches "0.58 usd," and line breaks from a PDF or OCR do not matter.
/// </summary>
public static partial class AnswerScoring
{
    public static string Normalise(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var folded = Marker().Replace(text.Normalize(NormalizationForm.FormKC), " ").ToLowerInvariant();
        var builder = new StringBuilder(folded.Length);
        foreach (var c in folded)
        {
            if (char.IsLetterOrDigit(c))
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>True when <paramref name="text"/> contains any of the gold strings, normalised.</summary>
    public static bool ContainsAny(string text, IReadOnlyList<string> gold)
    {
        var normalised = Normalise(text);
        return gold.Any(g => Normalise(g) is { Length: > 0 } n && normalised.Contains(n, StringComparison.Ordinal));
    }

    /// <summary>True when a section path names the gold section (normalised containment: OCR may add or drop a character of a heading's number).</summary>
    public static bool InSection(IReadOnlyList<string> sectionPath, string goldSection)
    {
        var gold = Normalise(goldSection);
        return sectionPath.Any(s => Normalise(s) is { Length: > 0 } n && (n.Contains(gold, StringComparison.Ordinal) || gold.Contains(n, StringComparison.Ordinal) && n.Length >= gold.Length - 1));
    }

    [GeneratedRegex(@"\[\d{1,4}\]")]
    private static partial Regex Marker();
}
