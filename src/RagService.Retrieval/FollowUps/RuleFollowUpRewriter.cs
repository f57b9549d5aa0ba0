using System.Text.RegularExpressions;

namespace RagService.Retrieval.FollowUps;

/// <summary>
/// Follow-up rewriting without an LLM, for English and Chinese. Only two shapes are rewritten, both by
/// carrying the previous (standalone) question's subject over; anything else is taken as standalone:
/// <list type="bullet">
/// <item>Elliptical: "And for interns?", "What about contractors?", a bare "Interns?", "那实习生呢？" — the
/// previous question with the new facet attached ("How many days of annual leave do employees get — for interns?",
/// "员工有多少天年假，实习生呢？").</item>
/// <item>Pronoun-led: "How do I apply for it?", "那这个怎么申请？" — the pronoun replaced by the previous
/// question's subject, its longest run of content words ("How do I apply for the parental leave?"), or in
/// Chinese the words before its first question marker ("年假怎么申请？").</item>
/// <item>Ordinal: "Where does the second one apply?", "the latter", "第二个在哪里适用？" — the phrase replaced by the
/// previous answer's n-th item, quoted: its n-th list item or table row when it has a list or a table, else its
/// n-th sentence. Without a previous answer, or with fewer items than the ordinal, the follow-up is left as asked.</item>
/// </list>
/// </summary>
public sealed partial class RuleFollowUpRewriter : IFollowUpRewriter
{
    public const string MethodName = "rules";

    /// <summary>Words that carry no subject: question words, auxiliaries, articles, prepositions, pronouns and light verbs.</summary>
    private static readonly HashSet<string> Function = new(StringComparer.OrdinalIgnoreCase)
    {
        "what", "which", "who", "whom", "whose", "when", "where", "why", "how", "many", "much", "long", "often", "far",
        "is", "are", "was", "were", "be", "been", "do", "does", "did", "can", "could", "may", "might", "must", "shall", "should", "will", "would",
        "have", "has", "had", "get", "gets", "got", "need", "needs", "i", "me", "my", "we", "our", "you", "your", "he", "she", "it", "its",
        "they", "them", "their", "this", "that", "these", "those", "one", "ones", "there", "a", "an", "the", "of", "for", "in", "on", "at", "to",
        "with", "by", "from", "about", "as", "into", "and", "or", "but", "if", "then", "so", "any", "some", "also", "same", "else", "other",
        "please", "tell", "us", "there's", "what's", "how's", "last", "lasts", "take", "takes", "cost", "costs", "mean", "means", "work", "works",
    };

    private static readonly string[] ChineseQuestionMarkers =
    [
        "有多少", "有几", "有什么", "有哪些", "是什么", "是多少", "是否", "怎么", "如何", "什么", "多少", "几", "能否", "能不能", "可以", "需要", "要", "吗", "应该", "可否", "哪",
    ];

    public Task<FollowUpRewrite> RewriteAsync(IReadOnlyList<ConversationTurn> history, string followUp, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(followUp);
        return Task.FromResult(history.Count == 0 ? Unchanged(followUp) : Rewrite(history[^1].Question, followUp, history[^1].Answer));
    }

