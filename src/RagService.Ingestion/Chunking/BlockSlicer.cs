using RagService.Core.Chunks;
using RagService.Core.Documents;
using RagService.Core.Options;
using RagService.Core.Text;

namespace RagService.Ingestion.Chunking;

/// <summary>
/// Slices a block too large for the budget where meaning survives: a paragraph at sentence ends, a table
/// between rows (<see cref="TableSlicer"/>), code between lines.
/// </summary>
internal sealed class BlockSlicer(ChunkingOptions options, ITokenCounter tokens)
{
    private readonly SentenceSlicer _sentences = new(tokens);

    private readonly TableSlicer _tables = new(tokens);

    /// <param name="sentenceUnits">
    /// Semantic mode: an oversized paragraph becomes one piece per sentence, so that the topical
    /// segmentation, not greedy packing, decides where it is cut.
    /// </param>
    public IEnumerable<ChunkPiece> Slice(DocumentBlock block, int budget, bool sentenceUnits = false)
    {
        var text = Render(block);
        var count = tokens.CountTokens(text);
        if (count <= budget)
        {
            return [new ChunkPiece(text, count, block, false)];
        }

        return block.Kind switch
        {
            BlockKind.Table => _tables.Slice(block, budget),
            BlockKind.Code => PackUnits(block, text.Split('\n'), "\n", budget, budget),
            _ when sentenceUnits => SentencePieces(block, SentenceSegmenter.Sentences(text), budget),
            _ => PackUnits(block, SentenceSegmenter.Sentences(text), " ", budget, SentenceLimit(budget)),
        };
    }

    /// <summary>List items keep a bullet and their indentation so nesting reads the same in the chunk.</summary>
    public static string Render(DocumentBlock block) => block.Kind == BlockKind.ListItem
        ? new string(' ', 2 * Math.Max(0, block.Level)) + "- " + block.Text
        : block.Text;

    /// <summary>How long a sentence may be and still stay whole (<see cref="ChunkingOptions.MaxSentenceTokens"/>).</summary>
    private int SentenceLimit(int budget) => Math.Max(budget, Math.Max(options.MaxTokens, options.MaxSentenceTokens));

    private IEnumerable<ChunkPiece> SentencePieces(DocumentBlock block, IReadOnlyList<string> sentences, int budget)
    {
        var wholeLimit = SentenceLimit(budget);
        foreach (var sentence in sentences)
        {
            var n = tokens.CountTokens(sentence);
            if (n <= wholeLimit)
            {
                yield return new ChunkPiece(sentence, n, block, false, isSlice: true);
                continue;
            }

            foreach (var slice in _sentences.SliceLongSentence(sentence, budget))
            {
                yield return new ChunkPiece(slice.Text, slice.Tokens, block, false, isSlice: true);
            }
        }
    }

    /// <summary>
    /// Packs sentences (or code lines) up to the budget. A unit over the budget stays whole, a piece of
    /// its own, while it fits <paramref name="wholeLimit"/>; only a unit over that is cut.
    /// </summary>
    /// <param name="wholeLimit">
    /// For sentences, <see cref="ChunkingOptions.MaxSentenceTokens"/> (at least the model window): the budget
    /// left after the contextual header and the section's headings is smaller, and a sentence is not cut
    /// to make room for them, nor because it alone is longer than the window.
    /// </param>
    private IEnumerable<ChunkPiece> PackUnits(DocumentBlock block, IReadOnlyList<string> units, string joiner, int budget, int wholeLimit)
    {
        var current = new List<string>();
        var currentTokens = 0;
        foreach (var unit in units)
        {
            var n = tokens.CountTokens(unit);
            if (n > budget)
            {
                if (current.Count > 0)
                {
                    yield return new ChunkPiece(string.Join(joiner, current), currentTokens, block, false, isSlice: true);
                    current.Clear();
                    currentTokens = 0;
                }

                if (n <= wholeLimit)
                {
                    yield return new ChunkPiece(unit, n, block, false, isSlice: true);
                    continue;
                }

                var slices = joiner == "\n" ? _sentences.SliceByWords(unit, budget) : _sentences.SliceLongSentence(unit, budget);
                foreach (var slice in slices)
                {
                    yield return new ChunkPiece(slice.Text, slice.Tokens, block, false, isSlice: true);
                }

                continue;
            }

            if (current.Count > 0 && currentTokens + n > budget)
            {
                yield return new ChunkPiece(string.Join(joiner, current), currentTokens, block, false, isSlice: true);
                current.Clear();
                currentTokens = 0;
            }

            current.Add(unit);
            currentTokens += n;
        }

        if (current.Count > 0)
        {
            yield return new ChunkPiece(string.Join(joiner, current), currentTokens, block, false, isSlice: true);
        }
    }
}
