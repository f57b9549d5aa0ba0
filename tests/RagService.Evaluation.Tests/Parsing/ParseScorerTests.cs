using RagService.Core.Documents;
using RagService.Evaluation.Parsing;

namespace RagService.Evaluation.Tests.Parsing;

public sealed class ParseScorerTests
{
    [Theory]
    [InlineData("", "", 0)]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("flaw", "lawn", 2)]
    [InlineData("abc", "", 3)]
    [InlineData("same", "same", 0)]
    public void Edit_distance_matches_known_values(string a, string b, int expected)
    {
        Assert.Equal(expected, EditDistance.Between(a, b));
        Assert.Equal(expected, EditDistance.Between(b, a));
    }

    [Fact]
    public void Bit_parallel_distance_equals_the_textbook_dynamic_programme_across_block_boundaries()
    {
        var random = new Random(7);
        for (var trial = 0; trial < 40; trial++)
        {
            var a = new string(Enumerable.Range(0, random.Next(0, 300)).Select(_ => (char)('a' + random.Next(4))).ToArray());
            var b = new string(Enumerable.Range(0, random.Next(0, 300)).Select(_ => (char)('a' + random.Next(4))).ToArray());
            Assert.Equal(Naive(a, b), EditDistance.Between(a, b));
        }
    }

    [Fact]
    public void Word_error_rate_counts_word_edits_per_reference_word()
    {
        Assert.Equal(0.25, EditDistance.WordErrorRate("the quick brown fox", "the quick brown dog"), 3);
    }

    [Fact]
    public void Markdown_reference_yields_headings_tables_and_text_without_markup()
    {
        var truth = GroundTruth.FromMarkdown("""
            # Title

            ## 1 Scope

            Some **bold** text and a \_escaped\_ word.

            <!-- image -->

            - 1.1. first item

            | A | B |
            | - | - |
            | 1 | 2 \| 3 |
            """);

        Assert.Equal([new ScoredHeading(1, "Title"), new ScoredHeading(2, "1 Scope")], truth.Headings);
        var table = Assert.Single(truth.Tables);
        Assert.Equal(["1", "2 | 3"], table[1]);
        var text = ScoreText.Normalize(truth.Text);
        Assert.Equal("Title 1 Scope Some bold text and a _escaped_ word. first item A B 1 2 | 3", text);
    }

    [Fact]
    public void Perfect_parse_scores_one_and_a_consistent_level_shift_is_not_an_error()
    {
        var truth = GroundTruth.FromMarkdown("## Intro\n\nFirst paragraph of the text, long enough.\n\n### Detail\n\nSecond paragraph of the text here.\n\n| a | b |\n| - | - |\n| c | d |\n");
        var tree = new DocumentTree("Intro",
        [
            Block(BlockKind.Heading, "Intro", 1),
            Block(BlockKind.Paragraph, "First paragraph of the text, long enough."),
            Block(BlockKind.Heading, "Detail", 2),
            Block(BlockKind.Paragraph, "Second paragraph of the text here."),
            Block(BlockKind.Table, "| a | b |", rows: [["a", "b"], ["c", "d"]]),
        ], 1);

        var score = ParseScorer.Score(truth, tree);

        Assert.Equal(1.0, score.TextSimilarity, 6);
        Assert.Equal(1.0, score.HeadingF1);
        Assert.Equal(1.0, score.HeadingLevelAccuracy);
        Assert.Equal(1, score.TablesRecovered);
        Assert.Equal(1.0, score.CellAccuracy);
        Assert.Equal(1.0, score.ReadingOrder);
    }

    [Fact]
    public void Swapped_paragraphs_lower_reading_order_and_missing_headings_lower_recall()
    {
        var truth = GroundTruth.FromMarkdown("## A heading\n\nAlpha paragraph long enough to anchor.\n\nBravo paragraph long enough to anchor.\n");
        var tree = new DocumentTree(null,
        [
            Block(BlockKind.Paragraph, "Bravo paragraph long enough to anchor."),
            Block(BlockKind.Paragraph, "Alpha paragraph long enough to anchor."),
        ], 1);

        var score = ParseScorer.Score(truth, tree);

        Assert.Equal(0.0, score.ReadingOrder);
        Assert.Equal(0.0, score.HeadingRecall);
    }

    private static DocumentBlock Block(BlockKind kind, string text, int level = 0, IReadOnlyList<IReadOnlyList<string>>? rows = null) =>
        new() { Id = "b", Kind = kind, Text = text, Level = level, Rows = rows };

    private static int Naive(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
        }

        return d[a.Length, b.Length];
    }
}
