namespace RagService.Core.Documents;

/// <summary>The kind of a structural block in a parsed document.</summary>
public enum BlockKind
{
    Heading,
    Paragraph,
    ListItem,
    Table,
    Figure,
    Code,
}

/// <summary>
/// A rectangle on a page in PDF user-space points, origin bottom-left
/// (the coordinate system PdfPig reports). Formats without geometry leave boxes null.
/// </summary>
public readonly record struct BoundingBox(double Left, double Bottom, double Right, double Top)
{
    public double Width => Right - Left;
    public double Height => Top - Bottom;

    public BoundingBox Union(BoundingBox other) => new(
        Math.Min(Left, other.Left), Math.Min(Bottom, other.Bottom),
        Math.Max(Right, other.Right), Math.Max(Top, other.Top));
}

/// <summary>
/// One block of a document in reading order. Tables carry their cells in <see cref="Rows"/>
/// (first row is the header row) and a Markdown rendering in <see cref="Text"/>.
/// </summary>
public sealed record DocumentBlock
{
    /// <summary>Stable within one parse of one document version: "b0", "b1", ...</summary>
    public required string Id { get; init; }
    public required BlockKind Kind { get; init; }
    public required string Text { get; init; }

    /// <summary>Heading level (1 = top) for headings; nesting depth (0 = top) for list items.</summary>
    public int Level { get; init; }

    /// <summary>1-based first page. Formats without pages use 1.</summary>
    public int PageStart { get; init; } = 1;

    /// <summary>1-based last page (a paragraph joined across a page break spans two).</summary>
    public int PageEnd { get; init; } = 1;

    public BoundingBox? Box { get; init; }

    /// <summary>Table cells, row by row; the first row is the header.</summary>
    public IReadOnlyList<IReadOnlyList<string>>? Rows { get; init; }

    /// <summary>True where OCR confidence was low for most of the block.</summary>
    public bool LowConfidence { get; init; }

    /// <summary>
    /// For blocks read by OCR: the mean confidence (0–100) of the block's words, weighted by word length,
    /// to one decimal. Null for blocks that were not recognised (text layers, other formats).
    /// </summary>
    public double? Confidence { get; init; }
}

/// <summary>A parsed document: its title and its blocks in reading order.</summary>
public sealed record DocumentTree(string? Title, IReadOnlyList<DocumentBlock> Blocks, int PageCount)
{
    /// <summary>A BCP-47-ish language guess ("en", "zh") or null.</summary>
    public string? Language { get; init; }
}
