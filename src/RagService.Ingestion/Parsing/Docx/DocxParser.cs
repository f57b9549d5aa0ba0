using System.Globalization;
using System.IO.Compression;
using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using RagService.Core.Documents;
using WordText = DocumentFormat.OpenXml.Wordprocessing.Text;

namespace RagService.Ingestion.Parsing.Docx;

// OpenXml's root namespace "DocumentFormat" would otherwise shadow the Core enum.
using DocumentFormat = RagService.Core.Documents.DocumentFormat;

/// <summary>Limits for DOCX parsing.</summary>
public sealed record DocxParserOptions
{
    /// <summary>
    /// Upper bound on the summed uncompressed size of the package's parts. A DOCX is a ZIP, and a
    /// small upload can inflate to gigabytes; the sum is read from the central directory before anything is inflated.
    /// </summary>
    public long MaxUncompressedBytes { get; init; } = 200L * 1024 * 1024;
}

/// <summary>
/// DOCX through the Open XML SDK. Only the main body is read (headers, footers and comments are
/// not document content). Headings come from outline levels, never style ids or names, because
/// ids are localised ("Überschrift1") or custom while the outline level is what Word itself uses for navigation.
/// Merged table cells are repeated in every cell they cover (horizontally and vertically), so each row
/// stays readable on its own when a table is split across chunks.
/// A paragraph in Word's Title style is the document's title: a heading one level above Heading 1, so
/// that the sections of the document nest under it (Title 1, Heading 1 → 2, Heading 2 → 3, …) the way a
/// reader, Word's navigation pane and docling see them. It is also the tree's title when the package's
/// core properties carry none. Without a Title paragraph, Heading 1 is level 1.
/// </summary>
public sealed class DocxParser(DocxParserOptions options) : IDocumentParser
{
    /// <summary>Outline level 9 (w:outlineLvl w:val="9") means "body text" in Word.</summary>
    private const int BodyTextOutlineLevel = 9;

    public DocxParser() : this(new DocxParserOptions())
    {
    }

    public bool CanParse(DocumentFormat format) => format == DocumentFormat.Docx;

    public Task<DocumentTree> ParseAsync(DocumentSource source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        GuardAgainstZipBomb(source.FilePath);
        try
        {
            using var package = WordprocessingDocument.Open(source.FilePath, false);
            return Task.FromResult(Parse(package, cancellationToken));
        }
        catch (Exception e) when (e is OpenXmlPackageException or InvalidDataException or FileFormatException or System.Xml.XmlException)
        {
            throw new DocumentRejectedException($"corrupt DOCX: {e.Message}", e);
        }
    }

    private void GuardAgainstZipBomb(string path)
    {
        try
        {
            using var zip = ZipFile.OpenRead(path);
            long total = 0;
            foreach (var entry in zip.Entries)
            {
                total += entry.Length;
                if (total > options.MaxUncompressedBytes)
                {
                    throw new DocumentRejectedException(
                        $"DOCX too large: parts exceed {options.MaxUncompressedBytes / (1024 * 1024)} MB uncompressed");
                }
            }
        }
        catch (InvalidDataException e)
        {
            throw new DocumentRejectedException($"corrupt DOCX: {e.Message}", e);
        }
    }

    private static DocumentTree Parse(WordprocessingDocument package, CancellationToken cancellationToken)
    {
        var main = package.MainDocumentPart ?? throw new DocumentRejectedException("corrupt DOCX: no main document part");
        var body = main.Document?.Body;
        var styles = new StyleChain(main.StyleDefinitionsPart?.Styles);
        var builder = new DocumentTreeBuilder();
        if (body is not null)
        {
            var headingOffset = body.Descendants<Paragraph>().Any(p => IsTitleParagraph(p, styles)) ? 1 : 0;
            var context = new BodyContext(styles, new ListNumbering(main.NumberingDefinitionsPart?.Numbering), builder, headingOffset, main);
            foreach (var element in body.Elements())
            {
                cancellationToken.ThrowIfCancellationRequested();
                VisitBodyElement(element, context);
            }

            foreach (var endnote in context.Notes.Endnotes)
            {
                builder.Add(BlockKind.Paragraph, endnote);
            }
        }

        var title = package.PackageProperties.Title;
        return builder.Build(string.IsNullOrWhiteSpace(title) ? TitleFromStyle(builder) : title);
    }

    /// <summary>The Title paragraph when there is one (it is the only level-1 heading then), else the first heading.</summary>
    private static string? TitleFromStyle(DocumentTreeBuilder builder) =>
        builder.Blocks.FirstOrDefault(b => b.Kind == BlockKind.Heading && b.Level == TitleLevel)?.Text
        ?? builder.Blocks.FirstOrDefault(b => b.Kind == BlockKind.Heading)?.Text;

    private const int TitleLevel = 1;

    /// <param name="HeadingOffset">1 when the document has a Title paragraph: outline headings move one level down.</param>
    /// <param name="Main">The main part, whose relationships lead to the charts a paragraph draws.</param>
    private sealed record BodyContext(StyleChain Styles, ListNumbering Numbering, DocumentTreeBuilder Builder, int HeadingOffset, MainDocumentPart Main)
    {
        public Notes Notes { get; } = new();
    }

