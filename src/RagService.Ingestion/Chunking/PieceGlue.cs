using System.Text.RegularExpressions;
using RagService.Core.Documents;

namespace RagService.Ingestion.Chunking;

/// <summary>Decides which neighbouring pieces travel together in one chunk, and joins them while the budget allows.</summary>
internal static partial class PieceGlue
{
    /// <summary>
    /// Joins pieces that must travel together while the budget allows: headings with what follows,
    /// the items of one list, a caption with its figure, table or code, and a lead-in that ends with a
    /// colon (or breaks off mid-sentence) with the block it introduces.
    /// </summary>
    public static List<ChunkPiece> Glue(List<ChunkPiece> pieces, int budget)
    {
        var units = new List<ChunkPiece>();
        foreach (var piece in pieces)
        {
            if (units.Count > 0 && units[^1] is var last && last.Tokens + piece.Tokens <= budget && BelongTogether(last, piece))
            {
                units[^1] = new ChunkPiece(last.Text + ChunkPiece.Separator(last, piece) + piece.Text, last.Tokens + piece.Tokens,
                    [.. last.Blocks, .. piece.Blocks], last.IsHeading && piece.IsHeading, IsSlice: last.IsSlice || piece.IsSlice);
                continue;
            }

            units.Add(piece);
        }

        return units;
    }

    private static bool BelongTogether(ChunkPiece previous, ChunkPiece next)
    {
        if (previous.IsHeading)
        {
            return true;
        }

        var a = previous.Block;
        var b = next.FirstBlock;
        if (ReferenceEquals(a, b))
        {
            return false; // slices of one split block are separate units by construction
        }

        if (a.Kind == BlockKind.ListItem && b.Kind == BlockKind.ListItem)
        {
            return true;
        }

        if ((IsCaption(a) && b.Kind is BlockKind.Figure or BlockKind.Table or BlockKind.Code) ||
            (IsCaption(b) && a.Kind is BlockKind.Figure or BlockKind.Table or BlockKind.Code))
        {
            return true;
        }

        if (a.Kind == BlockKind.Paragraph && !previous.IsSlice)
        {
            var text = a.Text.TrimEnd();
            if (text.EndsWith(':') || text.EndsWith('：'))
            {
                return true;
            }

            // A short fragment that breaks off mid-sentence continues in the next block.
            if (text.Length > 0 && text.Length < 200 && !EndsSentence(text) && b.Kind == BlockKind.Paragraph &&
                b.Text.Length > 0 && char.IsLower(b.Text[0]))
            {
                return true;
            }
        }

        return false;
    }

    private static bool EndsSentence(string text) =>
        text[^1] is '.' or '?' or '!' or '。' or '！' or '？' or '；' or ';' or '"' or '”' or ')' or '）' or '؟' or '۔';

    private static bool IsCaption(DocumentBlock block) =>
        block.Kind == BlockKind.Paragraph && block.Text.Length < 400 && CaptionStart().IsMatch(block.Text);

    [GeneratedRegex(@"^(Figure|Fig\.|Table|Listing|Chart|Exhibit|图|表)\s*[0-9A-Z]", RegexOptions.IgnoreCase)]
    private static partial Regex CaptionStart();
}
