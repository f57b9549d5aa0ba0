using System.Text.RegularExpressions;
using RagService.Core.Llm;

namespace RagService.Retrieval.Rewriting;

/// <summary>
/// Query rewriting with an LLM in one call: multi-query paraphrases, the sub-questions of a compound
/// question, a step-back question and a HyDE passage, each only when asked for, requested as tagged lines
/// (<c>PARAPHRASE:</c>, <c>SUBQUESTION:</c>, <c>STEPBACK:</c>, <c>HYDE:</c>) and parsed back. Untagged,
/// empty, duplicate or unasked-for lines are ignored, so a chatty model cannot inject extra searches.
/// The chat model is Semantic Kernel's in the service; tests run it against a local fake
/// OpenAI-compatible server (no model weights exist on our machines).
/// </summary>
public sealed partial class LlmQueryRewriter(IChatModel chat) : IQueryRewriter
{
    public string Name => "llm:" + chat.Name;

    /// <summary>The system prompt for the asked techniques (only their tags are described).</summary>
    public static string SystemPrompt(RewriteTechniques techniques)
    {
        ArgumentNullException.ThrowIfNull(techniques);
        var lines = new List<string>
        {
            "You rewrite search queries for a document search engine. Reply only with tagged lines, one per line:",
        };
        if (techniques.Paraphrases > 0)
        {
            lines.Add($"- {techniques.Paraphrases} lines 'PARAPHRASE: <the query reworded with different words, same meaning>'");
        }

        if (techniques.Decompose)
        {
            lines.Add("- if the query asks several things, one line 'SUBQUESTION: <one self-contained sub-question>' per part; none if it asks one thing");
        }

        if (techniques.StepBack)
        {
            lines.Add("- 1 line 'STEPBACK: <a more general question about the concept or principle behind the query>'");
        }

        if (techniques.Hyde)
        {
            lines.Add("- 1 line 'HYDE: <a short passage, 2-3 sentences, as a document answering the query would state it>'");
        }

        return string.Join('\n', lines);
    }

    public async Task<IReadOnlyList<RewrittenQuery>> RewriteAsync(string query, RewriteTechniques techniques, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(query);
        ArgumentNullException.ThrowIfNull(techniques);
        if (!techniques.Any)
        {
            return [];
        }

        var reply = await chat.CompleteAsync(SystemPrompt(techniques), "Query: " + query.Trim(), cancellationToken).ConfigureAwait(false);
        return Parse(reply, query, techniques);
    }

    public static IReadOnlyList<RewrittenQuery> Parse(string reply, string original, RewriteTechniques techniques)
    {
        ArgumentNullException.ThrowIfNull(reply);
        ArgumentNullException.ThrowIfNull(techniques);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { original.Trim() };
        var paraphrases = new List<RewrittenQuery>();
        var subquestions = new List<RewrittenQuery>();
        var stepBack = new List<RewrittenQuery>();
        var hyde = new List<RewrittenQuery>();
        foreach (var line in reply.Split('\n'))
        {
            var match = TaggedLine().Match(line);
            if (!match.Success)
            {
                continue;
            }

            var text = match.Groups["text"].Value.Trim().Trim('"', '\'', '*', '`').Trim();
            if (text.Length == 0 || text.Length > 2000 || !seen.Add(text))
            {
                continue;
            }

            switch (match.Groups["tag"].Value.ToUpperInvariant().Replace("-", string.Empty, StringComparison.Ordinal).Replace(" ", string.Empty, StringComparison.Ordinal))
            {
                case "PARAPHRASE" when paraphrases.Count < techniques.Paraphrases:
                    paraphrases.Add(new RewrittenQuery("paraphrase", text));
                    break;
                case "SUBQUESTION" when techniques.Decompose:
                    subquestions.Add(new RewrittenQuery("subquestion", text));
                    break;
                case "STEPBACK" when techniques.StepBack && stepBack.Count == 0:
                    stepBack.Add(new RewrittenQuery("stepback", text));
                    break;
                case "HYDE" when techniques.Hyde && hyde.Count == 0:
                    hyde.Add(new RewrittenQuery("hyde", text));
                    break;
            }
        }

        // Sub-questions first: each covers a part of the question the original ranking may miss.
        return subquestions.Concat(paraphrases).Concat(stepBack).Concat(hyde).Take(techniques.MaxQueries).ToList();
    }

    [GeneratedRegex(@"^\s*(?:[-*\d.)\s]*)\**(?<tag>PARAPHRASE|SUBQUESTION|SUB-QUESTION|STEP-?BACK|STEP BACK|HYDE)\s*\d*\**\s*:\s*(?<text>.+)$", RegexOptions.IgnoreCase)]
    private static partial Regex TaggedLine();
}
