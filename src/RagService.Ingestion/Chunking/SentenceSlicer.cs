using System.Text;
using System.Text.RegularExpressions;
using RagService.Core.Chunks;

namespace RagService.Ingestion.Chunking;

/// <summary>Cuts one sentence too long to stay whole: at clause punctuation first, between words only where a clause is too long itself.</summary>
internal sealed partial class SentenceSlicer(ITokenCounter tokens)
{
    /// <summary>
    /// One sentence longer than the limit: cut after clause punctuation (commas, semicolons, colons in
    /// Latin, CJK and Arabic script) where the clauses allow, between words only inside a clause that is
    /// itself too long.
    /// </summary>
    public IEnumerable<(string Text, int Tokens)> SliceLongSentence(string sentence, int limit)
    {
        var current = new StringBuilder();
        var currentTokens = 0;
        foreach (var clause in ClauseEnd().Split(sentence).Where(c => c.Length > 0))
        {
            var n = tokens.CountTokens(clause);
            if (current.Length > 0 && currentTokens + n > limit)
            {
                yield return (current.ToString(), currentTokens);
                current.Clear();
                currentTokens = 0;
            }

            if (n > limit)
            {
                foreach (var slice in SliceByWords(clause, limit))
                {
                    yield return slice;
                }

                continue;
            }

            current.Append(current.Length > 0 ? " " : string.Empty).Append(clause);
            currentTokens += n;
        }

        if (current.Length > 0)
        {
            yield return (current.ToString(), currentTokens);
        }
    }

    /// <summary>Last resort for one clause longer than the budget: cut between words (or characters, for unspaced scripts).</summary>
    public IEnumerable<(string Text, int Tokens)> SliceByWords(string sentence, int budget)
    {
        var words = sentence.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(w => tokens.CountTokens(w) > budget ? w.Select(c => c.ToString()) : [w]);
        var current = new StringBuilder();
        var currentTokens = 0;
        string? previous = null;
        foreach (var word in words)
        {
            var n = tokens.CountTokens(word);
            if (current.Length > 0 && currentTokens + n > budget)
            {
                yield return (current.ToString(), currentTokens);
                current.Clear();
                currentTokens = 0;
            }

            // Characters cut from an unspaced word rejoin without spaces.
            if (current.Length > 0 && !(word.Length == 1 && previous?.Length == 1 && !char.IsWhiteSpace(word[0]) && word[0] > 0x2E80))
            {
                current.Append(' ');
            }

            current.Append(word);
            currentTokens += n;
            previous = word;
        }

        if (current.Length > 0)
        {
            yield return (current.ToString(), currentTokens);
        }
    }

    /// <summary>The space after a clause mark (the unspaced CJK marks split without one).</summary>
    [GeneratedRegex(@"(?<=[,;:،؛])\s+|(?<=[，、；：])")]
    private static partial Regex ClauseEnd();
}
