using System.Text;
using System.Text.RegularExpressions;
using RagService.Core.Chunks;
using RagService.Core.Documents;
using RagService.Core.Models;
using RagService.Core.Options;
using RagService.Core.Text;
using RagService.Ingestion.Parsing;

namespace RagService.Ingestion.Chunking;

/// <summary>
/// Chunks a document along its structure first and its topics second. A chunk never spans two
/// sections, because a retrieved chunk is cited with one section path. Within a section, whole blocks
/// are kept together where they belong together: a list stays one unit, a caption stays with its
/// figure or table, a short lead-in ending with a colon stays with what it introduces. Tables and code
/// are atomic. Oversized blocks are split where meaning survives: paragraphs at sentence ends, tables
/// between rows with the header row repeated, code between lines.
/// With an <see cref="ITopicEmbedder"/> (the index's embedding model, when
/// <see cref="ChunkingOptions.Semantic"/> is on) a long section is cut at its weakest topical boundary
/// rather than wherever the budget runs out, and neighbouring blocks on different topics are kept apart.
/// The budget is measured on the indexed text, contextual header included.
/// </summary>
/// <remarks>
/// Two deliberate exceptions to the budget: a document of one section whose text alone fits
/// <see cref="ChunkingOptions.MaxTokens"/> stays one chunk even if the header pushes it over
/// (splitting a 250-token abstract to make room for its title would cost more than the header
/// gains), and a single table row larger than the budget is kept whole, since a row cut in half is
/// meaningless. <see cref="ChunkingOptions.OverlapTokens"/> is
/// applied between chunks of one section as whole trailing sentences of the previous chunk.
/// </remarks>
public sealed partial class HeadingAwareChunker(ITopicEmbedder? topics = null) : IChunker
{
    private const string PieceSeparator = "\n\n";

    /// <summary>An intra-paragraph boundary must be this much weaker than a block boundary to be preferred.</summary>
    private const float InsideBlockPenalty = 0.15f;

    public IReadOnlyList<ChunkDraft> Chunk(DocumentTree tree, ChunkingOptions options, ITokenCounter tokens)
    {
        ArgumentNullException.ThrowIfNull(tree);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxTokens, 1, nameof(options));

        if (options.Strategy == ChunkingStrategy.FixedSize)
        {
            return FixedSizeChunker.Chunk(tree, options, tokens);
        }

        var embedder = !options.Semantic ? null : topics ?? (tokens is IEmbeddingModel model ? new EmbeddingTopicEmbedder(model) : null);
        var drafts = new List<ChunkDraft>();
        var sections = Sections(tree).ToList();
        foreach (var section in sections)
        {
            new SectionChunker(tree.Title, section, sections.Count == 1, options, tokens, embedder).AppendTo(drafts);
        }

