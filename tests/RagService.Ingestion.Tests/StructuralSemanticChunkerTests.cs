using RagService.Core.Chunks;
using RagService.Core.Documents;
using RagService.Core.Options;
using RagService.Evaluation.Chunking;
using RagService.Ingestion.Chunking;
using RagService.Ingestion.Parsing;

namespace RagService.Ingestion.Tests;

/// <summary>
/// A topic embedder that knows two topics by keyword: texts about cats point one way, texts about taxes
/// the other, anything else in between. Counts how many texts it was asked for.
/// </summary>
internal sealed class KeywordTopics : ITopicEmbedder
{
    public int Calls { get; private set; }

    public Task<IReadOnlyList<float[]>> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        Calls++;
        return Task.FromResult<IReadOnlyList<float[]>>(texts.Select(t =>
        {
            var cat = t.Contains("cat", StringComparison.OrdinalIgnoreCase) ? 1f : 0f;
            var tax = t.Contains("tax", StringComparison.OrdinalIgnoreCase) ? 1f : 0f;
            var v = new[] { cat, tax, 0.05f };
            var norm = MathF.Sqrt(v.Sum(x => x * x));
            return v.Select(x => x / norm).ToArray();
        }).ToList());
    }
}

public sealed class StructuralSemanticChunkerTests
{
    private readonly WhitespaceTokenCounter _tokens = new();

    private static DocumentTree Tree(string? title, params (BlockKind Kind, string Text, int Level)[] blocks) =>
        new(title, blocks.Select((b, i) => new DocumentBlock { Id = $"b{i}", Kind = b.Kind, Text = b.Text, Level = b.Level }).ToArray(), 1);

    private static string Cat(int i) => $"The cat number {i} sleeps on the warm sofa all day long.";

    private static string Tax(int i) => $"The tax rule number {i} applies to every invoice issued abroad.";

