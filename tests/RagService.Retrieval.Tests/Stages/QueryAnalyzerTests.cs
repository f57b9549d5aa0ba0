using RagService.Retrieval.QueryUnderstanding;

namespace RagService.Retrieval.Tests.Stages;

public sealed class QueryAnalyzerTests
{
    [Fact]
    public void A_query_with_han_characters_is_chinese()
    {
        Assert.Equal("zh", QueryAnalyzer.Analyze("数据备份保留多久").Language);
        Assert.Equal("en", QueryAnalyzer.Analyze("how long are backups kept").Language);
    }

    [Fact]
    public void Quoted_phrases_are_pulled_out_of_the_query()
    {
        var analysis = QueryAnalyzer.Analyze("policy on \"remote work\" and “data retention period”");

        Assert.Equal(["remote work", "data retention period"], analysis.Phrases);
    }

    [Theory]
    [InlineData("what does section 3.1 say about backups", "3.1")]
    [InlineData("summary of Chapter 2", "2")]
    [InlineData("§4.2 exceptions", "4.2")]
    [InlineData("第二章的主要内容", "2")]
    [InlineData("第十二章 安全", "12")]
    [InlineData("第3节", "3")]
    public void Section_references_are_recognised_in_english_and_chinese(string query, string section)
    {
        Assert.Equal([section], QueryAnalyzer.Analyze(query).SectionReferences);
    }

    [Theory]
    [InlineData("INC-20431 outage", QueryIntent.Identifier)]
    [InlineData("RFC 7807", QueryIntent.Identifier)]
    [InlineData("HttpClient.SendAsync() timeout", QueryIntent.Code)]
    [InlineData("max_connections setting", QueryIntent.Code)]
    [InlineData("how do backups work", QueryIntent.Question)]
    [InlineData("Why is the sky blue?", QueryIntent.Question)]
    [InlineData("backup retention", QueryIntent.Keyword)]
    [InlineData("Vitamin D deficiency raises the risk of hip fractures in older women.", QueryIntent.Statement)]
    [InlineData("IL-6 drives fever", QueryIntent.Identifier)]
    [InlineData("为什么天空是蓝色的", QueryIntent.Question)]
    [InlineData("travel policy since 2023", QueryIntent.Statement)]
    [InlineData("budget in 2023", QueryIntent.Keyword)]
    [InlineData("RFC 7807 since 2020", QueryIntent.Identifier)]
    public void The_intent_follows_the_querys_form(string query, QueryIntent intent)
    {
        Assert.Equal(intent, QueryAnalyzer.Analyze(query).Intent);
    }

    [Fact]
    public void Whitespace_and_compatibility_forms_are_normalised()
    {
        Assert.Equal("ABC 12", QueryAnalyzer.Analyze("  ＡＢＣ\t１２ ").Text);
    }

    [Fact]
    public void A_date_in_the_query_is_part_of_the_analysis()
    {
        var date = QueryAnalyzer.Analyze("expenses since March 2024").Date;

        Assert.Equal(new DateTimeOffset(2024, 3, 1, 0, 0, 0, TimeSpan.Zero), date!.After);
        Assert.Null(QueryAnalyzer.Analyze("expenses of the team").Date);
    }
}