        return drafts;
    }

    /// <summary>
    /// Cuts the block stream at headings. Consecutive headings ("2 Installation" directly followed by
    /// "2.1 Linux") form one run that is carried into the first chunk of the deepest one. The document's
    /// title heading is carried into the first chunk too, but is not part of any section path.
    /// </summary>
    private static IEnumerable<Section> Sections(DocumentTree tree)
    {
        var sections = new SectionPathTracker(tree);
        var headings = new List<DocumentBlock>();
        var body = new List<DocumentBlock>();

        Section Current() => new(sections.Path, sections.Levels, sections.SectionId, headings.ToArray(), body.ToArray());

        foreach (var block in tree.Blocks)
        {
            if (block.Kind == BlockKind.Heading)
            {
                if (body.Count > 0)
                {
                    yield return Current();
                    headings.Clear();
                    body.Clear();
                }

                sections.Enter(block);
                headings.Add(block);
            }
            else
            {
                body.Add(block);
            }
        }

        if (body.Count > 0 || headings.Count > 0)
        {
            yield return Current();
        }
    }

    private sealed record Section(
        IReadOnlyList<string> Path, IReadOnlyList<int> Levels, string? Id, IReadOnlyList<DocumentBlock> Headings, IReadOnlyList<DocumentBlock> Body);

    /// <summary>
    /// A unit of packing: a whole block, one slice of a split block, or several blocks glued together
    /// (a list, a caption with its figure, a lead-in with what follows).
    /// </summary>
    private sealed record Piece(string Text, int Tokens, IReadOnlyList<DocumentBlock> Blocks, bool IsHeading, bool IsOverlap = false, bool IsSlice = false)
    {
        public Piece(string text, int tokens, DocumentBlock block, bool isHeading, bool isOverlap = false, bool isSlice = false)
            : this(text, tokens, [block], isHeading, isOverlap, isSlice)
        {
        }

        public DocumentBlock Block => Blocks[^1];

        public DocumentBlock FirstBlock => Blocks[0];
    }

    private sealed class SectionChunker(string? title, Section section, bool isWholeDocument, ChunkingOptions options, ITokenCounter tokens, ITopicEmbedder? embedder)
    {
        private List<Piece>? _previousSegment;

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
                // Blocks that fit together still part where the topic clearly shifts (and both sides are substantial).
                var units = Glue(whole, options.MaxTokens);
                if (embedder is not null && units.Count(u => !u.IsHeading) > 1 && units.Sum(u => u.Tokens) >= 2 * options.MinTopicTokens)
                {
                    Segment(units, Similarities(units), 0, units.Count, options.MaxTokens, drafts, topicOnly: true);
                    return;
                }

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
                all.AddRange(Slice(block, Math.Max(1, sliceBudget), sentenceUnits: embedder is not null));
            }

            var glued = Glue(all, budget);
            if (embedder is not null && glued.Count > 1)
            {
                Segment(glued, Similarities(glued), 0, glued.Count, budget, drafts, topicOnly: false);
                return;
            }

            Pack(glued, budget, drafts);
        }

        /// <summary>
        /// Joins pieces that must travel together while the budget allows: headings with what follows,
        /// the items of one list, a caption with its figure, table or code, and a lead-in that ends with a
        /// colon (or breaks off mid-sentence) with the block it introduces.
        /// </summary>
        private List<Piece> Glue(List<Piece> pieces, int budget)
        {
            var units = new List<Piece>();
            foreach (var piece in pieces)
            {
                if (units.Count > 0 && units[^1] is var last && last.Tokens + piece.Tokens <= budget && BelongTogether(last, piece))
                {
                    units[^1] = new Piece(last.Text + Separator(last, piece) + piece.Text, last.Tokens + piece.Tokens,
                        [.. last.Blocks, .. piece.Blocks], last.IsHeading && piece.IsHeading, IsSlice: last.IsSlice || piece.IsSlice);
                    continue;
                }

                units.Add(piece);
            }

            return units;
        }

        private static bool BelongTogether(Piece previous, Piece next)
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

        /// <summary>Cosine similarity of each pair of neighbouring units (n - 1 values), from one batched embedding call.</summary>
        private float[] Similarities(IReadOnlyList<Piece> units)
        {
            var vectors = embedder!.Embed(units.Select(u => u.Text).ToList());
            var sims = new float[Math.Max(0, units.Count - 1)];
            for (var i = 0; i < sims.Length; i++)
            {
                sims[i] = EmbeddingTopicEmbedder.Cosine(vectors[i], vectors[i + 1]);
                if (ReferenceEquals(units[i].Block, units[i + 1].FirstBlock))
                {
                    sims[i] += InsideBlockPenalty;
                }
            }

            return sims;
        }

        /// <summary>
        /// Recursive topical segmentation of units [lo, hi): a span over the budget is cut at its weakest
        /// boundary among those that do not cost an extra chunk; a span within the budget is cut only at a
        /// block boundary whose similarity is below the threshold with both sides at least
        /// <see cref="ChunkingOptions.MinTopicTokens"/>.
        /// </summary>
        private void Segment(IReadOnlyList<Piece> units, float[] sims, int lo, int hi, int budget, List<ChunkDraft> drafts, bool topicOnly)
        {
            var total = 0;
            for (var i = lo; i < hi; i++)
            {
                total += units[i].Tokens;
            }

            var cut = -1;
            if (total <= budget || hi - lo == 1)
            {
                var best = (float)options.SemanticThreshold;
                var left = 0;
                for (var b = lo + 1; b < hi; b++)
                {
                    left += units[b - 1].Tokens;
                    if (sims[b - 1] < best && !ReferenceEquals(units[b - 1].Block, units[b].FirstBlock) &&
                        left >= options.MinTopicTokens && total - left >= options.MinTopicTokens)
                    {
                        best = sims[b - 1];
                        cut = b;
                    }
                }

                if (cut < 0)
                {
                    var span = units.Skip(lo).Take(hi - lo).ToList();
                    if (hi - lo > 1 && !topicOnly && Measure(span) > options.MaxTokens)
                    {
                        cut = WeakestBoundary(units, sims, lo, hi, total, budget);
                    }
                    else
                    {
                        // Overlap: trailing sentences of the previous segment of this section, when they fit.
                        if (_previousSegment is not null && Overlap(_previousSegment) is { } overlap &&
                            Measure([overlap, .. span]) <= options.MaxTokens)
                        {
                            _previousSegment = span;
                            drafts.Add(Draft([overlap, .. span]));
                            return;
                        }

                        _previousSegment = span;
                        drafts.Add(Draft(span));
                        return;
                    }
                }
            }
            else
            {
                cut = WeakestBoundary(units, sims, lo, hi, total, budget);
            }

            Segment(units, sims, lo, cut, budget, drafts, topicOnly);
            Segment(units, sims, cut, hi, budget, drafts, topicOnly);
        }

        private static int WeakestBoundary(IReadOnlyList<Piece> units, float[] sims, int lo, int hi, int total, int budget)
        {
            var needed = (total + budget - 1) / budget;
            int? best = null;
            int? fallback = null;
            var left = 0;
            for (var b = lo + 1; b < hi; b++)
            {
                left += units[b - 1].Tokens;
                var right = total - left;
                var chunks = ((left + budget - 1) / budget) + ((right + budget - 1) / budget);
                if (fallback is null || Cost(b) < Cost(fallback.Value))
                {
                    fallback = b;
                }

                if (chunks <= Math.Max(needed, 2) && (best is null || Cost(b) < Cost(best.Value)))
                {
                    best = b;
                }

                // Ties go to the more balanced cut.
                float Cost(int at) => sims[at - 1] + (0.001f * Math.Abs(at - ((lo + hi) / 2f)));
            }

            return best ?? fallback ?? lo + 1;
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
            var sentences = SentenceSegmenter.Sentences(last.Text);
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

            return taken.Count == 0 ? null : new Piece(string.Join(' ', taken), count, last.Block, isHeading: false, isOverlap: true);
        }

        private int Measure(IReadOnlyList<Piece> pieces) => tokens.CountTokens(IndexText(Join(pieces)));

        private string IndexText(string text) =>
            options.ContextualHeader ? ContextualHeader.Compose(title, section.Path, text) : text;

        private ChunkDraft Draft(IReadOnlyList<Piece> pieces)
        {
            var text = Join(pieces);
            var blocks = pieces.SelectMany(p => p.Blocks).ToList();
            return new ChunkDraft(
                text,
                section.Path,
                blocks.Min(b => b.PageStart),
                blocks.Max(b => Math.Max(b.PageStart, b.PageEnd)),
                blocks.Select(b => b.Id).Distinct().ToArray(),
                tokens.CountTokens(IndexText(text)))
            {
                SectionLevels = section.Levels,
                SectionId = section.Id,
                Boxes = blocks.Where(b => b.Box is not null).GroupBy(b => b.PageStart)
                    .Select(g => new PageBox(g.Key, g.Select(b => b.Box!.Value).Aggregate((x, y) => x.Union(y))))
                    .ToArray(),
            };
        }

        /// <summary>Blocks are separated by a blank line; sentence slices of one paragraph rejoin with a space.</summary>
        private static string Join(IEnumerable<Piece> pieces)
        {
            var sb = new StringBuilder();
            Piece? previous = null;
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

        private static string Separator(Piece previous, Piece next) =>
            previous.IsSlice && next.IsSlice && ReferenceEquals(previous.Block, next.FirstBlock) && !previous.IsOverlap
                ? previous.Block.Kind switch
                {
                    BlockKind.Table => PieceSeparator,
                    BlockKind.Code => "\n",
                    _ => " ",
                }
                : PieceSeparator;

        /// <param name="sentenceUnits">
        /// Semantic mode: an oversized paragraph becomes one piece per sentence, so that the topical
        /// segmentation, not greedy packing, decides where it is cut.
        /// </param>
        private IEnumerable<Piece> Slice(DocumentBlock block, int budget, bool sentenceUnits = false)
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
                BlockKind.Code => PackUnits(block, text.Split('\n'), "\n", budget, budget),
                _ when sentenceUnits => SentencePieces(block, SentenceSegmenter.Sentences(text), budget),
                _ => PackUnits(block, SentenceSegmenter.Sentences(text), " ", budget, SentenceLimit(budget)),
            };
        }

        /// <summary>List items keep a bullet and their indentation so nesting reads the same in the chunk.</summary>
        private static string Render(DocumentBlock block) => block.Kind == BlockKind.ListItem
            ? new string(' ', 2 * Math.Max(0, block.Level)) + "- " + block.Text
            : block.Text;

        /// <summary>How long a sentence may be and still stay whole (<see cref="ChunkingOptions.MaxSentenceTokens"/>).</summary>
        private int SentenceLimit(int budget) => Math.Max(budget, Math.Max(options.MaxTokens, options.MaxSentenceTokens));

        private IEnumerable<Piece> SentencePieces(DocumentBlock block, IReadOnlyList<string> sentences, int budget)
        {
            var wholeLimit = SentenceLimit(budget);
            foreach (var sentence in sentences)
            {
                var n = tokens.CountTokens(sentence);
                if (n <= wholeLimit)
                {
                    yield return new Piece(sentence, n, block, false, isSlice: true);
                    continue;
                }

                foreach (var slice in SliceLongSentence(sentence, budget))
                {
                    yield return new Piece(slice.Text, slice.Tokens, block, false, isSlice: true);
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
        private IEnumerable<Piece> PackUnits(DocumentBlock block, IReadOnlyList<string> units, string joiner, int budget, int wholeLimit)
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
                        yield return new Piece(string.Join(joiner, current), currentTokens, block, false, isSlice: true);
                        current.Clear();
                        currentTokens = 0;
                    }

                    if (n <= wholeLimit)
                    {
                        yield return new Piece(unit, n, block, false, isSlice: true);
                        continue;
                    }

                    var slices = joiner == "\n" ? SliceByWords(unit, budget) : SliceLongSentence(unit, budget);
                    foreach (var slice in slices)
                    {
                        yield return new Piece(slice.Text, slice.Tokens, block, false, isSlice: true);
                    }

                    continue;
                }

                if (current.Count > 0 && currentTokens + n > budget)
                {
                    yield return new Piece(string.Join(joiner, current), currentTokens, block, false, isSlice: true);
                    current.Clear();
                    currentTokens = 0;
                }

                current.Add(unit);
                currentTokens += n;
            }

            if (current.Count > 0)
            {
                yield return new Piece(string.Join(joiner, current), currentTokens, block, false, isSlice: true);
            }
        }

        /// <summary>
        /// One sentence longer than the limit: cut after clause punctuation (commas, semicolons, colons in
        /// Latin, CJK and Arabic script) where the clauses allow, between words only inside a clause that is
        /// itself too long.
        /// </summary>
        private IEnumerable<(string Text, int Tokens)> SliceLongSentence(string sentence, int limit)
        {
            var current = new StringBuilder();
            var currentTokens = 0;
            foreach (var clause in ClauseEnd().Split(sentence).Where(c => c.Length > 0))
            {
                var n = tokens.CountTokens(clause);
                if (current.Length > 0 && currentTokens + n > limit)
                {
                    yield return (current.ToString(), currentTokens);
                    current.Clear();
                    currentTokens = 0;
                }

                if (n > limit)
                {
                    foreach (var slice in SliceByWords(clause, limit))
                    {
                        yield return slice;
                    }

                    continue;
                }

                current.Append(current.Length > 0 ? " " : string.Empty).Append(clause);
                currentTokens += n;
            }

            if (current.Length > 0)
            {
                yield return (current.ToString(), currentTokens);
            }
        }

        /// <summary>Last resort for one clause longer than the budget: cut between words (or characters, for unspaced scripts).</summary>
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
                    yield return new Piece(header + "\n" + string.Join('\n', current), currentTokens, block, false, isSlice: true);
                    current.Clear();
                    currentTokens = headerTokens;
                }

                current.Add(row);
                currentTokens += n;
            }

            if (current.Count > 0)
            {
                yield return new Piece(header + "\n" + string.Join('\n', current), currentTokens, block, false, isSlice: true);
            }
        }
    }

    /// <summary>The space after a clause mark (the unspaced CJK marks split without one).</summary>
    [GeneratedRegex(@"(?<=[,;:،؛])\s+|(?<=[，、；：])")]
    private static partial Regex ClauseEnd();

    [GeneratedRegex(@"^(Figure|Fig\.|Table|Listing|Chart|Exhibit|图|表)\s*[0-9A-Z]", RegexOptions.IgnoreCase)]
    private static partial Regex CaptionStart();
}
