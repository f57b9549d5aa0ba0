using RagService.Core.Models;
using RagService.Core.Search;
using RagService.Core.Text;
using RagService.Retrieval.Pipeline;

namespace RagService.Retrieval.Routing;

/// <summary>
/// The "language" stage: detects the query's language and asks <see cref="LanguageCoverageRule"/> about each
/// model. A hybrid search whose index model does not cover the query skips the dense leg (the trace says
/// "dense skipped: minilm does not cover zh"), one it partly covers scales the dense weight by the covered
/// share; the second stage and the cross-encoder are skipped for a query their models do not cover. An
/// explicit dense-mode search still runs its leg, as asked, with the note. This is a rule on what each model
/// was trained on, the same one ingestion applies to chunks, not a weight tuned on a data set.
/// </summary>
internal sealed class LanguageCoverageStage(SearchComponents components) : ISearchStage<SearchContext>
{
    public string Name => "language";

    public Task<StageOutcome> RunAsync(SearchContext context, CancellationToken cancellationToken)
    {
        var language = LanguageDetector.Detect(context.Analysis.Text);
        var dense = LanguageCoverageRule.Decide(components.Embedder.Name, components.Embedder.Languages, language);
        var second = components.SecondEmbedder is { } s ? LanguageCoverageRule.Decide(s.Name, s.Languages, language) : (CoverageDecision?)null;
        var rerank = components.Reranker is { } r ? LanguageCoverageRule.Decide(r.Name, r.Languages, language) : (CoverageDecision?)null;
        context.Languages = new LanguageDecisions(language, dense, second, rerank);

        var notes = new List<string> { $"language={language.Code}" };
        var changed = false;
        if (context.UseDense && dense.Factor < 1)
        {
            changed = true;
            if (!context.Hybrid)
            {
                notes.Add($"dense searched as asked (dense mode), though {dense.Note}");
            }
            else if (dense.Skipped)
            {
                context.Weights = context.Weights with { Dense = 0, Reason = context.Weights.Reason + "; dense skipped by language" };
                notes.Add($"dense skipped: {dense.Note}");
            }
            else
            {
                context.Weights = context.Weights with { Dense = context.Weights.Dense * dense.Factor, Reason = context.Weights.Reason + "; dense down-weighted by language" };
                notes.Add($"dense: {dense.Note}");
            }
        }

        if (context.Hybrid && context.Switches.SecondStage && second is { } secondDecision && (secondDecision.Factor < 1 || dense.Skipped))
        {
            changed = true;
            notes.Add(SecondStageNote(dense, secondDecision));
        }

        if (context.Switches.Rerank && rerank is { Skipped: true } rerankDecision)
        {
            changed = true;
            notes.Add($"rerank skipped: {rerankDecision.Note}");
        }

        return Task.FromResult(new StageOutcome(changed, string.Join("; ", notes)));
    }

    /// <summary>The second stage rescores with the index's model too: it needs the dense leg's query vector.</summary>
    public static string SecondStageNote(CoverageDecision dense, CoverageDecision second) =>
        dense.Skipped ? $"second-stage skipped: {dense.Note}"
        : second.Skipped ? $"second-stage skipped: {second.Note}"
        : $"second-stage: {second.Note}";
}
