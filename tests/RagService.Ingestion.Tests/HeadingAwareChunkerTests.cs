using RagService.Core.Chunks;
using RagService.Core.Documents;
using RagService.Core.Options;
using RagService.Core.Text;
using RagService.Ingestion.Chunking;
using RagService.Ingestion.Parsing;
using RagService.Ingestion.Parsing.Docx;
using RagService.TestSupport;

namespace RagService.Ingestion.Tests;

using DocumentFormat = RagService.Core.Documents.DocumentFormat;

public sealed class HeadingAwareChunkerTests : IDisposable
{
    private readonly TestFiles _files = new();
    private readonly HeadingAwareChunker _chunker = new();
    private readonly WhitespaceTokenCounter _tokens = new();

    public void Dispose() => _files.Dispose();

    private static DocumentTree Tree(string? title, params (BlockKind Kind, string Text, int Level)[] blocks) =>
        new(title, blocks.Select((b, i) => new DocumentBlock { Id = $"b{i}", Kind = b.Kind, Text = b.Text, Level = b.Level }).ToArray(), 1);

    private static string Sentence(int i) => $"Sentence number {i} talks about topic {i} in detail.";

    [Fact]
    public async Task Chunks_carry_the_section_path_and_never_span_two_sections()
    {
        var path = _files.PathFor("guide.docx");
        TestDocuments.WriteDocx(path);
        var tree = await new DocxParser().ParseAsync(new DocumentSource(path, "guide.docx", DocumentFormat.Docx), CancellationToken.None);

        var chunks = await _chunker.ChunkAsync(tree, new ChunkingOptions { MaxTokens = 256 }, _tokens, CancellationToken.None);

        var linux = Assert.Single(chunks, c => c.Text.Contains(TestDocuments.DocxLinuxFact, StringComparison.Ordinal));
        Assert.Equal([TestDocuments.DocxInstallationHeading, TestDocuments.DocxLinuxHeading], linux.SectionPath);
        Assert.DoesNotContain(TestDocuments.DocxWindowsFact, linux.Text, StringComparison.Ordinal);
        Assert.StartsWith(TestDocuments.DocxLinuxHeading, linux.Text, StringComparison.Ordinal);
        var windows = Assert.Single(chunks, c => c.Text.Contains(TestDocuments.DocxWindowsFact, StringComparison.Ordinal));
        Assert.Equal([TestDocuments.DocxInstallationHeading, TestDocuments.DocxWindowsHeading], windows.SectionPath);
        var intro = Assert.Single(chunks, c => c.Text.Contains(TestDocuments.DocxIntroductionFact, StringComparison.Ordinal));
        Assert.Equal([TestDocuments.DocxIntroductionHeading], intro.SectionPath);
        Assert.All(chunks, c => Assert.Equal(c.BlockIds.Distinct().Count(), c.BlockIds.Count));
    }

