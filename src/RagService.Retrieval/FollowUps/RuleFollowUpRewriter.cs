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
        return Task.FromResult(history.Count == 0 ? Unchanged(followUp) : Rewrite(history[^1].Question, followUp));
    }

    /// <summary>The follow-up as a standalone question given the previous standalone question.</summary>
    public static FollowUpRewrite Rewrite(string previous, string followUp)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(followUp);
        var question = followUp.Trim();
        var rewritten = HasCjk(question) ? RewriteChinese(StripEnd(previous), StripEnd(question)) : RewriteEnglish(StripEnd(previous), StripEnd(question));
        return rewritten is null ? Unchanged(followUp) : new FollowUpRewrite(rewritten, true, MethodName);
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

    [GeneratedRegex(@"^(?:那么|那|还有|另外|然后|再问一下)[，,\s]*")]
    private static partial Regex ChineseLead();

    [GeneratedRegex(@"这个|那个|这些|那些|这项|该项|它们|它|其(?![他它余中实])")]
    private static partial Regex ChinesePronoun();
}