    [Fact]
    public async Task A_long_section_is_cut_at_the_topic_shift_not_where_the_budget_runs_out()
    {
        // Three short cat paragraphs then three tax paragraphs; greedy packing of 40 tokens would put the
        // third cat paragraph with the first tax one.
        var blocks = new List<(BlockKind, string, int)> { (BlockKind.Heading, "Notes", 1) };
        blocks.AddRange(Enumerable.Range(0, 2).Select(i => (BlockKind.Paragraph, Cat(i), 0)));
        blocks.AddRange(Enumerable.Range(0, 3).Select(i => (BlockKind.Paragraph, Tax(i), 0)));
        var tree = Tree(null, [.. blocks]);
        var options = new ChunkingOptions { MaxTokens = 40, ContextualHeader = false, MinTopicTokens = 10, Semantic = true };

        var greedy = await new HeadingAwareChunker().ChunkAsync(tree, options with { Semantic = false }, _tokens, CancellationToken.None);
        var semantic = await new HeadingAwareChunker(new KeywordTopics()).ChunkAsync(tree, options, _tokens, CancellationToken.None);

        Assert.Contains(greedy, c => c.Text.Contains("cat", StringComparison.Ordinal) && c.Text.Contains("tax", StringComparison.Ordinal));
        Assert.DoesNotContain(semantic, c => c.Text.Contains("cat", StringComparison.Ordinal) && c.Text.Contains("tax", StringComparison.Ordinal));
        Assert.All(semantic, c => Assert.True(c.TokenCount <= 40));
        Assert.StartsWith("Notes\n\nThe cat number 0", semantic[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Blocks_that_fit_together_still_part_at_a_clear_topic_shift_when_both_sides_are_substantial()
    {
        var tree = Tree(null, (BlockKind.Heading, "Mixed", 1),
            (BlockKind.Paragraph, Cat(0) + " " + Cat(1), 0), (BlockKind.Paragraph, Tax(0) + " " + Tax(1), 0));
        var options = new ChunkingOptions { MaxTokens = 200, ContextualHeader = false, MinTopicTokens = 10, Semantic = true, SemanticThreshold = 0.2 };

        var split = await new HeadingAwareChunker(new KeywordTopics()).ChunkAsync(tree, options, _tokens, CancellationToken.None);
        var kept = await new HeadingAwareChunker(new KeywordTopics()).ChunkAsync(tree, options with { MinTopicTokens = 30 }, _tokens, CancellationToken.None);

        Assert.Equal(2, split.Count);
        Assert.Single(kept);
    }

    [Fact]
    public async Task Semantic_is_off_by_default_so_no_embedding_is_asked_for()
    {
        var topics = new KeywordTopics();
        var tree = Tree(null, (BlockKind.Heading, "Notes", 1), (BlockKind.Paragraph, Cat(0) + " " + Cat(1) + " " + Cat(2), 0),
            (BlockKind.Paragraph, Tax(0) + " " + Tax(1), 0));

        await new HeadingAwareChunker(topics).ChunkAsync(tree, new ChunkingOptions { MaxTokens = 30 }, _tokens, CancellationToken.None);

        Assert.Equal(0, topics.Calls);
    }

    [Fact]
    public async Task A_single_abstract_that_fits_needs_no_embedding()
    {
        var topics = new KeywordTopics();
        var tree = Tree("Title", (BlockKind.Paragraph, string.Join(' ', Enumerable.Range(0, 8).Select(Cat)), 0));

        var chunk = Assert.Single(await new HeadingAwareChunker(topics).ChunkAsync(tree, new ChunkingOptions { MaxTokens = 256, Semantic = true }, _tokens, CancellationToken.None));

        Assert.Equal(0, topics.Calls);
        Assert.Equal(["b0"], chunk.BlockIds);
    }

    [Fact]
    public async Task A_long_paragraph_splits_between_sentences_at_the_weakest_topical_boundary()
    {
        var text = string.Join(' ', new[] { Cat(0), Cat(1), Cat(2), Tax(0), Tax(1) });
        var tree = Tree(null, (BlockKind.Paragraph, text, 0));

        var chunks = await new HeadingAwareChunker(new KeywordTopics()).ChunkAsync(tree, new ChunkingOptions { MaxTokens = 40, ContextualHeader = false, Semantic = true }, _tokens, CancellationToken.None);

        Assert.Equal(2, chunks.Count);
        Assert.Equal(string.Join(' ', Cat(0), Cat(1), Cat(2)), chunks[0].Text);
        Assert.All(chunks, c => Assert.EndsWith(".", c.Text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Semantic_segments_carry_the_overlap_of_the_previous_segment()
    {
        var text = string.Join(' ', new[] { Cat(0), Cat(1), Cat(2), Tax(0), Tax(1) });
        var tree = Tree(null, (BlockKind.Paragraph, text, 0));

        var chunks = await new HeadingAwareChunker(new KeywordTopics()).ChunkAsync(tree,
            new ChunkingOptions { MaxTokens = 40, ContextualHeader = false, Semantic = true, OverlapTokens = 12 }, _tokens, CancellationToken.None);

        Assert.Equal(2, chunks.Count);
        Assert.StartsWith(Cat(2), chunks[1].Text, StringComparison.Ordinal);
        Assert.All(chunks, c => Assert.True(c.TokenCount <= 40));
    }

    [Fact]
    public async Task A_list_stays_in_one_chunk_when_it_fits()
    {
        var blocks = new List<(BlockKind, string, int)>
        {
            (BlockKind.Heading, "Steps", 1),
            (BlockKind.Paragraph, string.Join(' ', Enumerable.Range(0, 3).Select(Cat)), 0),
        };
        blocks.AddRange(Enumerable.Range(0, 5).Select(i => (BlockKind.ListItem, $"Step {i} of the procedure", 0)));
        var tree = Tree(null, [.. blocks]);

        var chunks = await new HeadingAwareChunker().ChunkAsync(tree, new ChunkingOptions { MaxTokens = 50, ContextualHeader = false, Semantic = false }, _tokens, CancellationToken.None);

        var holder = Assert.Single(chunks, c => c.Text.Contains("Step 0", StringComparison.Ordinal));
        Assert.All(Enumerable.Range(0, 5), i => Assert.Contains($"- Step {i} of", holder.Text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_lead_in_ending_with_a_colon_stays_with_what_it_introduces()
    {
        var tree = Tree(null,
            (BlockKind.Heading, "Setup", 1),
            (BlockKind.Paragraph, string.Join(' ', Enumerable.Range(0, 3).Select(Cat)), 0),
            (BlockKind.Paragraph, "Run the following command:", 0),
            (BlockKind.Code, "apt-get install ragservice --yes --no-install-recommends", 0));

        var chunks = await new HeadingAwareChunker().ChunkAsync(tree, new ChunkingOptions { MaxTokens = 40, ContextualHeader = false, Semantic = false }, _tokens, CancellationToken.None);

        Assert.Contains(chunks, c => c.Text.EndsWith("Run the following command:\n\napt-get install ragservice --yes --no-install-recommends", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_caption_stays_with_its_table()
    {
        var rows = new List<IReadOnlyList<string>> { new[] { "Food", "Calories" }, new[] { "Leaves", "50" }, new[] { "Berries", "150" } };
        var tree = new DocumentTree(null, [
            new DocumentBlock { Id = "b0", Kind = BlockKind.Heading, Text = "Diet", Level = 1 },
            new DocumentBlock { Id = "b1", Kind = BlockKind.Paragraph, Text = string.Join(' ', Enumerable.Range(0, 3).Select(Cat)) },
            new DocumentBlock { Id = "b2", Kind = BlockKind.Paragraph, Text = "Table 1: Calories per portion" },
            new DocumentBlock { Id = "b3", Kind = BlockKind.Table, Text = MarkdownTable.Render(rows), Rows = rows },
        ], 1);

        var chunks = await new HeadingAwareChunker().ChunkAsync(tree, new ChunkingOptions { MaxTokens = 45, ContextualHeader = false, Semantic = false }, _tokens, CancellationToken.None);

        var table = Assert.Single(chunks, c => c.BlockIds.Contains("b3"));
        Assert.Contains("b2", table.BlockIds);
    }

    [Fact]
    public async Task Chunks_carry_section_levels_section_id_and_boxes()
    {
        var tree = new DocumentTree("Doc", [
            new DocumentBlock { Id = "b0", Kind = BlockKind.Heading, Text = "Install", Level = 1 },
            new DocumentBlock { Id = "b1", Kind = BlockKind.Heading, Text = "Linux", Level = 3 },
            new DocumentBlock { Id = "b2", Kind = BlockKind.Paragraph, Text = "Use apt.", Box = new BoundingBox(10, 20, 110, 40), PageStart = 2, PageEnd = 2 },
            new DocumentBlock { Id = "b3", Kind = BlockKind.Paragraph, Text = "Or snap.", Box = new BoundingBox(10, 50, 90, 70), PageStart = 2, PageEnd = 2 },
        ], 2);

        var chunk = Assert.Single(await new HeadingAwareChunker().ChunkAsync(tree, new ChunkingOptions(), _tokens, CancellationToken.None));

        Assert.Equal(["Install", "Linux"], chunk.SectionPath);
        Assert.Equal([1, 3], chunk.SectionLevels);
        Assert.Equal("b1", chunk.SectionId);
        var box = Assert.Single(chunk.Boxes);
        Assert.Equal(new PageBox(2, new BoundingBox(10, 20, 110, 70)), box);
    }

    [Fact]
    public async Task Fixed_size_baseline_cuts_windows_within_the_budget_regardless_of_structure()
    {
        var tree = Tree("T", (BlockKind.Heading, "A", 1), (BlockKind.Paragraph, string.Join(' ', Enumerable.Range(0, 10).Select(Cat)), 0),
            (BlockKind.Heading, "B", 1), (BlockKind.Paragraph, string.Join(' ', Enumerable.Range(0, 10).Select(Tax)), 0));
        var options = new ChunkingOptions { MaxTokens = 50, Strategy = ChunkingStrategy.FixedSize };

        var chunks = await new HeadingAwareChunker().ChunkAsync(tree, options, _tokens, CancellationToken.None);

        Assert.True(chunks.Count >= 5);
        Assert.All(chunks, c => Assert.True(c.TokenCount <= 50, $"{c.TokenCount}"));
        Assert.Contains(chunks, c => c.Text.Contains("cat", StringComparison.Ordinal) && c.Text.Contains("tax", StringComparison.Ordinal));
        var words = string.Join(' ', chunks.Select(c => c.Text)).Split(' ');
        Assert.Equal(tree.Blocks.SelectMany(b => b.Text.Split(' ')), words);
    }

    [Fact]
    public async Task Quality_measure_finds_whole_tables_and_lists_in_structural_chunks_and_broken_ones_in_fixed_windows()
    {
        var rows = new List<IReadOnlyList<string>> { new[] { "Host", "Region" } };
        rows.AddRange(Enumerable.Range(0, 12).Select(i => (IReadOnlyList<string>)new[] { $"host-{i}", $"eu-{i}" }));
        var blocks = new List<DocumentBlock>
        {
            new() { Id = "b0", Kind = BlockKind.Heading, Text = "Hosts", Level = 1 },
            new() { Id = "b1", Kind = BlockKind.Paragraph, Text = string.Join(' ', Enumerable.Range(0, 6).Select(Cat)) },
            new() { Id = "b2", Kind = BlockKind.Table, Text = MarkdownTable.Render(rows), Rows = rows },
            new() { Id = "b3", Kind = BlockKind.ListItem, Text = "First item" },
            new() { Id = "b4", Kind = BlockKind.ListItem, Text = "Second item" },
        };
        var tree = new DocumentTree(null, blocks, 1);
        var options = new ChunkingOptions { MaxTokens = 60, ContextualHeader = false, Semantic = false };

        var structural = ChunkQuality.Measure(tree, await new HeadingAwareChunker().ChunkAsync(tree, options, _tokens, CancellationToken.None), 60, _tokens);
        var fixedSize = ChunkQuality.Measure(tree, await new HeadingAwareChunker().ChunkAsync(tree, options with { Strategy = ChunkingStrategy.FixedSize }, _tokens, CancellationToken.None), 60, _tokens);

        Assert.Equal(new QualityCount(1, 1), structural.TablesIntact);
        Assert.Equal(new QualityCount(1, 1), structural.ListsIntact);
        Assert.Equal(structural.SentencesWhole.Total, structural.SentencesWhole.Passed);
        Assert.Equal(0, fixedSize.TablesIntact.Passed);
        Assert.True(fixedSize.BoundariesBetweenSentences.Passed < fixedSize.BoundariesBetweenSentences.Total);
    }
}
