namespace RagService.Core.Text;

/// <summary>A sentence as a span of the text it came from, so it can be quoted verbatim.</summary>
public readonly record struct SentenceSpan(int Start, int Length)
{
    public int End => Start + Length;

    public string Of(string text) => text.Substring(Start, Length);
}

/// <summary>
/// Splits text into sentences at <c>. ? !</c> and the Arabic <c>؟ ۔</c> (followed by whitespace), at the
/// Chinese full-width <c>。！？；</c> (no space needed), and at blank lines, so a heading is not glued to
/// the paragraph after it. Spans exclude surrounding whitespace and keep the closing punctuation and quotes.
/// The one segmenter of the service: the chunker cuts only at its sentence ends, the chunk-quality metric
/// counts whole sentences with it, and the generators quote and verify the sentences it finds.
/// </summary>
public static class SentenceSegmenter
{
    // Words that end with a period without ending a sentence ("e.g. the", "Fig. 3", "Dr. Smith").
    private static readonly HashSet<string> Abbreviations = new(StringComparer.OrdinalIgnoreCase)
    {
        "e.g", "i.e", "cf", "vs", "etc", "al", "fig", "figs", "eq", "no", "nos", "vol", "pp", "p", "ch", "sec",
        "dr", "mr", "mrs", "ms", "prof", "st", "jr", "sr", "inc", "ltd", "co", "corp", "approx", "dept", "est",
        "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    };

    private const string Closers = "\"'”’」』）)]》";

    /// <summary>The sentences of <paramref name="text"/> as strings, without surrounding whitespace.</summary>
    public static IReadOnlyList<string> Sentences(string text) => Split(text).Select(s => s.Of(text)).ToList();

    public static IReadOnlyList<SentenceSpan> Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var spans = new List<SentenceSpan>();
        var start = 0;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            int end;
            if (c is '。' or '！' or '？' or '；')
            {
                end = SkipWhile(text, i + 1, static ch => ch is '。' or '！' or '？' or '；' || Closers.Contains(ch));
            }
            else if (c is '.' or '?' or '!' or '؟' or '۔')
            {
                end = SkipWhile(text, i + 1, static ch => ch is '.' or '?' or '!' or '؟' or '۔' || Closers.Contains(ch));
                if (!EndsEnglishSentence(text, i, end))
                {
                    i = end;
                    continue;
                }
            }
            else if (c == '\n' && IsBlankLineAfter(text, i))
            {
                end = i;
            }
            else
            {
                i++;
                continue;
            }

            Add(spans, text, start, end);
            start = end;
            i = Math.Max(end, i + 1);
        }

        Add(spans, text, start, text.Length);
        return spans;
    }

    private static bool EndsEnglishSentence(string text, int punctuation, int end)
    {
        if (end < text.Length && !char.IsWhiteSpace(text[end]))
        {
            return false; // "3.5", "example.com", "Node.js"
        }

        if (text[punctuation] != '.')
        {
            return true;
        }

        var wordStart = punctuation;
        while (wordStart > 0 && (char.IsLetterOrDigit(text[wordStart - 1]) || text[wordStart - 1] == '.'))
        {
            wordStart--;
        }

        var word = text[wordStart..punctuation];
        if (Abbreviations.Contains(word) || (word.Length == 1 && char.IsUpper(word[0])))
        {
            return false; // initials such as "J. Smith"
        }

        // A sentence does not start in lower case; "the value is approx. twice" continues one.
        var next = end;
        while (next < text.Length && char.IsWhiteSpace(text[next]))
        {
            next++;
        }

        return next >= text.Length || !char.IsLower(text[next]);
    }

    private static bool IsBlankLineAfter(string text, int newline)
    {
        for (var j = newline + 1; j < text.Length; j++)
        {
            if (text[j] == '\n')
            {
                return true;
            }

            if (!char.IsWhiteSpace(text[j]))
            {
                return false;
            }
        }

        return false;
    }

    private static int SkipWhile(string text, int from, Func<char, bool> predicate)
    {
        while (from < text.Length && predicate(text[from]))
        {
            from++;
        }

        return from;
    }

    private static void Add(List<SentenceSpan> spans, string text, int start, int end)
    {
        while (start < end && char.IsWhiteSpace(text[start]))
        {
            start++;
        }

        while (end > start && char.IsWhiteSpace(text[end - 1]))
        {
            end--;
        }

        if (end > start)
        {
            spans.Add(new SentenceSpan(start, end - start));
        }
    }
}
