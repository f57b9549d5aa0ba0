namespace RagService.Retrieval.Rewriting;

/// <summary>One rewritten query: its kind ("paraphrase", "subquestion", "stepback", "hyde") and its text.</summary>
public sealed record RewrittenQuery(string Kind, string Text);

/// <summary>
/// Which rewriting techniques one search asks for; each is switched per request
/// (<c>SearchStages.MultiQuery / Decompose / StepBack / Hyde</c>) over the configured defaults.
/// </summary>
/// <param name="Paraphrases">Multi-query: how many paraphrases (0: none).</param>
/// <param name="Decompose">Sub-questions of a compound question (none when it asks one thing).</param>
/// <param name="StepBack">One step-back question: the broader concept or principle behind the query.</param>
/// <param name="Hyde">One hypothetical answer passage, searched as a query.</param>
public sealed record RewriteTechniques(int Paraphrases, bool Decompose, bool StepBack, bool Hyde)
{
    public static RewriteTechniques None { get; } = new(0, false, false, false);

    public static RewriteTechniques All { get; } = new(2, true, true, true);

    /// <summary>At most this many rewritten queries are returned (each is a full search).</summary>
    public int MaxQueries { get; init; } = 6;

    public bool Any => Paraphrases > 0 || Decompose || StepBack || Hyde;

    /// <summary>As the trace shows it, e.g. "multi-query×2, decompose, step-back, hyde".</summary>
    public override string ToString()
    {
        var names = new List<string>(4);
        if (Paraphrases > 0)
        {
            names.Add(FormattableString.Invariant($"multi-query×{Paraphrases}"));
        }

        if (Decompose)
        {
            names.Add("decompose");
        }

        if (StepBack)
        {
            names.Add("step-back");
        }

        if (Hyde)
        {
            names.Add("hyde");
        }

        return names.Count == 0 ? "none" : string.Join(", ", names);
    }
}

/// <summary>
/// Turns a user query into extra queries that are searched alongside it and fused with it
/// (see <see cref="HybridRetriever"/>'s "rewrite" stage).
/// </summary>
public interface IQueryRewriter
{
    /// <summary>Reported in the trace.</summary>
    string Name { get; }

    /// <summary>The extra queries (the original is not among them) of the asked techniques; empty when nothing useful came back.</summary>
    Task<IReadOnlyList<RewrittenQuery>> RewriteAsync(string query, RewriteTechniques techniques, CancellationToken cancellationToken);
}
