namespace RagService.Evaluation.Synthetic.Documents;

/// <summary>One block of a generated document; the writers (DOCX, ground-truth Markdown) render the same blocks.</summary>
public abstract record GenBlock;

/// <summary>A section heading, level 1 to 3 under the title; <see cref="Text"/> carries its number when it has one.</summary>
public sealed record GenHeading(int Level, string Text) : GenBlock;

/// <summary>Body text; a <see cref="Footnote"/> is set as a real DOCX footnote at the paragraph's end.</summary>
public sealed record GenParagraph(string Text, string? Footnote = null) : GenBlock;

/// <summary>
/// A bulleted or numbered list. <see cref="TypedGlyph"/>: the author typed the bullet glyph into the text of a
/// numbered-list paragraph as well (the glyph a DOCX parser must not repeat after its own marker).
/// </summary>
public sealed record GenList(bool Numbered, IReadOnlyList<string> Items, string Glyph = "•", bool TypedGlyph = false) : GenBlock;

/// <summary>
/// A table: header cells may hold a line break ("Nightly cap\n(EUR)", one header cell over two lines); rows may
/// span pages with the header repeated (<see cref="RepeatHeader"/>); <see cref="Merges"/> are horizontal spans
/// in body rows (row index, first column, columns spanned), written as one DOCX cell and as the text repeated
/// in every spanned cell of the ground truth.
/// </summary>
public sealed record GenTable(
    IReadOnlyList<string> Header,
    IReadOnlyList<IReadOnlyList<string>> Rows,
    bool Bordered,
    bool RepeatHeader,
    IReadOnlyList<GenMerge> Merges) : GenBlock;

/// <summary>A horizontal merge in body row <see cref="Row"/>: <see cref="Span"/> columns from <see cref="Column"/>.</summary>
public sealed record GenMerge(int Row, int Column, int Span);

/// <summary>A picture (drawn from <see cref="Seed"/>) with its caption below it.</summary>
public sealed record GenFigure(string Caption, int Seed, bool Busy) : GenBlock;

/// <summary>Switches the page layout to <see cref="Columns"/> columns from here on (a continuous section break).</summary>
public sealed record GenColumns(int Columns) : GenBlock;

/// <summary>
/// A generated document: its blocks, running header and footer (furniture: never in the ground truth) and
/// whether some of its pages are also printed and scanned for OCR.
/// </summary>
public sealed record GeneratedDocument(
    string Name,
    string Kind,
    string Language,
    string? Title,
    string RunningHeader,
    string RunningFooter,
    IReadOnlyList<GenBlock> Blocks,
    bool Scanned)
{
    /// <summary>True when the running header is set in small type at the very top of the page (class of the lone scanned page).</summary>
    public bool SmallHeader { get; init; }

    /// <summary>Figures in this document sit beside the text (a two-column table holding picture and paragraph).</summary>
    public bool FigureBesideText { get; init; }

    /// <summary>A figure beside the text sits at the right margin instead of the left.</summary>
    public bool FigureOnRight { get; init; }

    /// <summary>The width of a figure beside the text, in EMU (2,700,000: 7.5 cm).</summary>
    public long FigureWidthEmu { get; init; } = 2_700_000;

    /// <summary>A front cover (title, marketing lines and imprint in display type) and a back cover (title again, a blurb, the imprint).</summary>
    public GenCover? Cover { get; init; }
}

/// <summary>
/// The covers of a report or manual: <see cref="Taglines"/> in large bold type and an <see cref="Edition"/> line in body
/// type under the title on the front, the <see cref="Imprint"/> (a one-word brand) larger than the title; on the back,
/// the title again, <see cref="Blurb"/> in body type and the imprint. Only the title is a heading.
/// </summary>
public sealed record GenCover(IReadOnlyList<string> Taglines, string Edition, string Imprint, string Blurb);

/// <summary>A question over a generated document whose answer lies in one known section (for <c>rag eval-chunks</c>).</summary>
public sealed record GeneratedQuestion(string Id, string File, string Question, string Section, string Evidence, string Kind);
