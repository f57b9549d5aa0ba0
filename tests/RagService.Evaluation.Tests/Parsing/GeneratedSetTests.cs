using RagService.Core.Documents;
using RagService.Evaluation.Parsing;
using RagService.Evaluation.Synthetic.Documents;
using RagService.Ingestion.Parsing;
using RagService.TestSupport;
using Xunit.Abstractions;

namespace RagService.Evaluation.Tests.Parsing;

/// <summary>
/// The generated parse test set (<c>rag gen-docs</c>, committed under <c>eval/generated-docs</c>): the committed ground
/// truth is what the generator writes for its seed, and the parsers keep their figures on the set's test half
/// (docs/benchmarks.md, "Generated documents"). No LibreOffice is needed: the PDFs and scans are committed.
/// </summary>
public sealed class GeneratedSetTests(ITestOutputHelper output)
{
    private const int Seed = 15;

    [Fact]
    public async Task Committed_ground_truth_is_what_the_generator_writes_for_its_seed()
    {
        var (documents, questions) = DocumentComposer.Compose(Seed);

        Assert.True(documents.Count >= 40, $"{documents.Count} documents");
        foreach (var document in documents)
        {
            var committed = await File.ReadAllTextAsync(RepositoryFiles.PathOf("eval", "generated-docs", "groundtruth", document.Name + ".md"));
            Assert.Equal(GroundTruthWriter.Render(document), committed);
            Assert.True(File.Exists(RepositoryFiles.PathOf("eval", "generated-docs", "pdf", document.Name + ".pdf")), document.Name);
        }

        Assert.Equal(questions.Count, File.ReadLines(RepositoryFiles.PathOf("eval", "generated-docs", "questions.jsonl")).Count());
        Assert.Contains(documents, d => d.Scanned && d.Title is null);
        Assert.Contains(documents, d => d.Language == "zh" && d.Scanned);
    }

