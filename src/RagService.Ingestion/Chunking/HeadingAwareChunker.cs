using System.Text;
using RagService.Core.Chunks;
using RagService.Core.Documents;
using RagService.Core.Options;
using RagService.Ingestion.Parsing;

namespace RagService.Ingestion.Chunking;

/// <summary>
/// Chunks a document along its headings. A chunk never spans two sections, because a retrieved
/// chunk is cited with one section path. Within a section, whole blocks are packed up to the budget
/// (measured on the indexed text, contextual header included). Oversized blocks are split where
/// meaning survives: paragraphs at sentence ends, tables between rows with the header row repeated.
/// </summary>
/// <remarks>
/// Two deliberate exceptions to the budget: a document of one section whose text alone fits
/// <see cref="ChunkingOptions.MaxTokens"/> stays one chunk even if the header pushes it over
/// (splitting a 250-token abstract to make room for its title would cost more than the header
/// gains), and a single table row larger than the budget is kept whole, since a row cut in half is
/// meaningless. <see cref="ChunkingOptions.OverlapTokens"/> is
/// applied between chunks of one section as whole trailing sentences of the previous chunk.
/// </remarks>
public sealed class HeadingAwareChunker : IChunker
{
    private const string PieceSeparator = "\n\n";

    public IReadOnlyList<ChunkDraft> Chunk(DocumentTree tree, ChunkingOptions options, ITokenCounter tokens)
    {
        ArgumentNullException.ThrowIfNull(tree);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxTokens, 1, nameof(options));

        var drafts = new List<ChunkDraft>();
        var sections = Sections(tree.Blocks).ToList();
        foreach (var section in sections)
        {
            new SectionChunker(tree.Title, section, sections.Count == 1, options, tokens).AppendTo(drafts);
        }

