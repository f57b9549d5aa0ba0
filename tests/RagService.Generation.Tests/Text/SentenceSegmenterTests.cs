using RagService.Core.Text;

namespace RagService.Generation.Tests.Text;

public sealed class SentenceSegmenterTests
{
    private static string[] Split(string text) => SentenceSegmenter.Split(text).Select(s => s.Of(text)).ToArray();

    [Fact]
    public void English_sentences_end_at_period_question_and_exclamation_marks()
    {
        Assert.Equal(
            ["It rains.", "Does it pour?", "Yes!", "\"Quoted.\"", "Done"],
            Split("It rains. Does it pour? Yes! \"Quoted.\" Done"));
    }

    [Fact]
    public void Chinese_sentences_end_at_full_width_marks_without_spaces()
    {
        Assert.Equal(
            ["今天天气很好。", "我们去公园吧！", "你来吗？", "好的"],
            Split("今天天气很好。我们去公园吧！你来吗？好的"));
    }

    [Fact]
    public void Abbreviations_decimals_initials_and_lower_case_continuations_do_not_split()
    {
        Assert.Equal(
            ["Use e.g. the 3.5 mm jack as shown in Fig. 2 by J. Smith.", "Next one."],
            Split("Use e.g. the 3.5 mm jack as shown in Fig. 2 by J. Smith. Next one."));
        Assert.Equal(["The dose was approx. ten times higher."], Split("The dose was approx. ten times higher."));
    }

    [Fact]
    public void A_blank_line_ends_a_heading_without_punctuation()
    {
        Assert.Equal(["Introduction", "Text starts here."], Split("Introduction\n\nText starts here."));
    }

    [Fact]
    public void Spans_point_at_the_original_text()
    {
        const string text = "  First one.   Second one.  ";

        var spans = SentenceSegmenter.Split(text);

        Assert.Equal([new SentenceSpan(2, 10), new SentenceSpan(15, 11)], spans);
    }
}
