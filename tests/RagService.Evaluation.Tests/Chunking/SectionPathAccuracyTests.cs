using RagService.Core.Chunks;
using RagService.Core.Documents;
using RagService.Evaluation.Chunking;

namespace RagService.Evaluation.Tests.Chunking;

public sealed class SectionPathAccuracyTests
{
    private static DocumentTree Tree(string? title, params (BlockKind Kind, string Text, int Level)[] blocks) =>
        new(title, blocks.Select((b, i) => new DocumentBlock { Id = $"b{i}", Kind = b.Kind, Text = b.Text, Level = b.Level }).ToArray(), 1);

    private static ChunkDraft Draft(string blockId, params string[] path) => new("text", path, 1, 1, [blockId], 1);

    /// <summary>docling's tree of a DOCX: every Heading 1 nested under the Title paragraph, and repeated text.</summary>
    private static readonly DocumentTree Truth = Tree(null,
        (BlockKind.Heading, "Test Document", 1),
        (BlockKind.Heading, "Section 1", 2),
        (BlockKind.Heading, "Section 1.1", 3),
        (BlockKind.Paragraph, "Paragraph 1.1.1", 0),
        (BlockKind.Heading, "Section 1.2", 3),
        (BlockKind.Paragraph, "Paragraph 1.1.1", 0),
        (BlockKind.Heading, "Section 2", 2),
        (BlockKind.Paragraph, "Paragraph 2.1.1.1", 0),
        (BlockKind.Heading, "Section 2.1", 3),
        (BlockKind.Paragraph, "Paragraph 2.1.1", 0));

    private static readonly DocumentTree Source = Tree("Test Document",
        (BlockKind.Paragraph, "Paragraph 1.1.1", 0),
        (BlockKind.Paragraph, "Paragraph 1.1.1", 0),
        (BlockKind.Paragraph, "Paragraph 2.1.1.1", 0),
        (BlockKind.Paragraph, "Paragraph 2.1.1", 0));

    [Fact]
    public void A_root_heading_equal_to_the_document_title_is_the_title_not_a_section()
    {
        var chunks = new[]
        {
            Draft("b0", "Section 1", "Section 1.1"),
            Draft("b1", "Section 1", "Section 1.2"),
            Draft("b2", "Section 2"),
            Draft("b3", "Section 2", "Section 2.1"),
        };

        var (full, innermost, unlocated) = ChunkQuality.SectionPathAccuracy(Source, chunks, Truth);

        Assert.Equal(new QualityCount(4, 4), full);
        Assert.Equal(new QualityCount(4, 4), innermost);
        Assert.Equal(0, unlocated);
    }

    [Fact]
    public void Repeated_text_is_located_after_the_previous_chunk_and_an_exact_text_beats_a_prefix()
    {
        // The second "Paragraph 1.1.1" is under Section 1.2; "Paragraph 2.1.1" is a prefix of "Paragraph 2.1.1.1".
        var wrong = new[]
        {
            Draft("b0", "Section 1", "Section 1.1"),
            Draft("b1", "Section 1", "Section 1.1"),
            Draft("b2", "Section 2"),
            Draft("b3", "Section 2"),
        };
        var mismatches = new List<string>();

        var (full, _, _) = ChunkQuality.SectionPathAccuracy(Source, wrong, Truth, mismatches);

        Assert.Equal(new QualityCount(2, 4), full);
        Assert.Equal(2, mismatches.Count);
    }

    [Fact]
    public void A_section_named_like_the_title_is_still_compared_when_it_is_not_the_root()
    {
        var source = Tree("Section 1.1", (BlockKind.Paragraph, "Paragraph 1.1.1", 0));

        var (full, _, _) = ChunkQuality.SectionPathAccuracy(source, [Draft("b0", "Section 1")], Truth);

        Assert.Equal(new QualityCount(0, 1), full);
    }
}
