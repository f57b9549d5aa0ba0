using RagService.Core.Documents;
using RagService.Ingestion.Parsing.Image;
using RagService.Ingestion.Parsing.Ocr;
using RagService.Ingestion.Parsing.Pdf;
using RagService.TestSupport;
using Xunit.Abstractions;

namespace RagService.Ingestion.Tests.Ocr;

using DocumentFormat = RagService.Core.Documents.DocumentFormat;

/// <summary>Character error rates against the ground truth in ../shared/data (issue 3: ≤ 3%, rotations within one point).</summary>
/// <summary>A theory over ../shared/data files: skipped with its reason where the data is absent.</summary>
public sealed class SharedDataTheoryAttribute : TheoryAttribute
{
    public SharedDataTheoryAttribute(string relativePath)
    {
        if (SharedData.PathOf(relativePath) is null)
        {
            Skip = $"needs ../shared/data/{relativePath}, which is not present on this machine";
        }
    }
}

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

    [SharedDataTheory("documents/tesseract/phototest-rotated-L.png")]
    [InlineData("phototest-rotated-L.png")]
    [InlineData("phototest-rotated-180.png")]
    public async Task Rotated_phototest_is_within_one_point_of_three_percent(string file)
    {
        var path = SharedData.PathOf("documents/tesseract/" + file)!;
        var tree = await new ImageParser(Recognizer)
            .ParseAsync(new DocumentSource(path, file, DocumentFormat.Image), CancellationToken.None);

        var cer = OcrFixtures.Cer(File.ReadAllText(SharedData.PathOf("documents/tesseract/phototest.txt")!), TextOf(tree));

        output.WriteLine($"{file} CER {cer:P2}: {TextOf(tree)}");
        Assert.True(cer <= 0.04, $"CER {cer:P2}");
    }

    [SharedDataFact("documents/docling/images/sources/webp-test.webp")]
    public async Task Webp_image_is_decoded_and_recognised()
    {
        var path = SharedData.PathOf("documents/docling/images/sources/webp-test.webp")!;
        var tree = await new ImageParser(Recognizer)
            .ParseAsync(new DocumentSource(path, "webp-test.webp", DocumentFormat.Image), CancellationToken.None);

        var truth = File.ReadAllText(SharedData.PathOf("documents/docling/images/groundtruth/webp/tesseract/full_page/webp-test.tesseract.full_page.md")!);
        var cer = OcrFixtures.Cer(truth, TextOf(tree));
        output.WriteLine($"webp-test CER {cer:P2}: {TextOf(tree)}");
        Assert.True(cer <= 0.03, $"CER {cer:P2}");
    }

    [SharedDataTheory("documents/docling/images/sources/2206.01062.tif")]
    [InlineData("2206.01062.tif")]
    [InlineData("qr_bill_example.jpg")]
    [InlineData("old_newspaper.png")]
    public async Task Tiff_jpeg_and_png_sources_yield_text(string file)
    {
        var path = SharedData.PathOf("documents/docling/images/sources/" + file)!;
        var tree = await new ImageParser(Recognizer)
            .ParseAsync(new DocumentSource(path, file, DocumentFormat.Image), CancellationToken.None);

        output.WriteLine($"{file}: {tree.Blocks.Count} blocks, {tree.Blocks.Count(b => b.LowConfidence)} low-confidence, {TextOf(tree).Length} chars");
        Assert.True(TextOf(tree).Count(char.IsLetter) > 100);
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
