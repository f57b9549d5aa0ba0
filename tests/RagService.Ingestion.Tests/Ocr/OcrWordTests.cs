using RagService.Core.Documents;
using RagService.Ingestion.Parsing.Ocr;
using RagService.Ingestion.Parsing.Pdf;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;
using Xunit.Abstractions;
using static RagService.Ingestion.Parsing.Ocr.TesseractNative;

namespace RagService.Ingestion.Tests.Ocr;

using DocumentFormat = RagService.Core.Documents.DocumentFormat;

/// <summary>
/// OCR words keep their boxes and confidences from Tesseract's word level, and blocks read by OCR carry
/// the mean confidence of their words.
/// </summary>
public sealed class OcrWordTests(ITestOutputHelper output) : IDisposable
{
    private const double Epsilon = 1e-6;

    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static bool Inside(BoundingBox inner, BoundingBox outer) =>
        inner.Left >= outer.Left - Epsilon && inner.Right <= outer.Right + Epsilon &&
        inner.Bottom >= outer.Bottom - Epsilon && inner.Top <= outer.Top + Epsilon;

    [Theory]
    [InlineData(0.0)]
    [InlineData(2.0)]
    public void Recognised_words_have_boxes_inside_their_line_and_page_and_confidences_0_to_100(double skew)
    {
        // The fixture page: "Backup Policy" in 24 pt bold with its baseline at (60, 760) on A4, then the
        // sentences in 16 pt, one per line; scanned at 200 dpi (and turned a little for the deskew case).
        var png = OcrFixtures.ScanPng(_files);
        if (skew != 0)
        {
            png = OcrFixtures.Skew(png, _files.PathFor("skewed.png"), skew);
        }

        using var pix = pixRead(png);
        var page = new PageRecognizer(OcrEnginePool.Shared).Recognize(pix, 1, 200, CancellationToken.None);
        output.WriteLine($"deskewed by {page.DeskewAngle:0.00}°, page {page.Width:0} x {page.Height:0} pt");
        foreach (var line in page.Lines)
        {
            output.WriteLine($"{line.Box} {line.Confidence:0.0}: {string.Join(" | ", line.Words.Select(w => $"{w.Text} {w.Box} {w.Confidence:0}"))}");
        }

        if (skew != 0)
        {
            Assert.NotEqual(0, page.DeskewAngle);
        }

        Assert.Equal(5, page.Lines.Count);
        foreach (var line in page.Lines)
        {
            Assert.NotEmpty(line.Words);
            // The line's text is its words, and its confidence their mean weighted by length.
            Assert.Equal(line.Text, string.Join(' ', line.Words.Select(w => w.Text)));
            Assert.Equal(line.Words.Sum(w => w.Confidence * w.Text.Length) / line.Words.Sum(w => w.Text.Length), line.Confidence, 6);
            foreach (var word in line.Words)
            {
                Assert.True(Inside(word.Box, line.Box), $"'{word.Text}' {word.Box} is not inside its line {line.Box}");
                Assert.True(Inside(word.Box, new BoundingBox(0, 0, page.Width, page.Height)), $"'{word.Text}' {word.Box} is off the page");
                Assert.InRange(word.Confidence, 0, 100);
                Assert.True(word.Box.Width > 0, $"'{word.Text}' has an empty box {word.Box}");
            }

            // Left to right (ink may touch: "for" and "thirty" kern into each other by a point).
            Assert.All(line.Words.Zip(line.Words.Skip(1)), pair => Assert.True(pair.First.Box.Left < pair.Second.Box.Left && pair.First.Box.Right <= pair.Second.Box.Left + 2,
                $"'{pair.First.Text}' {pair.First.Box} runs into '{pair.Second.Text}' {pair.Second.Box}"));
        }

        var heading = page.Lines[0];
        Assert.Equal(["Backup", "Policy"], heading.Words.Select(w => w.Text));
        var backup = heading.Words[0];
        if (skew == 0)
        {
            Assert.InRange(backup.Box.Left, 57, 63);
            Assert.InRange(backup.Box.Bottom, 757, 763);
            // Cap height of 24 pt Helvetica Bold is about 17 pt.
            Assert.InRange(backup.Box.Top - backup.Box.Bottom, 14, 21);
        }
        else
        {
            // Boxes are those of the skewed image as stored: the word's baseline starts where (60, 760)
            // went when the page was turned clockwise about its centre.
            var radians = -skew * Math.PI / 180;
            double cx = page.Width / 2, cy = page.Height / 2, dx = 60 - cx, dy = 760 - cy;
            var (x, y) = (cx + (dx * Math.Cos(radians)) - (dy * Math.Sin(radians)), cy + (dx * Math.Sin(radians)) + (dy * Math.Cos(radians)));
            output.WriteLine($"'Backup' should start its baseline at ({x:0.0}, {y:0.0})");
            Assert.True(x >= backup.Box.Left - 3 && x <= backup.Box.Left + 3 && y >= backup.Box.Bottom - 3 && y <= backup.Box.Top,
                $"'Backup' {backup.Box} does not start at ({x:0.0}, {y:0.0})");
        }

        // Clean words of a clean scan are read with confidence.
        var fox = page.Lines.Single(l => l.Text.StartsWith("The quick", StringComparison.Ordinal));
        Assert.Equal(["The", "quick", "brown", "fox", "jumps", "over", "the", "lazy", "dog."], fox.Words.Select(w => w.Text));
        Assert.All(fox.Words, w => Assert.True(w.Confidence >= 80, $"'{w.Text}' at {w.Confidence:0}"));
    }

    [Fact]
    public async Task Ocr_blocks_carry_their_words_mean_confidence_and_text_layer_blocks_none()
    {
        var pdf = OcrFixtures.MixedPdf(_files);
        var parser = new PdfParser(new PdfPageOcr(new PageRecognizer(OcrEnginePool.Shared)));

        var tree = await parser.ParseAsync(new DocumentSource(pdf, "mixed.pdf", DocumentFormat.Pdf), CancellationToken.None);
        var textOnly = await new PdfParser(new PdfPageOcr(new PageRecognizer(OcrEnginePool.Shared)))
            .ParseAsync(new DocumentSource(_files.Write("text.pdf", OcrFixtures.TextPdf()), "text.pdf", DocumentFormat.Pdf), CancellationToken.None);

        foreach (var block in tree.Blocks)
        {
            output.WriteLine($"{block.Id} p{block.PageStart} confidence {block.Confidence} low={block.LowConfidence}: {block.Text}");
        }

        Assert.Null(tree.Blocks.Single(b => b.PageStart == 1).Confidence);
        var scanned = tree.Blocks.Where(b => b.PageStart == 2).ToList();
        Assert.NotEmpty(scanned);
        Assert.All(scanned, b =>
        {
            Assert.NotNull(b.Confidence);
            Assert.InRange(b.Confidence.Value, 80, 100);
            Assert.False(b.LowConfidence);
        });
        Assert.All(textOnly.Blocks, b => Assert.Null(b.Confidence));
    }
}
