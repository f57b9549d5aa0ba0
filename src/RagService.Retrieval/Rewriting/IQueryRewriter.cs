namespace RagService.Retrieval.Rewriting;

/// <summary>One rewritten query: its kind ("paraphrase", "hyde", "subquestion") and its text.</summary>
public sealed record RewrittenQuery(string Kind, string Text);

/// <summary>
/// Turns a user query into extra queries that are searched alongside it and fused with it
/// (see <see cref="HybridRetriever"/>'s "rewrite" stage).
/// </summary>
public interface IQueryRewriter
{
    /// <summary>Reported in the trace.</summary>
    string Name { get; }

    /// <summary>The extra queries (the original is not among them); empty when nothing useful came back.</summary>
    Task<IReadOnlyList<RewrittenQuery>> RewriteAsync(string query, CancellationToken cancellationToken);
}
