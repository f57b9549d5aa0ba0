using RagService.Evaluation.Answers;

namespace RagService.Evaluation.Tests.Answers;

public sealed class AnswerScoringTests
{
    [Theory]
    [InlineData("Employees are reimbursed at 0.58 USD\nper mile. [1]", "0.58 usd per mile", true)]
    [InlineData("住宿标准为每晚六百元。[1]", "每晚六百元", true)]
    [InlineData("Ｅ２ means a leak.", "E2", true)]
    [InlineData("The allowance is 1 [2] USD.", "12 USD", false)]
    [InlineData("Economy class is the standard.", "eight hours", false)]
    public void Gold_strings_match_after_normalising_case_punctuation_markers_and_width(string answer, string gold, bool expected) =>
        Assert.Equal(expected, AnswerScoring.ContainsAny(answer, [gold]));

    [Fact]
    public void A_section_path_names_the_gold_section_even_with_an_ocr_slip_in_its_number()
    {
        Assert.True(AnswerScoring.InSection(["Tailspin IT Security Standard", "4 Backups"], "4 Backups"));
        Assert.True(AnswerScoring.InSection(["Backups"], "4 Backups"));
        Assert.False(AnswerScoring.InSection(["5 Access Reviews"], "4 Backups"));
    }

    [Fact]
    public void Metrics_count_no_answer_as_the_prediction_of_unanswerable_and_citations_micro_averaged()
    {
        AnswerOutcome Outcome(string id, bool unanswerable, bool noAnswer, bool correct, int citations, int precise, int chars) =>
            new(id, unanswerable ? "unanswerable" : "single", "test", "en", "q", "q", unanswerable, noAnswer, correct, citations, precise,
                precise > 0, precise > 0, chars, 10, 5, noAnswer ? null : 1.0, "a", "extractive");
        var metrics = AnswerMetrics.Of(
        [
            Outcome("a", false, false, true, 2, 1, 100),
            Outcome("b", false, false, true, 1, 1, 50),
            Outcome("c", false, true, false, 0, 0, 0),
            Outcome("d", true, true, false, 0, 0, 0),
            Outcome("e", true, false, false, 1, 0, 300),
        ]);

        Assert.Equal((3, 2), (metrics.Answerable, metrics.Unanswerable));
        Assert.Equal(2.0 / 3, metrics.Accuracy, 6);
        Assert.Equal(2.0 / 3, metrics.CitationPrecision, 6);
        Assert.Equal((0.5, 0.5, 0.5), (metrics.NoAnswerPrecision, metrics.NoAnswerRecall, metrics.NoAnswerF1));
        Assert.Equal(100, metrics.MedianAnswerChars);
    }

    [Fact]
    public void The_split_is_a_stable_function_of_the_id_and_the_set_meets_its_shape()
    {
        var questions = AnswerQuestion.Load(Path.Combine(AppContext.BaseDirectory, "answers", "questions.jsonl"));

        Assert.True(questions.Count >= 150);
        Assert.True(questions.Count(q => q.Unanswerable) >= 30);
        Assert.True(questions.Count(q => q.IsFollowUp) >= 40);
        Assert.Equal(questions.Count, questions.Select(q => q.Id).Distinct().Count());
        Assert.Equal("test", new AnswerQuestion { Id = "a001", Document = "d", Question = "q", Unanswerable = true }.Split);
        Assert.InRange(questions.Count(q => q.Split == "test"), questions.Count / 3, 2 * questions.Count / 3);
    }
}
