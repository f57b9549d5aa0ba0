using RagService.Core.Chunks;
using RagService.Core.Documents;
using RagService.Core.Options;
using RagService.Core.Text;

namespace RagService.Ingestion.Chunking;

/// <summary>
/// Chunks one section: a section that fits is one chunk of whole blocks; a larger one has its oversized
/// blocks sliced (<see cref="BlockSlicer"/>), the pieces that belong together glued (<see cref="PieceGlue"/>),
/// and is then packed greedily up to the budget or, with a topic embedder, cut at its topic shifts
/// (<see cref="TopicBoundaries"/>), the previous chunk's trailing sentences carried over as overlap.
/// </summary>
internal sealed class SectionChunker(string? title, ChunkSection section, bool isWholeDocument, ChunkingOptions options, ITokenCounter tokens, ITopicEmbedder? embedder)
{
    private readonly BlockSlicer _slicer = new(options, tokens);

    private List<ChunkPiece>? _previousSegment;

    private readonly int _headerTokens = options.ContextualHeader
        ? tokens.CountTokens(ContextualHeader.Compose(title, section.Path, string.Empty))
        : 0;

    public async Task AppendToAsync(List<ChunkDraft> drafts, CancellationToken cancellationToken)
    {
        var headingPieces = section.Headings.Select(h => new ChunkPiece(h.Text, tokens.CountTokens(h.Text), h, true)).ToList();
        var headingTokens = headingPieces.Sum(p => p.Tokens);

        // A section that fits is one chunk of whole blocks, however its blocks would slice.
        var whole = headingPieces
            .Concat(section.Body.Select(b => BlockSlicer.Render(b)).Select((text, i) => new ChunkPiece(text, tokens.CountTokens(text), section.Body[i], false)))
            .ToList();
        if (whole.Count == 0)
        {
            return;
        }

        // The piece sum screens out big sections before the exact (whole-text) count is paid for.
        if (whole.Sum(p => p.Tokens) <= options.MaxTokens &&
            (Measure(whole) <= options.MaxTokens || (isWholeDocument && tokens.CountTokens(ChunkPiece.Join(whole)) <= options.MaxTokens)))
        {
            // Blocks that fit together still part where the topic clearly shifts (and both sides are substantial).
            var units = PieceGlue.Glue(whole, options.MaxTokens);
            if (embedder is not null && units.Count(u => !u.IsHeading) > 1 && units.Sum(u => u.Tokens) >= 2 * options.MinTopicTokens)
            {
                var sims = await TopicBoundaries.SimilaritiesAsync(embedder, units, cancellationToken).ConfigureAwait(false);
                Segment(units, sims, 0, units.Count, options.MaxTokens, drafts, topicOnly: true);
                return;
            }

            // A whole document whose text alone fits stays one chunk even if the header pushes it over (see remarks).
            drafts.Add(Draft(whole));
            return;
        }

        // Never let a deep section path starve the text: the header gets at most half the budget.
        var budget = Math.Max(options.MaxTokens - _headerTokens, Math.Max(1, options.MaxTokens / 2));
        var sliceBudget = budget - headingTokens >= budget / 2 ? budget - headingTokens : budget;
        var all = new List<ChunkPiece>(headingPieces);
        foreach (var block in section.Body)
        {
            all.AddRange(_slicer.Slice(block, Math.Max(1, sliceBudget), sentenceUnits: embedder is not null));
        }

        var glued = PieceGlue.Glue(all, budget);
        if (embedder is not null && glued.Count > 1)
        {
            var sims = await TopicBoundaries.SimilaritiesAsync(embedder, glued, cancellationToken).ConfigureAwait(false);
            Segment(glued, sims, 0, glued.Count, budget, drafts, topicOnly: false);
            return;
        }

        Pack(glued, budget, drafts);
    }

    /// <summary>
    /// Recursive topical segmentation of units [lo, hi): a span over the budget is cut at its weakest
    /// boundary among those that do not cost an extra chunk; a span within the budget is cut only at a
    /// block boundary whose similarity is below the threshold with both sides at least
    /// <see cref="ChunkingOptions.MinTopicTokens"/>.
    /// </summary>
    private void Segment(IReadOnlyList<ChunkPiece> units, float[] sims, int lo, int hi, int budget, List<ChunkDraft> drafts, bool topicOnly)
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
                    cut = TopicBoundaries.WeakestBoundary(units, sims, lo, hi, total, budget);
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
            cut = TopicBoundaries.WeakestBoundary(units, sims, lo, hi, total, budget);
        }

        Segment(units, sims, lo, cut, budget, drafts, topicOnly);
        Segment(units, sims, cut, hi, budget, drafts, topicOnly);
    }

    private void Pack(List<ChunkPiece> pieces, int budget, List<ChunkDraft> drafts)
    {
        var current = new List<ChunkPiece>();
        var currentTokens = 0;
        var hasContent = false;
        ChunkPiece? overlap = null;
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
    /// Adds one chunk and returns how many of <paramref name="pieces"/> it kept. ChunkPiece counts are
    /// sums, but tokenisers are not perfectly additive: while the exact count of the indexed text is
    /// over the budget, trailing pieces are handed back to start the next chunk.
    /// </summary>
    private int Emit(List<ChunkPiece> pieces, List<ChunkDraft> drafts)
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
    private ChunkPiece? Overlap(List<ChunkPiece> previous)
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

        return taken.Count == 0 ? null : new ChunkPiece(string.Join(' ', taken), count, last.Block, isHeading: false, isOverlap: true);
    }

    private int Measure(IReadOnlyList<ChunkPiece> pieces) => tokens.CountTokens(IndexText(ChunkPiece.Join(pieces)));

    private string IndexText(string text) =>
        options.ContextualHeader ? ContextualHeader.Compose(title, section.Path, text) : text;

    private ChunkDraft Draft(IReadOnlyList<ChunkPiece> pieces)
    {
        var text = ChunkPiece.Join(pieces);
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
}
