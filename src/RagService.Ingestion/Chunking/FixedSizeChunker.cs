using RagService.Core.Chunks;
using RagService.Core.Documents;
using RagService.Core.Options;

namespace RagService.Ingestion.Chunking;

/// <summary>
/// The baseline the structural chunker is measured against: the document's text flattened and cut
/// into windows of <see cref="ChunkingOptions.MaxTokens"/> tokens between words, blind to sections,
/// sentences, lists and tables. Each window is labelled with the section path where it starts.
/// </summary>
public sealed class FixedSizeChunker : IChunker
{
    public Task<IReadOnlyList<ChunkDraft>> ChunkAsync(DocumentTree tree, ChunkingOptions options, ITokenCounter tokens, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Chunk(tree, options, tokens));
    }

    private static IReadOnlyList<ChunkDraft> Chunk(DocumentTree tree, ChunkingOptions options, ITokenCounter tokens)
    {
        ArgumentNullException.ThrowIfNull(tree);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(tokens);

        // Words with the block they come from and the section path in force there.
        var words = new List<(string Word, DocumentBlock Block, string[] Path, int[] Levels, string? SectionId)>();
        var sections = new SectionPathTracker(tree);
        foreach (var block in tree.Blocks)
        {
            if (block.Kind == BlockKind.Heading)
            {
                sections.Enter(block);
            }

            var current = sections.Path;
            var levels = sections.Levels;
            var id = sections.SectionId;
            foreach (var word in block.Text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            {
                words.Add((word, block, current, levels, id));
            }
        }

        var drafts = new List<ChunkDraft>();
        var start = 0;
        while (start < words.Count)
        {
            var header = options.ContextualHeader ? tokens.CountTokens(ContextualHeader.Compose(tree.Title, words[start].Path, string.Empty)) : 0;
            var budget = Math.Max(Math.Max(1, options.MaxTokens / 2), options.MaxTokens - header);
            var count = 0;
            var end = start;
            while (end < words.Count)
            {
                var n = tokens.CountTokens(words[end].Word);
                if (end > start && count + n > budget)
                {
                    break;
                }

                count += n;
                end++;
            }

            var slice = words.GetRange(start, end - start);
            var first = slice[0];
            var text = string.Join(' ', slice.Select(w => w.Word));
            var indexText = options.ContextualHeader ? ContextualHeader.Compose(tree.Title, first.Path, text) : text;
            drafts.Add(new ChunkDraft(
                text,
                first.Path,
                slice.Min(w => w.Block.PageStart),
                slice.Max(w => Math.Max(w.Block.PageStart, w.Block.PageEnd)),
                slice.Select(w => w.Block.Id).Distinct().ToArray(),
                tokens.CountTokens(indexText))
            {
                SectionLevels = first.Levels,
                SectionId = first.SectionId,
            });

            // Overlap, when asked for, repeats trailing words of the previous window.
            var back = 0;
            var overlapTokens = 0;
            while (options.OverlapTokens > 0 && end - back - 1 > start && overlapTokens + tokens.CountTokens(words[end - back - 1].Word) <= options.OverlapTokens)
            {
                overlapTokens += tokens.CountTokens(words[end - back - 1].Word);
                back++;
            }

            start = end - back;
        }

        return drafts;
    }
}
