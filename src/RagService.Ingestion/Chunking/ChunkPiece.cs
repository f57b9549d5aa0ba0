using System.Text;
using RagService.Core.Documents;

namespace RagService.Ingestion.Chunking;

/// <summary>
/// A unit of packing: a whole block, one slice of a split block, or several blocks glued together
/// (a list, a caption with its figure, a lead-in with what follows).
/// </summary>
internal sealed record ChunkPiece(string Text, int Tokens, IReadOnlyList<DocumentBlock> Blocks, bool IsHeading, bool IsOverlap = false, bool IsSlice = false)
{
    private const string PieceSeparator = "\n\n";

    public ChunkPiece(string text, int tokens, DocumentBlock block, bool isHeading, bool isOverlap = false, bool isSlice = false)
        : this(text, tokens, [block], isHeading, isOverlap, isSlice)
    {
    }

    public DocumentBlock Block => Blocks[^1];

    public DocumentBlock FirstBlock => Blocks[0];


    /// <summary>Blocks are separated by a blank line; sentence slices of one paragraph rejoin with a space.</summary>
    public static string Join(IEnumerable<ChunkPiece> pieces)
    {
        var sb = new StringBuilder();
        ChunkPiece? previous = null;
        foreach (var piece in pieces)
        {
            if (previous is not null)
            {
                sb.Append(Separator(previous, piece));
            }

            sb.Append(piece.Text);
            previous = piece;
        }

        return sb.ToString();
    }

    public static string Separator(ChunkPiece previous, ChunkPiece next) =>
        previous.IsSlice && next.IsSlice && ReferenceEquals(previous.Block, next.FirstBlock) && !previous.IsOverlap
            ? previous.Block.Kind switch
            {
                BlockKind.Table => PieceSeparator,
                BlockKind.Code => "\n",
                _ => " ",
            }
            : PieceSeparator;
}
