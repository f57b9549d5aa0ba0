using RagService.Core.Documents;

namespace RagService.Ingestion.Parsing.Pdf;

/// <summary>
/// Turns the lines of a whole document into its tree: the steps every page takes after its lines are
/// read, whether from a text layer or from OCR (PDF pages, scanned images).
/// </summary>
internal static class PdfTreeAssembler
{
    /// <summary>
    /// The layout steps shared by text and OCR'd pages: furniture removed, headings ranked over the
    /// whole document, lines assembled into paragraphs.
    /// </summary>
    public static DocumentTree Assemble(IReadOnlyList<PdfLine> lines, int pageCount, string? title,
        IReadOnlyDictionary<string, int>? outline = null, IReadOnlyList<RuledGrid>? grids = null)
    {
        var content = PageFurniture.Remove(lines, pageCount);
        if (content.Count == 0)
        {
            throw new DocumentRejectedException("empty document");
        }

        // Ruled tables first: their rules say where cells are; alignment is the fallback for the lines left over.
        var gridsByPage = (grids ?? []).ToLookup(g => g.Page);
        var tables = new List<PdfTable>();
        foreach (var page in content.GroupBy(l => l.Page))
        {
            var ruled = PdfTableDetector.FindRuled(page.ToList(), gridsByPage[page.Key].ToList());
            var inRuled = ruled.SelectMany(t => t.Lines).ToHashSet();
            tables.AddRange(ruled);
            tables.AddRange(PdfTableDetector.Find(page.Where(l => !inRuled.Contains(l)).ToList()));
        }

        var tableOf = new Dictionary<PdfLine, PdfTable>();
        foreach (var table in tables)
        {
            foreach (var line in table.Lines)
            {
                tableOf.TryAdd(line, table);
            }
        }

        content = SectionNumbers.JoinToText(content, tableOf);
        var headings = HeadingClassifier.Create(content.Where(l => !tableOf.ContainsKey(l)).ToList(), outline,
            content.Where(tableOf.ContainsKey).ToList());
        var builder = new DocumentTreeBuilder();
        foreach (var paragraph in ParagraphAssembler.Assemble(content, headings, tableOf))
        {
            if (paragraph.Rows is { } rows)
            {
                builder.AddTable(rows, paragraph.PageStart, paragraph.PageEnd, paragraph.Box);
            }
            else
            {
                builder.Add(paragraph.Kind, paragraph.Text, paragraph.Level, paragraph.PageStart, paragraph.PageEnd, paragraph.Box);
            }
        }

        return builder.Build(string.IsNullOrWhiteSpace(title) ? null : title, pageCount);
    }
}
