using RagService.Core.Documents;
using RagService.Ingestion.Parsing.Pdf;

namespace RagService.Ingestion.Parsing.Ocr;

/// <summary>
/// Feeds OCR lines into the same line → paragraph → heading assembly as text PDFs, and marks the
/// blocks whose words Tesseract was unsure of.
/// </summary>
internal static class OcrLayout
{
    /// <summary>
    /// Recognised lines as the PDF layout's lines (OCR knows no weight, so none are bold), in the
    /// upright image's coordinates: the layout reads lines left to right and top to bottom there.
    /// </summary>
    public static IEnumerable<PdfLine> ToPdfLines(OcrPage page) =>
        page.Lines.Select(l => new PdfLine(l.Page, l.Text, l.LayoutBox, l.FontSize, Bold: false, l.Block, page.Height));

    /// <summary>
    /// A page's lines as <see cref="MarkLowConfidence"/> needs them: without their words, which a long
    /// document need not hold to its end (each line's confidence is already its words' mean).
    /// </summary>
    public static IEnumerable<OcrLine> ForConfidence(OcrPage page) =>
        page.Lines.Select(l => l.Words.Count == 0 ? l : l with { Words = [] });

    /// <summary>
    /// Carries the boxes of blocks that start on a recognised page from that page's upright image
    /// (where the layout built them) to page coordinates. Blocks of pages not in
    /// <paramref name="toPage"/> (text pages) keep theirs.
    /// </summary>
    public static DocumentTree MapToPages(DocumentTree tree, IReadOnlyDictionary<int, PageTransform> toPage)
    {
        if (toPage.Count == 0 || toPage.Values.All(t => t.IsIdentity))
        {
            return tree;
        }

        var blocks = tree.Blocks.Select(block =>
            block.Box is { } box && toPage.TryGetValue(block.PageStart, out var transform) && !transform.IsIdentity
                ? block with { Box = transform.Map(box) }
                : block).ToArray();
        return tree with { Blocks = blocks };
    }

    /// <summary>
    /// Sets <see cref="DocumentBlock.Confidence"/> on blocks with OCR lines (those inside the block's box
    /// on its first page) to the mean confidence of their words, weighted by word length, and
    /// <see cref="DocumentBlock.LowConfidence"/> where that mean is under the threshold. Blocks without
    /// OCR lines (text pages) are left as they are.
    /// </summary>
    public static DocumentTree MarkLowConfidence(DocumentTree tree, IReadOnlyList<OcrLine> lines, double threshold)
    {
        if (lines.Count == 0)
        {
            return tree;
        }

        var byPage = lines.ToLookup(l => l.Page);
        var changed = false;
        var blocks = tree.Blocks.Select(block =>
        {
            if (block.Box is not { } box || !byPage.Contains(block.PageStart))
            {
                return block;
            }

            double sum = 0, weight = 0;
            foreach (var line in byPage[block.PageStart].Where(l => Inside(l.Box, box)))
            {
                // A line's confidence is already its words' mean weighted by length, and its words are
                // its letters less the spaces between them: weighting by letters keeps the block's mean
                // that of its words.
                var letters = line.Text.Count(c => !char.IsWhiteSpace(c));
                sum += line.Confidence * letters;
                weight += letters;
            }

            if (weight == 0)
            {
                return block;
            }

            changed = true;
            var mean = sum / weight;
            return block with { Confidence = Math.Round(mean, 1), LowConfidence = mean < threshold };
        }).ToArray();

        return changed ? tree with { Blocks = blocks } : tree;
    }

    private static bool Inside(BoundingBox inner, BoundingBox outer, double tolerance = 0.5) =>
        inner.Left >= outer.Left - tolerance && inner.Right <= outer.Right + tolerance &&
        inner.Bottom >= outer.Bottom - tolerance && inner.Top <= outer.Top + tolerance;
}

/// <summary>Decides whether a PDF page's text layer is worth keeping or the page should be recognised.</summary>
internal static class TextLayer
{
    /// <summary>Share of unreadable characters above which a text layer counts as garbage.</summary>
    private const double GarbageShare = 0.3;

    /// <summary>A page with a scan covering this share of it and little text is a scan with a stamp or page number on top.</summary>
    private const double ScanCoverage = 0.6;

    private const int StampCharacters = 40;

    /// <summary>
    /// True for a page with no text, with a text layer that is mostly replacement, control or
    /// private-use characters (a broken font encoding), or with a page-sized image and only a few
    /// words of text (a scan stamped with a page number or "CONFIDENTIAL").
    /// </summary>
    public static bool NeedsOcr(UglyToad.PdfPig.Content.Page page, IReadOnlyCollection<PdfLine> lines)
    {
        if (NeedsOcr(lines))
        {
            return true;
        }

        if (lines.Sum(l => l.Text.Count(c => !char.IsWhiteSpace(c))) >= StampCharacters)
        {
            return false;
        }

        try
        {
            var pageArea = page.Width * page.Height;
            return pageArea > 0 && page.GetImages().Any(i => Math.Abs(i.BoundingBox.Width * i.BoundingBox.Height) >= pageArea * ScanCoverage);
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            // An unreadable image leaves the text layer as it is.
            return false;
        }
    }

    /// <summary>No text at all, or text that is mostly replacement, control or private-use characters (a broken font encoding).</summary>
    public static bool NeedsOcr(IReadOnlyCollection<PdfLine> lines)
    {
        if (lines.Count == 0)
        {
            return true;
        }

        int total = 0, bad = 0;
        foreach (var line in lines)
        {
            foreach (var c in line.Text)
            {
                if (char.IsWhiteSpace(c))
                {
                    continue;
                }

                total++;
                if (c == '\uFFFD' || char.IsControl(c) || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.PrivateUse
                        or System.Globalization.UnicodeCategory.OtherNotAssigned or System.Globalization.UnicodeCategory.Surrogate)
                {
                    bad++;
                }
            }
        }

        return total == 0 || bad > total * GarbageShare;
    }
}
