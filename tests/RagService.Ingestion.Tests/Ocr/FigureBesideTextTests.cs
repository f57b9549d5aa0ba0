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
/// picture's edge and hatching must stay out of the text flow (no heading, no paragraph made of them) and the text
/// beside the picture must come back as the one paragraph it is.
/// </summary>
public sealed class FigureBesideTextTests(ITestOutputHelper output) : IDisposable
{
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Theory]
    [InlineData(4, false, 260)]
    [InlineData(8, false, 230)]
    [InlineData(1, true, 212)]
    public async Task Text_beside_a_picture_stays_whole_and_the_pictures_marks_stay_out(int seed, bool onLeft, double width)
    {
        var fixture = new FigureBesideTextScan(seed, onLeft, width, Busy: true);
        var work = _files.PathFor($"work-{seed}");
        Directory.CreateDirectory(work);
        var scan = _files.Write($"figure-{seed}.pdf", fixture.Scan(work));

        var tree = await new PdfParser(new PdfPageOcr(new PageRecognizer(OcrEnginePool.Shared)))
            .ParseAsync(new DocumentSource(scan, "figure.pdf", DocumentFormat.Pdf), CancellationToken.None);
        output.WriteLine(DocumentTreeMarkdown.Render(tree));
        var score = ParseScorer.Score(GroundTruth.FromMarkdown(fixture.GroundTruth), tree, new ScoringMode { Ocr = true });
        output.WriteLine($"text similarity {score.TextSimilarity:0.000}, CER {score.CharacterErrorRate:P1}");

        var heading = Assert.Single(tree.Blocks, b => b.Kind == BlockKind.Heading);
        Assert.Equal(fixture.Heading, heading.Text);
        Assert.DoesNotContain(tree.Blocks, b => b.Kind != BlockKind.Heading && b.Text.Count(char.IsLetter) < 4);
        Assert.DoesNotContain(tree.Blocks, b => b.Kind == BlockKind.Table);
        Assert.True(score.TextSimilarity >= 0.97, $"text similarity {score.TextSimilarity:0.000}");
    }
}
