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
public sealed class HeadingAwareChunker(ITopicEmbedder? topics = null) : IChunker
{
    public async Task<IReadOnlyList<ChunkDraft>> ChunkAsync(DocumentTree tree, ChunkingOptions options, ITokenCounter tokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tree);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxTokens, 1, nameof(options));

        if (options.Strategy == ChunkingStrategy.FixedSize)
        {
            return await new FixedSizeChunker().ChunkAsync(tree, options, tokens, cancellationToken).ConfigureAwait(false);
        }

        var embedder = !options.Semantic ? null : topics ?? (tokens is IEmbeddingModel model ? new EmbeddingTopicEmbedder(model) : null);
        var drafts = new List<ChunkDraft>();
        var sections = SectionWalker.Walk(tree).ToList();
        foreach (var section in sections)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await new SectionChunker(tree.Title, section, sections.Count == 1, options, tokens, embedder)
                .AppendToAsync(drafts, cancellationToken).ConfigureAwait(false);
        }

        return drafts;
    }
}
