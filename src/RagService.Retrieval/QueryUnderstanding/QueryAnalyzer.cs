using System.Text;
using System.Text.RegularExpressions;
using RagService.Core.Text;

namespace RagService.Retrieval.QueryUnderstanding;

/// <summary>
/// Rule-based query understanding: normalisation, language (Han script → Chinese), quoted phrases,
/// section references ("section 3.1", "chapter 2", "§4", "第二章", "第3节") and the intent that
/// routing maps to fusion weights. Rules, not a model: cheap, predictable and explainable in the trace.
/// </summary>
public static partial class QueryAnalyzer
{
    private static readonly string[] QuestionWords =
        ["how", "why", "what", "which", "when", "where", "who", "whom", "whose", "can", "does", "do", "is", "are", "should", "could", "would", "explain", "describe"];

    public static QueryAnalysis Analyze(string query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var text = Whitespace().Replace(query.Normalize(NormalizationForm.FormKC), " ").Trim();
        var chinese = Scripts.ContainsHan(text);

        var phrases = new List<string>();
        foreach (Match m in Quoted().Matches(text))
        {
            var phrase = m.Groups["p"].Value.Trim();
            if (phrase.Contains(' ', StringComparison.Ordinal) || chinese)
            {
                phrases.Add(phrase);
            }
        }

        var sections = new List<string>();
        foreach (Match m in EnglishSection().Matches(text))
        {
            sections.Add(m.Groups["n"].Value);
        }

        foreach (Match m in ChineseSection().Matches(text))
        {
            sections.Add(ChineseNumerals.ToArabic(m.Groups["n"].Value));
        }

        var words = chinese ? Math.Max(1, CountHan(text) / 2) : WordSplit().Split(text).Count(w => w.Length > 0);

        // A year the date rules read as a date ("since 2023") is not an identifier for routing.
        var date = DateHints.Extract(text);
        var forIntent = date is null ? text : Year().Replace(text, "year");
        return new QueryAnalysis(text, LanguageDetector.Detect(text).Code, phrases, sections.Distinct(StringComparer.Ordinal).ToList(), Classify(forIntent, words, chinese), words)
        {
            Date = date,
        };
    }

    private static QueryIntent Classify(string text, int words, bool chinese)
    {
        if (CodeLike().IsMatch(text))
        {
            return QueryIntent.Code;
        }

        if (IdentifierLike().IsMatch(text) && words <= 6)
        {
            return QueryIntent.Identifier;
        }

        var first = WordSplit().Split(text.ToLowerInvariant()).FirstOrDefault(w => w.Length > 0) ?? string.Empty;
        if (text.EndsWith('?') || text.EndsWith('？') || QuestionWords.Contains(first, StringComparer.Ordinal)
            || (chinese && ChineseQuestion().IsMatch(text)))
        {
            return QueryIntent.Question;
        }

        return words <= 3 ? QueryIntent.Keyword : QueryIntent.Statement;
    }

    private static int CountHan(string text) => text.Count(c => Scripts.ContainsHan(c.ToString()));

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"(?<![\w.-])(?:19|20)\d{2}(?:-\d{2}){0,2}(?![\w.-])")]
    private static partial Regex Year();

    [GeneratedRegex(@"[^\p{L}\p{N}]+")]
    private static partial Regex WordSplit();

    [GeneratedRegex("[\"“”「」『』](?<p>[^\"“”「」『』]{2,})[\"“”「」『』]")]
    private static partial Regex Quoted();

    [GeneratedRegex(@"(?:\b(?:section|sect\.|sec\.|chapter|chap\.|ch\.|part|clause|article|appendix)\s*|§\s*)(?<n>\d+(?:\.\d+)*|[A-Z]\b)", RegexOptions.IgnoreCase)]
    private static partial Regex EnglishSection();

    [GeneratedRegex(@"第\s*(?<n>[0-9零一二三四五六七八九十百两]+)\s*[章节條条部篇]")]
    private static partial Regex ChineseSection();

    // Calls, member access, namespaces, paths, snake_case or camelCase identifiers, operators.
    [GeneratedRegex(@"\w\(\)|\w\([^)]*\)|::|=>|->|\b\w+_\w+\b|\b[a-z]+[A-Z]\w*\b|\b\w+\.\w+\.\w+|(^|\s)/\w+/|[{};]|\b\w+\.(cs|py|js|ts|java|json|yaml|yml|xml|sh|go|rs)\b")]
    private static partial Regex CodeLike();

    // A token mixing letters and digits ("INC-20431", "RFC7807", "v2.3.1") or a number of 3+ digits.
    [GeneratedRegex(@"\b(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[A-Za-z0-9]+(?:[-_.][A-Za-z0-9]+)*\b|\b[A-Z]{2,}\s*\d+\b|\b\d{3,}\b")]
    private static partial Regex IdentifierLike();

    [GeneratedRegex("什么|为什么|怎么|如何|哪|吗|呢|多少|几")]
    private static partial Regex ChineseQuestion();
}

/// <summary>Chinese numerals as used in chapter numbers (一 … 九十九, 百) to Arabic digits.</summary>
internal static class ChineseNumerals
{
    public static string ToArabic(string numeral)
    {
        if (numeral.All(char.IsAsciiDigit))
        {
            return numeral;
        }

        var total = 0;
        var current = 0;
        foreach (var c in numeral)
        {
            var digit = "零一二三四五六七八九".IndexOf(c, StringComparison.Ordinal);
            if (c == '两')
            {
                digit = 2;
            }

            if (digit >= 0)
            {
                current = digit;
            }
            else if (c == '十')
            {
                total += (current == 0 ? 1 : current) * 10;
                current = 0;
            }
            else if (c == '百')
            {
                total += (current == 0 ? 1 : current) * 100;
                current = 0;
            }
        }

        return (total + current).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