        return drafts;
    }

    /// <summary>
    /// Cuts the block stream at headings. Consecutive headings ("2 Installation" directly followed by
    /// "2.1 Linux") form one run that is carried into the first chunk of the deepest one.
    /// </summary>
    private static IEnumerable<Section> Sections(IReadOnlyList<DocumentBlock> blocks)
    {
        var path = new List<(int Level, string Text)>();
        var headings = new List<DocumentBlock>();
        var body = new List<DocumentBlock>();

        foreach (var block in blocks)
        {
            if (block.Kind == BlockKind.Heading)
            {
                if (body.Count > 0)
                {
                    yield return new Section(path.Select(p => p.Text).ToArray(), headings.ToArray(), body.ToArray());
                    headings.Clear();
                    body.Clear();
                }

                // A heading closes every section at its level or deeper.
                var level = Math.Max(1, block.Level);
                path.RemoveAll(p => p.Level >= level);
                path.Add((level, block.Text));
                headings.Add(block);
            }
            else
            {
                body.Add(block);
            }
        }

        if (body.Count > 0 || headings.Count > 0)
        {
            yield return new Section(path.Select(p => p.Text).ToArray(), headings.ToArray(), body.ToArray());
        }
    }

    private sealed record Section(IReadOnlyList<string> Path, IReadOnlyList<DocumentBlock> Headings, IReadOnlyList<DocumentBlock> Body);

    /// <summary>A unit of packing: a whole block or one slice of a split block.</summary>
    private sealed record Piece(string Text, int Tokens, DocumentBlock Block, bool IsHeading, bool IsOverlap = false);

    private sealed class SectionChunker(string? title, Section section, bool isWholeDocument, ChunkingOptions options, ITokenCounter tokens)
    {
        private readonly int _headerTokens = options.ContextualHeader
            ? tokens.CountTokens(ContextualHeader.Compose(title, section.Path, string.Empty))
            : 0;

        public void AppendTo(List<ChunkDraft> drafts)
        {
            var headingPieces = section.Headings.Select(h => new Piece(h.Text, tokens.CountTokens(h.Text), h, true)).ToList();
            var headingTokens = headingPieces.Sum(p => p.Tokens);

            // A section that fits is one chunk of whole blocks, however its blocks would slice.
            var whole = headingPieces
                .Concat(section.Body.Select(b => Render(b)).Select((text, i) => new Piece(text, tokens.CountTokens(text), section.Body[i], false)))
                .ToList();
            if (whole.Count == 0)
            {
                return;
            }

            // The piece sum screens out big sections before the exact (whole-text) count is paid for.
            if (whole.Sum(p => p.Tokens) <= options.MaxTokens &&
                (Measure(whole) <= options.MaxTokens || (isWholeDocument && tokens.CountTokens(Join(whole)) <= options.MaxTokens)))
            {
                // A whole document whose text alone fits stays one chunk even if the header pushes it over (see remarks).
                drafts.Add(Draft(whole));
                return;
            }

            // Never let a deep section path starve the text: the header gets at most half the budget.
            var budget = Math.Max(options.MaxTokens - _headerTokens, Math.Max(1, options.MaxTokens / 2));
            var sliceBudget = budget - headingTokens >= budget / 2 ? budget - headingTokens : budget;
            var all = new List<Piece>(headingPieces);
            foreach (var block in section.Body)
            {
                all.AddRange(Slice(block, Math.Max(1, sliceBudget)));
            }

            Pack(all, budget, drafts);
        }

        private void Pack(List<Piece> pieces, int budget, List<ChunkDraft> drafts)
        {
            var current = new List<Piece>();
            var currentTokens = 0;
            var hasContent = false;
            Piece? overlap = null;
            var i = 0;
            while (true)
            {
                var atEnd = i >= pieces.Count;
                if (atEnd || (hasContent && currentTokens + pieces[i].Tokens > budget))
                {
                    if (current.Count == 0)
                    {
                        break;
                    }

                    var kept = Emit(current, drafts);
                    var pushedBack = current.Count - kept;
                    i -= pushedBack;
                    overlap = Overlap(current.Take(kept).ToList());
                    current = [];
                    currentTokens = 0;
                    hasContent = false;
                    if (atEnd && pushedBack == 0)
                    {
                        break;
                    }

                    continue;
                }

                var piece = pieces[i++];
                if (overlap is not null && current.Count == 0 && overlap.Tokens + piece.Tokens <= budget)
                {
                    current.Add(overlap);
                    currentTokens += overlap.Tokens;
                }

                overlap = null;
                current.Add(piece);
                currentTokens += piece.Tokens;
                hasContent |= !piece.IsHeading;
            }
        }

        /// <summary>
        /// Adds one chunk and returns how many of <paramref name="pieces"/> it kept. Piece counts are
        /// sums, but tokenisers are not perfectly additive: while the exact count of the indexed text is
        /// over the budget, trailing pieces are handed back to start the next chunk.
        /// </summary>
        private int Emit(List<Piece> pieces, List<ChunkDraft> drafts)
        {
            var firstReal = pieces.FindIndex(p => !p.IsHeading && !p.IsOverlap);
            var kept = pieces.Count;
            while (firstReal >= 0 && kept > firstReal + 1 && Measure(pieces.Take(kept).ToList()) > options.MaxTokens)
            {
                kept--;
            }

            drafts.Add(Draft(pieces.Take(kept).ToList()));
            return kept;
        }

        /// <summary>Trailing whole sentences of the previous chunk, up to the overlap budget; never a heading.</summary>
        private Piece? Overlap(List<Piece> previous)
        {
            if (options.OverlapTokens <= 0 || previous.Count == 0 || previous[^1].IsHeading || previous[^1].Block.Kind == BlockKind.Table)
            {
                return null;
            }

            var last = previous[^1];
            var sentences = SentenceSplitter.Split(last.Text);
            var taken = new List<string>();
            var count = 0;
            for (var i = sentences.Count - 1; i >= 0; i--)
            {
                var n = tokens.CountTokens(sentences[i]);
                if (count + n > options.OverlapTokens)
                {
                    break;
                }

                taken.Insert(0, sentences[i]);
                count += n;
            }

            return taken.Count == 0 ? null : new Piece(string.Join(' ', taken), count, last.Block, IsHeading: false, IsOverlap: true);
        }

        private int Measure(IReadOnlyList<Piece> pieces) => tokens.CountTokens(IndexText(Join(pieces)));

        private string IndexText(string text) =>
            options.ContextualHeader ? ContextualHeader.Compose(title, section.Path, text) : text;

        private ChunkDraft Draft(IReadOnlyList<Piece> pieces)
        {
            var text = Join(pieces);
            var blocks = pieces.Select(p => p.Block).ToList();
            return new ChunkDraft(
                text,
                section.Path,
                blocks.Min(b => b.PageStart),
                blocks.Max(b => Math.Max(b.PageStart, b.PageEnd)),
                blocks.Select(b => b.Id).Distinct().ToArray(),
                tokens.CountTokens(IndexText(text)));
        }

        private static string Join(IEnumerable<Piece> pieces) => string.Join(PieceSeparator, pieces.Select(p => p.Text));

        private IEnumerable<Piece> Slice(DocumentBlock block, int budget)
        {
            var text = Render(block);
            var count = tokens.CountTokens(text);
            if (count <= budget)
            {
                return [new Piece(text, count, block, false)];
            }

            return block.Kind switch
            {
                BlockKind.Table => SliceTable(block, budget),
                BlockKind.Code => PackUnits(block, text.Split('\n'), "\n", budget),
                _ => PackUnits(block, SentenceSplitter.Split(text), " ", budget),
            };
        }

        /// <summary>List items keep a bullet and their indentation so nesting reads the same in the chunk.</summary>
        private static string Render(DocumentBlock block) => block.Kind == BlockKind.ListItem
            ? new string(' ', 2 * Math.Max(0, block.Level)) + "- " + block.Text
            : block.Text;

        /// <summary>Packs sentences (or code lines) up to the budget; a unit over the budget alone is cut by words.</summary>
        private IEnumerable<Piece> PackUnits(DocumentBlock block, IReadOnlyList<string> units, string joiner, int budget)
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
                        yield return new Piece(string.Join(joiner, current), currentTokens, block, false);
                        current.Clear();
                        currentTokens = 0;
                    }

                    foreach (var slice in SliceByWords(unit, budget))
                    {
                        yield return new Piece(slice.Text, slice.Tokens, block, false);
                    }

                    continue;
                }

                if (current.Count > 0 && currentTokens + n > budget)
                {
                    yield return new Piece(string.Join(joiner, current), currentTokens, block, false);
                    current.Clear();
                    currentTokens = 0;
                }

                current.Add(unit);
                currentTokens += n;
            }

            if (current.Count > 0)
            {
                yield return new Piece(string.Join(joiner, current), currentTokens, block, false);
            }
        }

        /// <summary>Last resort for one sentence longer than the budget: cut between words (or characters, for unspaced scripts).</summary>
        private IEnumerable<(string Text, int Tokens)> SliceByWords(string sentence, int budget)
        {
            var words = sentence.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
                .SelectMany(w => tokens.CountTokens(w) > budget ? w.Select(c => c.ToString()) : [w]);
            var current = new StringBuilder();
            var currentTokens = 0;
            string? previous = null;
            foreach (var word in words)
            {
                var n = tokens.CountTokens(word);
                if (current.Length > 0 && currentTokens + n > budget)
                {
                    yield return (current.ToString(), currentTokens);
                    current.Clear();
                    currentTokens = 0;
                }

                // Characters cut from an unspaced word rejoin without spaces.
                if (current.Length > 0 && !(word.Length == 1 && previous?.Length == 1 && !char.IsWhiteSpace(word[0]) && word[0] > 0x2E80))
                {
                    current.Append(' ');
                }

                current.Append(word);
                currentTokens += n;
                previous = word;
            }

            if (current.Length > 0)
            {
                yield return (current.ToString(), currentTokens);
            }
        }

        /// <summary>Splits a table between rows; every slice starts with the header row so its columns stay named.</summary>
        private IEnumerable<Piece> SliceTable(DocumentBlock block, int budget)
        {
            var rows = block.Rows;
            if (rows is null || rows.Count < 2)
            {
                // Without cells, fall back to the rendered lines: header and delimiter lines lead every slice.
                var lines = block.Text.Split('\n');
                var header = string.Join('\n', lines.Take(2));
                foreach (var piece in PackRows(block, header, lines.Skip(2).ToList(), budget))
                {
                    yield return piece;
                }

                yield break;
            }

            var width = rows.Max(r => r.Count);
            var headerText = MarkdownTable.Render([rows[0]]);
            var body = rows.Skip(1).Select(r => MarkdownTable.RenderRow(r, width)).ToList();
            foreach (var piece in PackRows(block, headerText, body, budget))
            {
                yield return piece;
            }
        }

        private IEnumerable<Piece> PackRows(DocumentBlock block, string header, IReadOnlyList<string> rows, int budget)
        {
            var headerTokens = tokens.CountTokens(header);
            var current = new List<string>();
            var currentTokens = headerTokens;
            foreach (var row in rows)
            {
                var n = tokens.CountTokens(row);
                if (current.Count > 0 && currentTokens + n > budget)
                {
                    yield return new Piece(header + "\n" + string.Join('\n', current), currentTokens, block, false);
                    current.Clear();
                    currentTokens = headerTokens;
                }

                current.Add(row);
                currentTokens += n;
            }

            if (current.Count > 0)
            {
                yield return new Piece(header + "\n" + string.Join('\n', current), currentTokens, block, false);
            }
        }
    }
}