    /// <summary>A non-empty paragraph in the Title style that no outline level makes an ordinary heading.</summary>
    private static bool IsTitleParagraph(Paragraph paragraph, StyleChain styles)
    {
        var styleId = paragraph.ParagraphProperties?.ParagraphStyleId?.Val?.Value;
        var outline = paragraph.ParagraphProperties?.OutlineLevel?.Val?.Value ?? styles.OutlineLevel(styleId);
        return outline is null or >= BodyTextOutlineLevel && styles.IsTitle(styleId) && !string.IsNullOrWhiteSpace(ParagraphText(paragraph));
    }

    private static void VisitBodyElement(OpenXmlElement element, BodyContext context)
    {
        switch (element)
        {
            case Paragraph paragraph:
                VisitParagraph(paragraph, context);
                break;
            case Table table when IsLayoutContainer(table):
                // A one-cell table is a frame around ordinary content (a boxed note, a nested table), not data.
                foreach (var child in table.Elements<TableRow>().SelectMany(r => r.Elements<TableCell>()).SelectMany(c => c.Elements()))
                {
                    VisitBodyElement(child, context);
                }

                break;
            case Table table:
                context.Builder.AddTable(TableRows(table));
                break;
            case SdtBlock sdt when sdt.SdtContentBlock is { } content:
                // Content controls (and tables of contents) wrap ordinary paragraphs and tables.
                foreach (var child in content.Elements())
                {
                    VisitBodyElement(child, context);
                }

                break;
        }
    }

    private static bool IsLayoutContainer(Table table)
    {
        var rows = table.Elements<TableRow>().Take(2).ToList();
        return rows.Count == 1 && rows[0].Elements<TableCell>().Count() == 1;
    }

    /// <summary>
    /// The paragraph's text, then the data of any chart it draws (a table after the chart's title), then the
    /// footnotes it references ("Footnote 1: …"), so a footnote sits in the section whose text cites it.
    /// </summary>
    private static void VisitParagraph(Paragraph paragraph, BodyContext context)
    {
        VisitParagraphText(paragraph, context);
        foreach (var (title, rows) in ChartData.Read(paragraph, context.Main))
        {
            if (title is not null)
            {
                context.Builder.Add(BlockKind.Paragraph, title);
            }

            context.Builder.AddTable(rows);
        }

        foreach (var text in NoteTexts<FootnoteReference, Footnote>(paragraph, context.Main.FootnotesPart?.Footnotes, r => r.Id?.Value, n => n.Id?.Value))
        {
            context.Builder.Add(BlockKind.Paragraph, string.Create(CultureInfo.InvariantCulture, $"Footnote {++context.Notes.Footnotes}: {text}"));
        }

        foreach (var text in NoteTexts<EndnoteReference, Endnote>(paragraph, context.Main.EndnotesPart?.Endnotes, r => r.Id?.Value, n => n.Id?.Value))
        {
            context.Notes.Endnotes.Add(string.Create(CultureInfo.InvariantCulture, $"Endnote {context.Notes.Endnotes.Count + 1}: {text}"));
        }
    }

    /// <summary>The text of each note (footnote or endnote) the paragraph references, in order; notes without text are skipped.</summary>
    private static IEnumerable<string> NoteTexts<TReference, TNote>(Paragraph paragraph, OpenXmlElement? notes,
        Func<TReference, long?> referenceId, Func<TNote, long?> noteId)
        where TReference : OpenXmlElement
        where TNote : OpenXmlElement
    {
        if (notes is null)
        {
            yield break;
        }

        foreach (var reference in paragraph.Descendants<TReference>().Where(r => !r.Ancestors<AlternateContentFallback>().Any()))
        {
            var note = notes.Elements<TNote>().FirstOrDefault(n => noteId(n) == referenceId(reference));
            var text = note is null ? string.Empty : string.Join(' ', note.Elements<Paragraph>().Select(ParagraphText).Where(t => t.Length > 0));
            if (text.Length > 0)
            {
                yield return text;
            }
        }
    }

    /// <summary>Footnotes numbered in order of reference; endnotes kept for the end of the document, where Word prints them.</summary>
    private sealed class Notes
    {
        public int Footnotes { get; set; }

        public List<string> Endnotes { get; } = [];
    }

    private static void VisitParagraphText(Paragraph paragraph, BodyContext context)
    {
        var (styles, builder) = (context.Styles, context.Builder);
        var properties = paragraph.ParagraphProperties;
        var styleId = properties?.ParagraphStyleId?.Val?.Value;
        var numbering = properties?.NumberingProperties ?? styles.Numbering(styleId);
        // numId 0 explicitly removes numbering inherited from the style.
        var numId = numbering?.NumberingId?.Val?.Value;
        var depth = numbering?.NumberingLevelReference?.Val?.Value ?? 0;
        var text = ParagraphText(paragraph);
        // Counting happens even for empty paragraphs: Word numbers them too.
        var label = numId is { } id and not 0 ? context.Numbering.Next(id, depth) : null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return;
        }

