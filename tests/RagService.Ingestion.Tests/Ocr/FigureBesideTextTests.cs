using RagService.Core.Documents;
using RagService.Evaluation.Parsing;
using RagService.Ingestion.Parsing;
using RagService.Ingestion.Parsing.Ocr;
using RagService.Ingestion.Parsing.Pdf;
using Xunit.Abstractions;

namespace RagService.Ingestion.Tests.Ocr;

using DocumentFormat = RagService.Core.Documents.DocumentFormat;

/// <summary>
/// Scanned pages with a busy picture beside the text (<see cref="FigureBesideTextScan"/>), read by real Tesseract: the
/// picture's edge and hatching must stay out of the text flow (no heading, no paragraph or table made of them) and the
/// text beside the picture must come back (text similarity to the ground truth ≥ 0.97). Seed 8 (230 pt on the right)
/// still leaves two marks as paragraphs of their own ("N" read at 89, "~"): docs/benchmarks.md, issue 15.
/// </summary>
public sealed class FigureBesideTextTests(ITestOutputHelper output) : IDisposable
{
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Theory]
    [InlineData(4, false, 260, false)]
    [InlineData(1, true, 212, false)]
    [InlineData(13, true, 160, true)]
    public async Task Text_beside_a_picture_stays_whole_and_the_pictures_marks_stay_out(int seed, bool onLeft, double width, bool tableAndList)
    {
        var fixture = new FigureBesideTextScan(seed, onLeft, width, Busy: true) { WithTableAndList = tableAndList };
        var work = _files.PathFor($"work-{seed}");
        Directory.CreateDirectory(work);
        var scan = _files.Write($"figure-{seed}.pdf", fixture.Scan(work));

        var tree = await new PdfParser(new PdfPageOcr(new PageRecognizer(OcrEnginePool.Shared)))
            .ParseAsync(new DocumentSource(scan, "figure.pdf", DocumentFormat.Pdf), CancellationToken.None);
        output.WriteLine(DocumentTreeMarkdown.Render(tree));
        var score = ParseScorer.Score(GroundTruth.FromMarkdown(fixture.GroundTruth), tree, new ScoringMode { Ocr = true });
        output.WriteLine($"text similarity {score.TextSimilarity:0.000}, CER {score.CharacterErrorRate:P1}");

        var headings = tree.Blocks.Where(b => b.Kind == BlockKind.Heading).ToList();
        Assert.Equal(fixture.Heading, headings[0].Text);
        Assert.Equal(tableAndList ? 2 : 1, headings.Count);
        Assert.DoesNotContain(tree.Blocks, b => b.Kind != BlockKind.Heading && b.Text.Count(char.IsLetter) < 4);
        Assert.Equal(tableAndList ? 1 : 0, tree.Blocks.Count(b => b.Kind == BlockKind.Table));
        Assert.True(score.TextSimilarity >= 0.97, $"text similarity {score.TextSimilarity:0.000}");
    }
}
