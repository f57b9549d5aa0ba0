using RagService.Core.Models;
using RagService.Core.Text;

namespace RagService.Retrieval.Routing;

/// <summary>
/// The query's detected language and, per model, what <see cref="LanguageCoverageRule"/> decided: the dense
/// leg (the index's model), the second stage's model and the cross-encoder. Null: no such model configured.
/// </summary>
public sealed record LanguageDecisions(TextLanguage Query, CoverageDecision Dense, CoverageDecision? Second, CoverageDecision? Rerank)
{
    private static readonly CoverageDecision Covered = new(1.0, "not checked");

    /// <summary>Before the "language" stage ran: nothing is skipped.</summary>
    public static LanguageDecisions Unchecked { get; } = new(LanguageDetector.Detect(string.Empty), Covered, null, null);
}
