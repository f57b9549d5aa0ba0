using System.Text.RegularExpressions;
using RagService.Core.Search;
using RagService.Retrieval.Pipeline;

namespace RagService.Retrieval.QueryUnderstanding;

/// <summary>
/// The "query-understanding" stage: normalisation, language, quoted phrases, section references, intent
/// (<see cref="QueryAnalyzer"/>), and what a date named in the query does: a document-date filter, applied
/// inside each retriever from here on, or a boost after fusion (the "date-hint" step reports it).
/// </summary>
internal sealed partial class QueryUnderstandingStage : ISearchStage<SearchContext>
{
    public string Name => "query-understanding";

    public Task<StageOutcome> RunAsync(SearchContext context, CancellationToken cancellationToken)
    {
        var on = context.Switches.QueryUnderstanding;
        var query = context.Request.Query;
        var analysis = on ? QueryAnalyzer.Analyze(query) : QueryAnalysis.Plain(query.Trim());
        context.Analysis = analysis;

        // Without query understanding, quotes are plain punctuation: the lexical index sees no phrase.
        context.LexicalQuery = on ? analysis.Text : QuoteMarks().Replace(analysis.Text, " ");
        context.RankingQuery = analysis.Text;
        context.Dates = DateDecision.Decide(context.Switches, analysis.Text, context.Request.Filter);
        context.Filter = context.Dates.Narrow(context.Filter);
        return Task.FromResult(on
            ? new StageOutcome(true, $"language={analysis.Language}; intent={analysis.Intent}; words={analysis.WordCount}; phrases=[{string.Join(" | ", analysis.Phrases)}]; sections=[{string.Join(", ", analysis.SectionReferences)}]")
            : StageOutcome.Off("off"));
    }

    [GeneratedRegex("[\"“”「」『』]")]
    private static partial Regex QuoteMarks();
}