    [Fact]
    public async Task Budget_includes_the_contextual_header()
    {
        var blocks = new List<(BlockKind, string, int)> { (BlockKind.Heading, "Storage", 1), (BlockKind.Heading, "Retention rules", 2) };
        blocks.AddRange(Enumerable.Range(0, 40).Select(i => (BlockKind.Paragraph, Sentence(i), 0)));
        var tree = Tree("Operations Handbook", [.. blocks]);
        var options = new ChunkingOptions { MaxTokens = 40 };

        var chunks = await _chunker.ChunkAsync(tree, options, _tokens, CancellationToken.None);

        Assert.True(chunks.Count > 5);
        foreach (var chunk in chunks)
        {
            var indexed = ContextualHeader.Compose(tree.Title, chunk.SectionPath, chunk.Text);
            Assert.Equal(_tokens.CountTokens(indexed), chunk.TokenCount);
            Assert.True(chunk.TokenCount <= options.MaxTokens, $"{chunk.TokenCount} tokens: {indexed}");
            Assert.Equal(["Storage", "Retention rules"], chunk.SectionPath);
        }

        Assert.StartsWith("Operations Handbook > Storage > Retention rules\n\n", ContextualHeader.Compose(tree.Title, chunks[0].SectionPath, chunks[0].Text), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Long_paragraph_is_split_at_sentence_ends_only()
    {
        var sentences = Enumerable.Range(0, 30).Select(Sentence).ToList();
        var tree = Tree(null, (BlockKind.Heading, "Details", 1), (BlockKind.Paragraph, string.Join(' ', sentences), 0));

        var chunks = await _chunker.ChunkAsync(tree, new ChunkingOptions { MaxTokens = 45 }, _tokens, CancellationToken.None);

        Assert.True(chunks.Count > 3);
        Assert.All(chunks, c => Assert.True(c.TokenCount <= 45));
        Assert.All(chunks, c => Assert.EndsWith(".", c.Text, StringComparison.Ordinal));
        foreach (var sentence in sentences)
        {
            Assert.Single(chunks, c => c.Text.Contains(sentence, StringComparison.Ordinal));
        }

        Assert.All(chunks, c => Assert.Equal(["b1"], c.BlockIds.Where(id => id != "b0")));
    }

    [Fact]
    public void Chinese_sentences_split_at_full_width_punctuation()
    {
        Assert.Equal(["今天下雨。", "明天晴吗？", "好的！", "然后；", "结束"], SentenceSegmenter.Sentences("今天下雨。明天晴吗？好的！然后；结束"));
        Assert.Equal(["See e.g. the manual.", "Done?"], SentenceSegmenter.Sentences("See e.g. the manual. Done?"));
    }

    [Fact]
    public async Task A_sentence_longer_than_the_budget_is_cut_between_words()
    {
        var giant = string.Join(' ', Enumerable.Range(0, 100).Select(i => $"w{i}")) + ".";
        var tree = Tree(null, (BlockKind.Paragraph, giant, 0), (BlockKind.Paragraph, "Short tail.", 0));

        var chunks = await _chunker.ChunkAsync(tree, new ChunkingOptions { MaxTokens = 30, MaxSentenceTokens = 0 }, _tokens, CancellationToken.None);

        Assert.All(chunks, c => Assert.True(c.TokenCount <= 30));
        var words = string.Join(' ', chunks.Select(c => c.Text)).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(giant.Split(' ').Concat(["Short", "tail."]), words);
    }

    [Fact]
    public async Task A_sentence_that_fits_the_window_is_not_cut_to_make_room_for_the_header()
    {
        // 30-word sentences; the header "A rather long handbook title … > Retention" takes 12 of the 40 tokens.
        var sentences = Enumerable.Range(0, 4).Select(i => string.Join(' ', Enumerable.Range(0, 29).Select(j => $"S{i}w{j}")) + ".").ToList();
        var tree = Tree("A rather long handbook title that names the whole company",
            (BlockKind.Heading, "Retention", 1), (BlockKind.Paragraph, string.Join(' ', sentences), 0));

        var chunks = await _chunker.ChunkAsync(tree, new ChunkingOptions { MaxTokens = 40 }, _tokens, CancellationToken.None);

        foreach (var sentence in sentences)
        {
            Assert.Single(chunks, c => c.Text.Contains(sentence, StringComparison.Ordinal));
        }

        Assert.All(chunks, c => Assert.EndsWith(".", c.Text, StringComparison.Ordinal));
        // Over the budget by at most the header, never by more text than the window holds.
        Assert.All(chunks, c => Assert.True(_tokens.CountTokens(c.Text) <= 40));
    }

    [Fact]
    public async Task A_sentence_longer_than_the_window_is_cut_after_clauses_before_words()
    {
        var clauses = Enumerable.Range(0, 4).Select(i => string.Join(' ', Enumerable.Range(0, 8).Select(j => $"c{i}w{j}"))).ToList();
        var sentence = string.Join(", ", clauses) + ".";
        var tree = Tree(null, (BlockKind.Paragraph, sentence, 0));

        var chunks = await _chunker.ChunkAsync(tree, new ChunkingOptions { MaxTokens = 20, MaxSentenceTokens = 0 }, _tokens, CancellationToken.None);

        Assert.Equal([clauses[0] + ", " + clauses[1] + ",", clauses[2] + ", " + clauses[3] + "."], chunks.Select(c => c.Text));
    }

    [Fact]
    public async Task A_sentence_over_the_window_but_within_the_sentence_limit_is_a_chunk_of_its_own_and_only_a_longer_one_is_cut()
    {
        var clauses = Enumerable.Range(0, 4).Select(i => string.Join(' ', Enumerable.Range(0, 8).Select(j => $"c{i}w{j}"))).ToList();
        var sentence = string.Join(", ", clauses) + ".";
        var tree = Tree(null, (BlockKind.Paragraph, "Before it.", 0), (BlockKind.Paragraph, sentence, 0), (BlockKind.Paragraph, "After it.", 0));

        var whole = await _chunker.ChunkAsync(tree, new ChunkingOptions { MaxTokens = 20, MaxSentenceTokens = 60 }, _tokens, CancellationToken.None);
        var cut = await _chunker.ChunkAsync(tree, new ChunkingOptions { MaxTokens = 20, MaxSentenceTokens = 30 }, _tokens, CancellationToken.None);

        Assert.Single(whole, c => c.Text == sentence);
        Assert.DoesNotContain(cut, c => c.Text.Contains(sentence, StringComparison.Ordinal));
        Assert.Contains(cut, c => c.Text.EndsWith(clauses[1] + ",", StringComparison.Ordinal));
    }

    [Fact]
    public void Arabic_question_marks_end_sentences()
    {
        Assert.Equal(["هل هذا صحيح؟", "نعم."], SentenceSegmenter.Sentences("هل هذا صحيح؟ نعم."));
    }

    [Fact]
    public async Task Large_table_is_split_between_rows_with_the_header_repeated()
    {
        var rows = new List<IReadOnlyList<string>> { new[] { "Host", "Region", "Owner" } };
        rows.AddRange(Enumerable.Range(0, 30).Select(i => (IReadOnlyList<string>)new[] { $"host-{i}", $"eu-{i % 3}", $"team {i}" }));
        var table = new DocumentBlock { Id = "b1", Kind = BlockKind.Table, Text = MarkdownTable.Render(rows), Rows = rows };
        var tree = new DocumentTree("Inventory", [new DocumentBlock { Id = "b0", Kind = BlockKind.Heading, Text = "Hosts", Level = 1 }, table], 1);

        var chunks = await _chunker.ChunkAsync(tree, new ChunkingOptions { MaxTokens = 60 }, _tokens, CancellationToken.None);

        Assert.True(chunks.Count > 2);
        const string header = "| Host | Region | Owner |\n| --- | --- | --- |\n";
        foreach (var chunk in chunks)
        {
            Assert.True(chunk.TokenCount <= 60);
            var tableText = chunk.Text[chunk.Text.IndexOf('|', StringComparison.Ordinal)..];
            Assert.StartsWith(header, tableText, StringComparison.Ordinal);
            Assert.All(tableText.Split('\n'), line => Assert.Matches(@"^\| .* \|$", line));
        }

        for (var i = 0; i < 30; i++)
        {
            Assert.Single(chunks, c => c.Text.Contains($"| host-{i} | eu-{i % 3} | team {i} |", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Short_document_without_headings_stays_one_chunk()
    {
        var abstractText = string.Join(' ', Enumerable.Range(0, 25).Select(i => $"Word{i} a b c d e f g h i.")); // 250 tokens
        var tree = Tree("A fairly long title for a short scientific abstract here", (BlockKind.Paragraph, abstractText, 0));

        var chunks = await _chunker.ChunkAsync(tree, new ChunkingOptions { MaxTokens = 256 }, _tokens, CancellationToken.None);

        var chunk = Assert.Single(chunks);
        Assert.Equal(abstractText, chunk.Text);
        Assert.Equal(["b0"], chunk.BlockIds);
        Assert.Empty(chunk.SectionPath);
    }

    [Fact]
    public async Task A_heading_is_carried_into_the_next_chunk_not_emitted_alone()
    {
        var tree = Tree(null,
            (BlockKind.Heading, "2 Installation", 1),
            (BlockKind.Heading, "2.1 Linux", 2),
            (BlockKind.Paragraph, "Install with apt.", 0),
            (BlockKind.Heading, "3 Usage", 1),
            (BlockKind.Paragraph, string.Join(' ', Enumerable.Range(0, 12).Select(Sentence)), 0));

        var chunks = await _chunker.ChunkAsync(tree, new ChunkingOptions { MaxTokens = 40 }, _tokens, CancellationToken.None);

        Assert.DoesNotContain(chunks, c => c.Text is "2 Installation" or "2.1 Linux" or "3 Usage");
        Assert.Equal("2 Installation\n\n2.1 Linux\n\nInstall with apt.", chunks[0].Text);
        Assert.Equal(["2 Installation", "2.1 Linux"], chunks[0].SectionPath);
        Assert.StartsWith("3 Usage\n\nSentence number 0", chunks[1].Text, StringComparison.Ordinal);
        Assert.All(chunks.Skip(1), c => Assert.Equal(["3 Usage"], c.SectionPath));
    }

    [Fact]
    public async Task The_title_heading_is_carried_into_the_text_but_is_not_a_section_of_the_path()
    {
        var tree = Tree("Test Document",
            (BlockKind.Heading, "Test Document", 1),
            (BlockKind.Paragraph, "A preamble before any section.", 0),
            (BlockKind.Heading, "Section 1", 2),
            (BlockKind.Paragraph, "Paragraph one.", 0),
            (BlockKind.Heading, "Section 1.1", 3),
            (BlockKind.Paragraph, "Paragraph one one.", 0),
            (BlockKind.Heading, "Section 2", 2),
            (BlockKind.Paragraph, "Paragraph two.", 0));

        foreach (var strategy in new[] { ChunkingStrategy.Structure, ChunkingStrategy.FixedSize })
        {
            var chunks = await _chunker.ChunkAsync(tree, new ChunkingOptions { MaxTokens = 256, Strategy = strategy }, _tokens, CancellationToken.None);

            Assert.StartsWith("Test Document", chunks[0].Text, StringComparison.Ordinal);
            Assert.Empty(chunks[0].SectionPath);
            Assert.Equal("b0", chunks[0].SectionId); // the preamble still belongs to the title's section
            if (strategy == ChunkingStrategy.Structure)
            {
                Assert.Equal(["Section 1"], chunks[1].SectionPath);
                Assert.Equal([2], chunks[1].SectionLevels);
                Assert.Equal(["Section 1", "Section 1.1"], chunks[2].SectionPath);
                Assert.Equal([2, 3], chunks[2].SectionLevels);
                Assert.Equal(["Section 2"], chunks[3].SectionPath);
                Assert.Equal("Test Document > Section 1 > Section 1.1", ContextualHeader.Line(tree.Title, chunks[2].SectionPath));
            }
        }
    }

    [Fact]
    public async Task The_first_of_several_top_level_sections_stays_in_the_path_even_when_the_title_was_taken_from_it()
    {
        var tree = Tree("Introduction",
            (BlockKind.Heading, "Introduction", 1),
            (BlockKind.Paragraph, "Why this exists.", 0),
            (BlockKind.Heading, "Setup", 1),
            (BlockKind.Paragraph, "How to set it up.", 0));

        var chunks = await _chunker.ChunkAsync(tree, new ChunkingOptions { MaxTokens = 256 }, _tokens, CancellationToken.None);

        Assert.Equal(["Introduction"], chunks[0].SectionPath);
        Assert.Equal(["Setup"], chunks[1].SectionPath);
    }

    [Fact]
    public async Task List_items_keep_bullets_and_indentation()
    {
        var tree = Tree(null, (BlockKind.ListItem, "Top", 0), (BlockKind.ListItem, "Nested", 1));

        var chunk = Assert.Single(await _chunker.ChunkAsync(tree, new ChunkingOptions(), _tokens, CancellationToken.None));

        Assert.Equal("- Top\n\n  - Nested", chunk.Text);
    }

    [Fact]
    public async Task Overlap_repeats_trailing_sentences_of_the_previous_chunk()
    {
        var paragraphs = Enumerable.Range(0, 8).Select(i => (BlockKind.Paragraph, Sentence(2 * i) + " " + Sentence(2 * i + 1), 0)).ToArray();
        var tree = Tree(null, paragraphs);

        var chunks = await _chunker.ChunkAsync(tree, new ChunkingOptions { MaxTokens = 40, OverlapTokens = 10, ContextualHeader = false }, _tokens, CancellationToken.None);

        Assert.True(chunks.Count > 2);
        for (var i = 1; i < chunks.Count; i++)
        {
            var lastSentence = SentenceSegmenter.Sentences(chunks[i - 1].Text).Last();
            Assert.StartsWith(lastSentence, chunks[i].Text, StringComparison.Ordinal);
            Assert.True(chunks[i].TokenCount <= 40);
        }
    }

    [Fact]
    public async Task Page_span_covers_a_paragraph_joined_across_pages()
    {
        var tree = new DocumentTree("Doc", [
            new DocumentBlock { Id = "b0", Kind = BlockKind.Heading, Text = "Scope", Level = 1, PageStart = 1, PageEnd = 1 },
            new DocumentBlock { Id = "b1", Kind = BlockKind.Paragraph, Text = "Spans two pages.", PageStart = 1, PageEnd = 2 },
            new DocumentBlock { Id = "b2", Kind = BlockKind.Paragraph, Text = "On page three.", PageStart = 3, PageEnd = 3 },
        ], 3);

        var chunk = Assert.Single(await _chunker.ChunkAsync(tree, new ChunkingOptions(), _tokens, CancellationToken.None));

        Assert.Equal((1, 3), (chunk.PageStart, chunk.PageEnd));
        Assert.Equal(["b0", "b1", "b2"], chunk.BlockIds);
    }

    [Theory]
    [InlineData(ChunkingStrategy.Structure)]
    [InlineData(ChunkingStrategy.FixedSize)]
    public async Task Chunking_stops_when_it_is_cancelled(ChunkingStrategy strategy)
    {
        var tree = Tree(null, (BlockKind.Heading, "Notes", 1), (BlockKind.Paragraph, Sentence(0), 0));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => _chunker.ChunkAsync(tree, new ChunkingOptions { Strategy = strategy }, _tokens, cancelled.Token));
    }

    [Fact]
    public void Header_skips_a_title_repeated_as_first_heading()
    {
        Assert.Equal("Guide > Setup\n\nText", ContextualHeader.Compose("Guide", ["Guide", "Setup"], "Text"));
        Assert.Equal("Text", ContextualHeader.Compose(null, [], "Text"));
        Assert.Equal("Setup\n\nText", ContextualHeader.Compose(" ", ["Setup"], "Text"));
    }
}
