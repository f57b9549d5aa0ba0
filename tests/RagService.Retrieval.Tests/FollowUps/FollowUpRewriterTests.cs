using RagService.Core.Llm;
using RagService.Retrieval.FollowUps;

namespace RagService.Retrieval.Tests.FollowUps;

public sealed class FollowUpRewriterTests
{
    [Theory]
    [InlineData("How many days of annual leave do employees get?", "And for interns?", "How many days of annual leave do employees get — for interns?")]
    [InlineData("What is the daily meal allowance?", "What about contractors?", "What is the daily meal allowance — contractors?")]
    [InlineData("Which travel classes are allowed?", "what about the second one?", "Which travel classes are allowed — the second one?")]
    [InlineData("What is the daily meal allowance?", "Interns?", "What is the daily meal allowance — Interns?")]
    [InlineData("How long does parental leave last?", "How do I apply for it?", "How do I apply for the parental leave?")]
    [InlineData("What is the mileage rate for private cars?", "Who approves that?", "Who approves the mileage rate?")]
    [InlineData("年假有多少天？", "那这个怎么申请？", "年假怎么申请？")]
    [InlineData("员工的年假有多少天？", "那实习生呢？", "员工的年假有多少天，实习生呢？")]
    [InlineData("报销需要什么材料？", "它的截止日期是什么时候？", "报销的截止日期是什么时候？")]
    public void Follow_ups_carry_the_previous_subject(string previous, string followUp, string expected)
    {
        var rewrite = RuleFollowUpRewriter.Rewrite(previous, followUp);

        Assert.True(rewrite.Rewritten);
        Assert.Equal("rules", rewrite.Method);
        Assert.Equal(expected, rewrite.Question);
    }

    [Theory]
    [InlineData("How many days of annual leave do employees get?", "What is the mileage rate for using my own car?")]
    [InlineData("How long does parental leave last?", "Which documents prove that the trip was approved?")]
    [InlineData("年假有多少天？", "出差的住宿标准是多少？")]
    [InlineData("年假有多少天？", "其他假期怎么申请？")]
    public void Standalone_questions_are_left_alone(string previous, string question)
    {
        var rewrite = RuleFollowUpRewriter.Rewrite(previous, question);

        Assert.False(rewrite.Rewritten);
        Assert.Equal(question, rewrite.Question);
    }

    [Theory]
    [InlineData("What are the two hotel limits per night?",
        "Employees may spend up to 150 euros per night on hotels [1]. In London, Paris and New York the hotel limit is 220 euros per night [1].",
        "Where does the second one apply?",
        "Where does \"In London, Paris and New York the hotel limit is 220 euros per night\" apply?")]
    [InlineData("Which steps does a claim take?",
        "The claim goes through these steps [2]:\n- Submit the receipts in the portal\n- Your manager approves the claim\n- Finance pays within ten days",
        "Who does the 2nd step?",
        "Who does \"Your manager approves the claim\"?")]
    [InlineData("What are the meal allowances?",
        "| City | Allowance |\n| --- | --- |\n| Berlin | 28 EUR |\n| London | 35 GBP |",
        "And the last one, is it per day?",
        "And \"London 35 GBP\", is it per day?")]
    [InlineData("Which cars may employees rent?", "Compact cars may be rented [1]. Vans need approval [2].", "How do I get the latter?",
        "How do I get \"Vans need approval\"?")]
    [InlineData("出差的住宿标准有哪两种？", "一般城市每晚150欧元[1]。伦敦、巴黎和纽约每晚220欧元[1]。", "那第二个适用于哪里？",
        "“伦敦、巴黎和纽约每晚220欧元”适用于哪里？")]
    public void An_ordinal_names_an_item_of_the_previous_answer(string previous, string answer, string followUp, string expected)
    {
        var rewrite = RuleFollowUpRewriter.Rewrite(previous, followUp, answer);

        Assert.True(rewrite.Rewritten);
        Assert.Equal(expected, rewrite.Question);
    }

    [Theory]
    [InlineData("Compact cars may be rented [1].", "Where does the second one apply?")]
    [InlineData(null, "Where does the second one apply?")]
    [InlineData("Compact cars may be rented [1]. Vans need approval [2].", "When is the first payment due?")]
    public void An_ordinal_the_previous_answer_cannot_resolve_is_not_invented(string? answer, string followUp)
    {
        var rewrite = RuleFollowUpRewriter.Rewrite("Which cars may employees rent?", followUp, answer);

        Assert.DoesNotContain("\"", rewrite.Question, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_first_question_is_never_rewritten()
    {
        var rewrite = await new RuleFollowUpRewriter().RewriteAsync([], "And for interns?", default);

        Assert.Equal(new FollowUpRewrite("And for interns?", false, "none"), rewrite);
    }

    [Fact]
    public async Task The_llm_rewrites_from_the_whole_history_and_rules_take_over_when_it_fails()
    {
        ConversationTurn[] history = [new("How long does parental leave last?", "Parental leave lasts sixteen weeks [1].")];
        var good = new StubChat(_ => "How do I apply for parental leave?\n");
        var broken = new StubChat(_ => throw new HttpRequestException("down"));

        var byLlm = await new LlmFollowUpRewriter(good, TimeSpan.FromSeconds(5)).RewriteAsync(history, "How do I apply for it?", default);
        var byRules = await new LlmFollowUpRewriter(broken, TimeSpan.FromSeconds(5)).RewriteAsync(history, "How do I apply for it?", default);

        Assert.Equal(new FollowUpRewrite("How do I apply for parental leave?", true, "llm:stub"), byLlm);
        Assert.Contains("User: How long does parental leave last?", good.LastUser, StringComparison.Ordinal);
        Assert.Contains("Assistant: Parental leave lasts sixteen weeks [1].", good.LastUser, StringComparison.Ordinal);
        Assert.EndsWith("Last question: How do I apply for it?\n", good.LastUser.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Equal("How do I apply for the parental leave?", byRules.Question);
        Assert.Equal("rules (LLM stub fallback: error: HttpRequestException)", byRules.Method);
    }

    private sealed class StubChat(Func<string, string> reply) : IChatModel
    {
        public string LastUser { get; private set; } = string.Empty;

        public string Name => "stub";

        public Task<string> CompleteAsync(string systemPrompt, string userMessage, CancellationToken cancellationToken)
        {
            LastUser = userMessage;
            return Task.FromResult(reply(userMessage));
        }
    }
}