    /// <summary>The follow-up as a standalone question given the previous standalone question and, when known, the answer given to it.</summary>
    public static FollowUpRewrite Rewrite(string previous, string followUp, string? previousAnswer = null)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(followUp);
        var question = followUp.Trim();
        var chinese = HasCjk(question);
        var rewritten = Ordinal(StripEnd(question), previousAnswer, chinese)
            ?? (chinese ? RewriteChinese(StripEnd(previous), StripEnd(question)) : RewriteEnglish(StripEnd(previous), StripEnd(question)));
        return rewritten is null ? Unchanged(followUp) : new FollowUpRewrite(rewritten, true, MethodName);
    }

    /// <summary>"Where does the second one apply" + an answer of two sentences → "Where does "&lt;the second sentence&gt;" apply?"</summary>
    private static string? Ordinal(string question, string? answer, bool chinese)
    {
        if (answer is not { Length: > 0 })
        {
            return null;
        }

        question = chinese ? ChineseLead().Replace(question, string.Empty) : question;
        var match = (chinese ? ChineseOrdinal() : EnglishOrdinal()).Match(question);
        if (!match.Success)
        {
            return null;
        }

        var items = AnswerItems(answer);
        var n = OrdinalIndex(match.Groups["n"].Value.ToLowerInvariant(), items.Count);
        if (n < 0 || n >= items.Count)
        {
            return null;
        }

        var item = items[n];
        return chinese
            ? question[..match.Index] + $"“{item}”" + question[(match.Index + match.Length)..] + "？"
            : question[..match.Index] + $"\"{item}\"" + question[(match.Index + match.Length)..] + "?";
    }

    /// <summary>The 0-based item an ordinal names among <paramref name="count"/> items; -1 when it names none.</summary>
    private static int OrdinalIndex(string ordinal, int count)
    {
        string[] english = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"];
        const string chineseDigits = "一二三四五六七八九十";
        return ordinal switch
        {
            "last" or "latter" or "最后一" or "后者" => count >= 2 ? count - 1 : -1,
            "former" or "前者" => 0,
            _ when Array.IndexOf(english, ordinal) is >= 0 and var i => i,
            _ when ordinal.StartsWith('第') && ordinal.Length == 2 && chineseDigits.IndexOf(ordinal[1], StringComparison.Ordinal) is >= 0 and var c => c,
            _ when int.TryParse(new string([.. ordinal.Where(char.IsAsciiDigit)]), out var number) && number > 0 => number - 1,
            _ => -1,
        };
    }

    /// <summary>An answer's items, citation markers removed: its list items or table rows (header and rule lines left out) when it has two or more, else its sentences.</summary>
    internal static IReadOnlyList<string> AnswerItems(string answer)
    {
        var text = CitationMarker().Replace(answer, string.Empty);
        var lines = text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var listItems = lines.Select(l => ListItem().Match(l)).Where(m => m.Success).Select(m => m.Groups["text"].Value.Trim()).ToList();
        if (listItems.Count >= 2)
        {
            return listItems.Select(Clip).ToList();
        }

        var rows = lines.Where(l => l.StartsWith('|') && !TableRule().IsMatch(l)).Skip(1)
            .Select(l => string.Join(" ", l.Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)))
            .ToList();
        if (rows.Count >= 2)
        {
            return rows.Select(Clip).ToList();
        }

        return SentenceEnd().Split(text).Select(s => s.Trim()).Where(s => s.Length > 0 && !s.StartsWith('|')).Select(s => Clip(s.TrimEnd('.', '。'))).ToList();
    }

    /// <summary>At most 200 characters, cut at a word boundary: the item names what is meant, the search does the rest.</summary>
    private static string Clip(string item)
    {
        if (item.Length <= 200)
        {
            return item;
        }

        var cut = item.LastIndexOf(' ', 200);
        return item[..(cut > 100 ? cut : 200)];
    }

    private static FollowUpRewrite Unchanged(string followUp) => new(followUp.Trim(), false, "none");

    private static string? RewriteEnglish(string previous, string question)
    {
        if (previous.Length == 0)
        {
            return null;
        }

        if (EnglishEllipsis().Match(question) is { Success: true } ellipsis)
        {
            return Attach(previous, ellipsis.Groups["facet"].Value);
        }

        var words = Words(question);
        var content = words.Count(w => !Function.Contains(w.Value));
        // "that" only ends a question as a pronoun ("How do I get that?"); elsewhere it is usually a relative.
        var pronoun = words.Select((w, i) => (Word: w, Last: i == words.Count - 1))
            .FirstOrDefault(x => x.Word.Value.ToLowerInvariant() is "it" or "its" or "they" or "them" or "their" or "this" or "these" or "those" || (x.Last && x.Word.Value.Equals("that", StringComparison.OrdinalIgnoreCase)))
            .Word;
        if (pronoun is not null && content <= 3 && Subject(previous) is { Length: > 0 } subject)
        {
            var possessive = pronoun.Value.ToLowerInvariant() is "its" or "their";
            var replacement = possessive ? $"the {subject}'s" : $"the {subject}";
            return question[..pronoun.Index] + replacement + question[(pronoun.Index + pronoun.Length)..] + "?";
        }

        // A bare facet with no question word or verb of its own: "Interns?", "For contractors?"
        if (words.Count is > 0 and <= 3 && !words.Any(w => w.Value.ToLowerInvariant() is "what" or "which" or "who" or "when" or "where" or "why" or "how" or "is" or "are" or "do" or "does" or "can"))
        {
            return Attach(previous, question);
        }

        return null;
    }

    /// <summary>"How many days … get" + "for interns" → "How many days … get — for interns?"</summary>
    private static string Attach(string previous, string facet) => $"{previous} — {facet.Trim()}?";

    /// <summary>The previous question's longest run of content words (the first on a tie).</summary>
    private static string Subject(string previous)
    {
        var words = Words(previous);
        var best = (Start: 0, Count: 0);
        for (var i = 0; i < words.Count; i++)
        {
            var count = 0;
            while (i + count < words.Count && !Function.Contains(words[i + count].Value))
            {
                count++;
            }

            if (count > best.Count)
            {
                best = (i, count);
            }
        }

        if (best.Count == 0)
        {
            return string.Empty;
        }

        var start = words[best.Start].Index;
        var last = words[best.Start + best.Count - 1];
        return previous[start..(last.Index + last.Length)];
    }

    private static string? RewriteChinese(string previous, string question)
    {
        if (previous.Length == 0)
        {
            return null;
        }

        var body = ChineseLead().Replace(question, string.Empty);
        if (body.EndsWith('呢'))
        {
            var facet = body[..^1].Trim();
            return facet.Length == 0 ? null : $"{previous}，{facet}呢？";
        }

        if (ChinesePronoun().Match(body) is { Success: true } pronoun && ChineseSubject(previous) is { Length: > 0 } subject)
        {
            return body[..pronoun.Index] + subject + body[(pronoun.Index + pronoun.Length)..] + "？";
        }

        return null;
    }

    /// <summary>The words before the previous question's first question marker ("年假有多少天" → "年假"), else those after it.</summary>
    private static string ChineseSubject(string previous)
    {
        var (index, length) = ChineseQuestionMarkers
            .Select(m => (Index: previous.IndexOf(m, StringComparison.Ordinal), m.Length))
            .Where(m => m.Index >= 0)
            .OrderBy(m => m.Index)
            .FirstOrDefault((-1, 0));
        if (index < 0)
        {
            return previous;
        }

        var before = previous[..index].Trim();
        return before.Length >= 2 ? before : previous[(index + length)..].Trim();
    }

    private static string StripEnd(string text) => text.Trim().TrimEnd('?', '？', '.', '。', '!', '！', ' ');

    private static bool HasCjk(string text) => text.Any(c => c is >= '\u4e00' and <= '\u9fff');

    private static List<Match> Words(string text) => WordPattern().Matches(text).ToList();

    [GeneratedRegex(@"^(?:(?:and|but|so|ok|okay)[\s,]+)?(?:(?:what|how)\s+about|and|same\s+for|also|what\s+if)\s+(?<facet>.+)$", RegexOptions.IgnoreCase)]
    private static partial Regex EnglishEllipsis();

    [GeneratedRegex(@"[\p{L}\p{N}][\p{L}\p{N}'’-]*")]
    private static partial Regex WordPattern();

    [GeneratedRegex(@"\bthe\s+(?:(?<n>first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last|\d+(?:st|nd|rd|th))\s+(?:ones?|options?|items?|points?|steps?|of\s+(?:them|these|those))|(?<n>former|latter))\b", RegexOptions.IgnoreCase)]
    private static partial Regex EnglishOrdinal();

    [GeneratedRegex(@"(?:(?<n>第(?:[一二三四五六七八九十]|\d+)|最后一)(?:个|项|种|条|点|步|类)|(?<n>前者|后者))")]
    private static partial Regex ChineseOrdinal();

    [GeneratedRegex(@"\s*\[\d+\]")]
    private static partial Regex CitationMarker();

    [GeneratedRegex(@"^(?:[-*•·]|\d+[.)、]|\(?[a-z]\))\s+(?<text>.+)$")]
    private static partial Regex ListItem();

    [GeneratedRegex(@"^\|[\s:|-]+\|?$")]
    private static partial Regex TableRule();

    [GeneratedRegex(@"(?<=[.!?])\s+|(?<=[。！？])\s*")]
    private static partial Regex SentenceEnd();

    [GeneratedRegex(@"^(?:那么|那|还有|另外|然后|再问一下)[，,\s]*")]
    private static partial Regex ChineseLead();

    [GeneratedRegex(@"这个|那个|这些|那些|这项|该项|它们|它|其(?![他它余中实])")]
    private static partial Regex ChinesePronoun();
}
