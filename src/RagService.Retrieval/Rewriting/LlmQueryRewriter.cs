using System.Text.RegularExpressions;
using RagService.Core.Llm;

namespace RagService.Retrieval.Rewriting;

public sealed record QueryRewriteOptions
{
    /// <summary>Multi-query: how many paraphrases to ask for (0: none).</summary>
    public int Paraphrases { get; init; } = 2;

    /// <summary>HyDE: a short hypothetical passage that would answer the query, searched as a query.</summary>
    public bool Hyde { get; init; } = true;

    /// <summary>Decomposition: a compound question split into its sub-questions (none when it is simple).</summary>
    public bool Decompose { get; init; } = true;

    /// <summary>At most this many rewritten queries are returned.</summary>
    public int MaxQueries { get; init; } = 5;
}

/// <summary>
/// Query rewriting with an LLM in one call: multi-query paraphrases, a HyDE passage and the
/// sub-questions of a compound question, asked for as tagged lines (<c>PARAPHRASE:</c>, <c>HYDE:</c>,
/// <c>SUBQUESTION:</c>) and parsed back. Untagged, empty or duplicate lines are ignored.
/// </summary>
public sealed partial class LlmQueryRewriter(IChatModel chat, QueryRewriteOptions? options = null) : IQueryRewriter
{
    private readonly QueryRewriteOptions options = options ?? new QueryRewriteOptions();

    public string Name => "llm:" + chat.Name;

    public string SystemPrompt
    {
        get
        {
            var lines = new List<string>
            {
                "You rewrite search queries for a document search engine. Reply only with tagged lines, one per line:",
            };
            if (options.Paraphrases > 0)
            {
                lines.Add($"- {options.Paraphrases} lines 'PARAPHRASE: <the query reworded with different words, same meaning>'");
            }

            if (options.Hyde)
            {
                lines.Add("- 1 line 'HYDE: <a short passage, 2-3 sentences, as a document answering the query would state it>'");
            }

            if (options.Decompose)
            {
                lines.Add("- if the query asks several things, one line 'SUBQUESTION: <one self-contained sub-question>' per part; none if it asks one thing");
            }

            return string.Join('\n', lines);
        }
    }

    public async Task<IReadOnlyList<RewrittenQuery>> RewriteAsync(string query, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(query);
        var reply = await chat.CompleteAsync(SystemPrompt, "Query: " + query.Trim(), cancellationToken).ConfigureAwait(false);
        return Parse(reply, query, options);
    }

    public static IReadOnlyList<RewrittenQuery> Parse(string reply, string original, QueryRewriteOptions options)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { original.Trim() };
        var paraphrases = new List<RewrittenQuery>();
        var hyde = new List<RewrittenQuery>();
        var subquestions = new List<RewrittenQuery>();
        foreach (var line in reply.Split('\n'))
        {
            var match = TaggedLine().Match(line);
            if (!match.Success)
            {
                continue;
            }

            var text = match.Groups["text"].Value.Trim().Trim('"');
            if (text.Length == 0 || !seen.Add(text))
            {
                continue;
            }

            switch (match.Groups["tag"].Value.ToUpperInvariant())
            {
                case "PARAPHRASE" when paraphrases.Count < options.Paraphrases:
                    paraphrases.Add(new RewrittenQuery("paraphrase", text));
                    break;
                case "HYDE" when options.Hyde && hyde.Count == 0:
                    hyde.Add(new RewrittenQuery("hyde", text));
                    break;
                case "SUBQUESTION" when options.Decompose:
                    subquestions.Add(new RewrittenQuery("subquestion", text));
                    break;
            }
        }

        // Sub-questions first: each covers a part of the question the original ranking may miss.
        return subquestions.Concat(paraphrases).Concat(hyde).Take(options.MaxQueries).ToList();
    }

    [GeneratedRegex(@"^\s*(?:[-*\d.)\s]*)(?<tag>PARAPHRASE|HYDE|SUBQUESTION)\s*\d*\s*:\s*(?<text>.+)$", RegexOptions.IgnoreCase)]
    private static partial Regex TaggedLine();
}
