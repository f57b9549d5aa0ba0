using RagService.Core.Documents;
using RagService.Ingestion.Parsing.Image;
using RagService.Ingestion.Parsing.Ocr;
using RagService.Ingestion.Parsing.Pdf;
using RagService.TestSupport;
using Xunit.Abstractions;

namespace RagService.Ingestion.Tests.Ocr;

using DocumentFormat = RagService.Core.Documents.DocumentFormat;

/// <summary>Character error rates against the ground truth in ../shared/data (issue 3: ≤ 3%, rotations within one point).</summary>
public sealed class OcrGroundTruthTests(ITestOutputHelper output)
{
    private const string OcrSources = "documents/docling/ocr/sources/";
    private const string OcrTruth = "documents/docling/ocr/groundtruth/tesseract/full_page/ocr_test.tesseract.full_page.md";

    private static readonly PageRecognizer Recognizer = new(OcrEnginePool.Shared);

    private static string TextOf(DocumentTree tree) => OcrFixtures.Join(tree.Blocks.Select(b => b.Text));

    private async Task<double> PdfCerAsync(string file)
    {
        var path = SharedData.PathOf(OcrSources + file)!;
        var tree = await new PdfParser(new PdfPageOcr(Recognizer))
            .ParseAsync(new DocumentSource(path, file, DocumentFormat.Pdf), CancellationToken.None);
        var cer = OcrFixtures.Cer(File.ReadAllText(SharedData.PathOf(OcrTruth)!), TextOf(tree));
        output.WriteLine($"{file}: CER {cer:P2}: {TextOf(tree)}");
        return cer;
    }

    [SharedDataFact("documents/tesseract/phototest.png")]
    public async Task Phototest_character_error_rate_is_at_most_three_percent()
    {
        var path = SharedData.PathOf("documents/tesseract/phototest.png")!;
        var tree = await new ImageParser(Recognizer)
            .ParseAsync(new DocumentSource(path, "phototest.png", DocumentFormat.Image), CancellationToken.None);

        var cer = OcrFixtures.Cer(File.ReadAllText(SharedData.PathOf("documents/tesseract/phototest.txt")!), TextOf(tree));

        output.WriteLine($"phototest CER {cer:P2}: {TextOf(tree)}");
        Assert.True(cer <= 0.03, $"CER {cer:P2}");
    }

    [SharedDataFact(OcrSources + "ocr_test.pdf")]
    public async Task Ocr_test_pdf_upright_character_error_rate_is_at_most_three_percent()
    {
        var cer = await PdfCerAsync("ocr_test.pdf");

        Assert.True(cer <= 0.03, $"CER {cer:P2}");
    }

    [SharedDataFact(OcrSources + "ocr_test_rotated_90.pdf")]
    public async Task Ocr_test_pdf_rotated_copies_are_within_one_point_of_upright()
    {
        var upright = await PdfCerAsync("ocr_test.pdf");
        foreach (var file in new[] { "ocr_test_rotated_90.pdf", "ocr_test_rotated_180.pdf", "ocr_test_rotated_270.pdf" })
        {
            var cer = await PdfCerAsync(file);
            Assert.True(cer <= upright + 0.01, $"{file}: CER {cer:P2} vs upright {upright:P2}");
        }
    }
}