    [Fact]
    public async Task The_extended_set_adds_covered_reports_and_figures_beside_text_and_leaves_the_committed_documents_as_they_are()
    {
        var (committed, _) = DocumentComposer.Compose(Seed);
        var (extended, _) = DocumentComposer.Compose(Seed, extended: true);

        Assert.Equal(committed.Select(GroundTruthWriter.Render), extended.Take(committed.Count).Select(GroundTruthWriter.Render));
        var added = extended.Skip(committed.Count).ToList();

        var covered = added.Where(d => d.Cover is not null).ToList();
        Assert.True(covered.Count >= 6, $"{covered.Count} documents with covers");
        Assert.Contains(covered, d => d.Language == "zh");
        Assert.Contains(covered, d => ParseSplit.Of(d.Name + ".pdf") == ParseSplit.Dev);
        foreach (var document in covered)
        {
            // Only the title is a heading on either cover; the marketing lines, edition and imprint are text.
            var truth = GroundTruthWriter.Render(document).Split('\n');
            Assert.Equal(2, truth.Count(l => l == "# " + document.Title));
            Assert.All(document.Cover!.Taglines, t => Assert.Contains(t, truth));
            Assert.Contains(document.Cover!.Imprint, truth);
        }

        var figures = added.Where(d => d.FigureBesideText && d.Scanned).ToList();
        Assert.Contains(figures, d => d.FigureOnRight);
        Assert.Contains(figures, d => !d.FigureOnRight);
        Assert.True(figures.Select(d => d.FigureWidthEmu).Distinct().Count() >= 4, "figure widths");
        Assert.True(figures.Count(d => ParseSplit.Of(d.Name + ".pdf") == ParseSplit.Dev) >= 3, "figure scans in the dev half");

        // The DOCX sets the cover in display type (the title at 40 pt, the imprint larger) and breaks the page after it.
        var path = Path.Combine(Path.GetTempPath(), $"cover-{Guid.NewGuid():N}.docx");
        try
        {
            DocxWriter.Write(covered[0], path);
            var cover = DocumentXml(path);
            var title = cover.IndexOf(covered[0].Title!, StringComparison.Ordinal);
            Assert.True(cover.LastIndexOf("<w:sz w:val=\"80\" />", title, StringComparison.Ordinal) > cover.IndexOf("<w:body>", StringComparison.Ordinal));
            Assert.True(cover.IndexOf("<w:br w:type=\"page\" />", StringComparison.Ordinal) > cover.IndexOf(covered[0].Cover!.Imprint, StringComparison.Ordinal));

            // Its DOCX parses back to the ground truth: the title (in the Title style under its display size) is the only cover heading.
            foreach (var document in covered)
            {
                DocxWriter.Write(document, path);
                var tree = await DocumentParserRegistry.CreateDefault().ParseAsync(new DocumentSource(path, document.Name + ".docx", DocumentFormat.Docx), CancellationToken.None);
                var score = ParseScorer.Score(GroundTruth.FromMarkdown(GroundTruthWriter.Render(document)), tree);
                Assert.True(score.HeadingF1 == 1.0 && score.TextSimilarity >= 0.98, $"{document.Name}: heading F1 {score.HeadingF1:0.000}, text similarity {score.TextSimilarity:0.000}");
            }

            DocxWriter.Write(figures.First(d => d.FigureOnRight), path);
            Assert.Contains("<wp:align>right</wp:align>", DocumentXml(path), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string DocumentXml(string docx)
    {
        using var zip = System.IO.Compression.ZipFile.OpenRead(docx);
        using var reader = new StreamReader(zip.GetEntry("word/document.xml")!.Open());
        return reader.ReadToEnd();
    }

    [Fact]
    public async Task A_written_docx_parses_back_to_its_ground_truth()
    {
        var document = DocumentComposer.Compose(Seed).Documents.First(d => d.Blocks.OfType<GenList>().Any(l => l.TypedGlyph));
        var path = Path.Combine(Path.GetTempPath(), $"gen-{Guid.NewGuid():N}.docx");
        try
        {
            DocxWriter.Write(document, path);
            var tree = await DocumentParserRegistry.CreateDefault().ParseAsync(new DocumentSource(path, document.Name + ".docx", DocumentFormat.Docx), CancellationToken.None);

            var score = ParseScorer.Score(GroundTruth.FromMarkdown(GroundTruthWriter.Render(document)), tree);
            Assert.Equal(1.0, score.HeadingF1);
            Assert.True(score.TextSimilarity >= 0.95, $"text similarity {score.TextSimilarity:0.000}");
            // Typed bullets are list items, their glyph said once (by the marker), never kept in the text.
            var typed = document.Blocks.OfType<GenList>().First(l => l.TypedGlyph);
            Assert.Contains(tree.Blocks, b => b.Kind == BlockKind.ListItem && b.Text == typed.Items[0]);
            Assert.DoesNotContain(tree.Blocks, b => b.Kind == BlockKind.ListItem && b.Text.StartsWith(typed.Glyph, StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(path);
        }
    }

    // Recorded by `rag eval-parse --dataset eval/generated-docs --split test` (docs/benchmarks.md); each guard sits
    // a little under its figure so that a real regression fails here.
    [Fact]
    public async Task Generated_test_half_keeps_headings_text_and_tables()
    {
        var results = await EvaluateAsync(c => c.Category is ParseDataset.GeneratedDocx or ParseDataset.GeneratedPdf);

        foreach (var (category, similarity, f1) in new[] { (ParseDataset.GeneratedDocx, DocxSimilarity, DocxHeadingF1), (ParseDataset.GeneratedPdf, PdfSimilarity, PdfHeadingF1) })
        {
            var scores = results.Where(r => r.Case.Category == category).Select(r => r.Score).OfType<ParseScore>().ToList();
            Assert.Equal(results.Count(r => r.Case.Category == category), scores.Count);
            Assert.True(scores.Average(s => s.TextSimilarity) >= similarity, $"{category} text similarity {scores.Average(s => s.TextSimilarity):0.000}");
            var headingF1 = 2.0 * scores.Sum(s => s.HeadingsMatched) / (scores.Sum(s => s.HeadingsExpected) + scores.Sum(s => s.HeadingsFound));
            Assert.True(headingF1 >= f1, $"{category} heading F1 {headingF1:0.000}");
            Assert.Equal(scores.Sum(s => s.TablesExpected), scores.Sum(s => s.TablesRecovered));
        }
    }

    // Recorded by `rag eval-parse --dataset eval/generated-docs --split test` on the scans (docs/benchmarks.md: heading
    // F1 1.000, levels 1.000, CER 3.3 %, text similarity 0.967, 6/6 tables): real Tesseract reads the 7 scanned pages.
    [Fact]
    public async Task Generated_scans_test_half_keep_headings_at_their_levels()
    {
        var results = await EvaluateAsync(c => c.Category == ParseDataset.GeneratedOcr);

        var scores = results.Select(r => r.Score).OfType<ParseScore>().ToList();
        Assert.Equal(results.Count, scores.Count);
        var headingF1 = 2.0 * scores.Sum(s => s.HeadingsMatched) / (scores.Sum(s => s.HeadingsExpected) + scores.Sum(s => s.HeadingsFound));
        Assert.True(headingF1 >= OcrHeadingF1, $"OCR heading F1 {headingF1:0.000}");
        var levels = scores.Sum(s => (s.HeadingLevelAccuracy ?? 0) * s.HeadingsMatched) / Math.Max(1, scores.Sum(s => s.HeadingsMatched));
        Assert.True(levels >= OcrHeadingLevels, $"OCR heading levels {levels:0.000}");
        var cer = scores.Average(s => s.CharacterErrorRate ?? 1);
        Assert.True(cer <= OcrCer, $"OCR CER {cer:P1}");
        var similarity = scores.Average(s => s.TextSimilarity);
        Assert.True(similarity >= OcrSimilarity, $"OCR text similarity {similarity:0.000}");
        Assert.Equal(scores.Sum(s => s.TablesExpected), scores.Sum(s => s.TablesRecovered));
    }

    private const double OcrHeadingF1 = 0.97;
    private const double OcrHeadingLevels = 0.95;
    private const double OcrCer = 0.04;
    private const double OcrSimilarity = 0.955;

    private const double DocxSimilarity = 0.985;
    private const double DocxHeadingF1 = 0.99;
    private const double PdfSimilarity = 0.96;
    private const double PdfHeadingF1 = 0.99;

    private async Task<List<ParseCaseResult>> EvaluateAsync(Func<ParseCase, bool> select)
    {
        var cases = ParseDataset.Discover(RepositoryFiles.PathOf("eval", "generated-docs")).Where(c => c.Split == ParseSplit.Test && select(c)).ToList();
        Assert.NotEmpty(cases);
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
