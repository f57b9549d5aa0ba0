using RagService.Evaluation.Parsing;
using RagService.Ingestion.Parsing;
using RagService.TestSupport;
using Xunit.Abstractions;

namespace RagService.Evaluation.Tests.Parsing;

/// <summary>
/// Guards the parse figures of docs/benchmarks.md, "parsing" against the shared ground truth, so a change
/// that loses headings, tables or text in the DOCX or text-PDF parsers fails here rather than in a benchmark run.
/// </summary>
public sealed class ParseEvaluationTests(ITestOutputHelper output)
{
    [SharedDataFact("documents/docling/docx/sources")]
    public async Task Docx_ground_truth_keeps_headings_and_text()
    {
        var results = await EvaluateAsync(ParseDataset.Docx);

        var scores = results.Select(r => r.Score).OfType<ParseScore>().ToList();
        Assert.Equal(results.Count, scores.Count);
        var matched = scores.Sum(s => s.HeadingsMatched);
        var f1 = 2.0 * matched / (scores.Sum(s => s.HeadingsExpected) + scores.Sum(s => s.HeadingsFound));
        Assert.True(f1 >= 0.95, $"heading F1 {f1:0.000}");
        var similarity = scores.Average(s => s.TextSimilarity);
        Assert.True(similarity >= 0.95, $"text similarity {similarity:0.000}");
    }

    [SharedDataFact("documents/docling/pdf/sources")]
    public async Task Text_pdf_ground_truth_keeps_text_and_order()
    {
        var results = await EvaluateAsync(ParseDataset.Pdf);

        var similarity = results.Average(r => r.Score?.TextSimilarity ?? 0);
        // The goal is 0.9 (measured 0.904); the guard leaves room for noise in unrelated changes.
        Assert.True(similarity >= 0.88, $"text similarity {similarity:0.000}");
        Assert.True(results.Sum(r => r.Score?.TablesRecovered ?? 0) >= 4, "tables recovered");
    }

    private async Task<List<ParseCaseResult>> EvaluateAsync(string category)
    {
        var cases = ParseDataset.Discover(SharedData.PathOf("documents")!).Where(c => c.Category == category).ToList();
        var evaluator = new ParseEvaluator(new FormatSniffer(), DocumentParserRegistry.CreateDefault());
        var results = new List<ParseCaseResult>();
        foreach (var parseCase in cases)
        {
            results.Add(await evaluator.RunAsync(parseCase, TimeSpan.FromMinutes(2), CancellationToken.None));
        }

        output.WriteLine(ParseReport.Render(results));
        return results;
    }
}