        var outline = properties?.OutlineLevel?.Val?.Value ?? styles.OutlineLevel(styleId);
        if (outline is { } level && level < BodyTextOutlineLevel)
        {
            builder.Add(BlockKind.Heading, label is null ? text : $"{label} {text}", level + 1 + context.HeadingOffset);
            return;
        }

        if (styles.IsTitle(styleId))
        {
            builder.Add(BlockKind.Heading, text, TitleLevel);
            return;
        }

        // A list item whose author also typed the bullet ("•␉Attach the form") keeps one marker, not two; a
        // paragraph that opens with a typed bullet and no numbering at all is a list item too.
        if (numId is not null and not 0 || ListGlyphs.StartsWithGlyph(text))
        {
            builder.Add(BlockKind.ListItem, ListGlyphs.Strip(text), depth);
            return;
        }

        builder.Add(BlockKind.Paragraph, text);
    }

    private static string ParagraphText(OpenXmlElement paragraph)
    {
        var sb = new StringBuilder();
        AppendText(paragraph, sb);
        return string.Join(' ', sb.ToString().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }

    private static void AppendText(OpenXmlElement element, StringBuilder sb)
    {
        foreach (var node in element.ChildElements)
        {
            switch (node)
            {
                case WordText t:
                    sb.Append(t.Text);
                    break;
                case TabChar or Break or CarriageReturn:
                    sb.Append(' ');
                    break;
                case NoBreakHyphen:
                    sb.Append('-');
                    break;
                case var math when OmmlText.IsMath(math):
                    sb.Append(' ').Append(OmmlText.ToLinearText(math)).Append(' ');
                    break;
                case AlternateContentFallback:
                    // Word writes text boxes twice (modern choice + legacy fallback); read the choice only.
                    break;
                default:
                    AppendText(node, sb);
                    break;
            }
        }
    }

    private static List<IReadOnlyList<string>> TableRows(Table table)
    {
        var rows = new List<IReadOnlyList<string>>();
        List<string>? previous = null;
        foreach (var row in table.Elements<TableRow>())
        {
            var cells = new List<string>();
            foreach (var cell in row.Elements<TableCell>())
            {
                var properties = cell.TableCellProperties;
                var span = Math.Max(1, properties?.GridSpan?.Val?.Value ?? 1);
                var merge = properties?.VerticalMerge;
                // A vMerge without val="restart" continues the cell above: repeat its value.
                var continues = merge is not null && (merge.Val is null || merge.Val.Value == MergedCellValues.Continue);
                var value = continues && previous is not null && cells.Count < previous.Count
                    ? previous[cells.Count]
                    : CellText(cell);
                for (var i = 0; i < span; i++)
                {
                    cells.Add(value);
                }
            }

            rows.Add(cells);
            previous = cells;
        }

        return rows;
    }

    /// <summary>
    /// All paragraphs of a cell, nested tables included (flattened), but not the paragraphs of text
    /// boxes, which their enclosing paragraph already reads.
    /// </summary>
    private static string CellText(TableCell cell) => string.Join(" ", cell.Descendants<Paragraph>()
        .Where(p => !p.Ancestors<Paragraph>().Any())
        .Select(ParagraphText)
        .Where(t => t.Length > 0));

    /// <summary>Resolves paragraph properties through a style's based-on chain.</summary>
    private sealed class StyleChain(Styles? styles)
    {
        private readonly Dictionary<string, Style> _byId = styles?.Elements<Style>()
            .Where(s => s.StyleId?.Value is not null)
            .GroupBy(s => s.StyleId!.Value!)
            .ToDictionary(g => g.Key, g => g.First()) ?? [];

        private readonly Style? _defaultParagraph = styles?.Elements<Style>()
            .FirstOrDefault(s => s.Type?.Value == StyleValues.Paragraph && s.Default?.Value == true);

        public int? OutlineLevel(string? styleId) =>
            Walk(styleId).Select(s => s.StyleParagraphProperties?.OutlineLevel?.Val?.Value).FirstOrDefault(v => v is not null);

        public NumberingProperties? Numbering(string? styleId) =>
            Walk(styleId).Select(s => s.StyleParagraphProperties?.NumberingProperties).FirstOrDefault(n => n is not null);

        /// <summary>
        /// The built-in Title style is recognised by its w:name, which Word always writes in English
        /// ("Title") whatever the UI language, unlike the id.
        /// </summary>
        public bool IsTitle(string? styleId) =>
            Walk(styleId).Any(s => string.Equals(s.StyleName?.Val?.Value, "Title", StringComparison.OrdinalIgnoreCase));

        private IEnumerable<Style> Walk(string? styleId)
        {
            var seen = new HashSet<string>();
            var current = styleId is not null && _byId.TryGetValue(styleId, out var s) ? s : _defaultParagraph;
            while (current is not null && seen.Add(current.StyleId?.Value ?? string.Empty))
            {
                yield return current;
                var basedOn = current.BasedOn?.Val?.Value;
                current = basedOn is not null && _byId.TryGetValue(basedOn, out var parent) ? parent : null;
            }
        }
    }
}
