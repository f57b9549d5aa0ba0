using RagService.Retrieval.QueryUnderstanding;

namespace RagService.Retrieval.Tests.Stages;

public sealed class DateHintsTests
{
    [Theory]
    [InlineData("travel policy in 2023", "2023-01-01", "2024-01-01", false, "in 2023")]
    [InlineData("expenses since March 2024", "2024-03-01", null, true, "since March 2024")]
    [InlineData("contracts signed before 2022-06-01", null, "2022-06-01", true, "before 2022-06-01")]
    [InlineData("2024年3月的会议纪要", "2024-03-01", "2024-04-01", false, "2024年3月")]
    [InlineData("2023年以来的预算", "2023-01-01", null, true, "2023年以来")]
    [InlineData("2022年之前的合同", null, "2022-01-01", true, "2022年之前")]
    [InlineData("incidents after March 2024", "2024-04-01", null, true, "after March 2024")]
    [InlineData("releases between 2021 and 2023", "2021-01-01", "2024-01-01", true, "between 2021 and 2023")]
    [InlineData("audits from 2020-01 to 2020-06", "2020-01-01", "2020-07-01", true, "from 2020-01 to 2020-06")]
    [InlineData("minutes of Mar 15, 2024", "2024-03-15", "2024-03-16", false, "of Mar 15, 2024")]
    [InlineData("backups until 2021", null, "2022-01-01", true, "until 2021")]
    [InlineData("policies 2023 onwards", "2023-01-01", null, true, "2023 onwards")]
    [InlineData("reports from 2023", "2023-01-01", "2024-01-01", false, "from 2023")]
    [InlineData("from 2023 onwards", "2023-01-01", null, true, "from 2023 onwards")]
    [InlineData("自2023年起的报销制度", "2023-01-01", null, true, "自2023年起")]
    public void A_date_in_the_query_becomes_a_range_with_or_without_a_direction(string query, string? after, string? before, bool directional, string text)
    {
        var hint = DateHints.Extract(query);

        Assert.NotNull(hint);
        Assert.Equal(after, hint.After?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(before, hint.Before?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(text, hint.Text);
        Assert.Equal(directional, hint.Directional);
        Assert.Equal(TimeSpan.Zero, (hint.After ?? hint.Before)!.Value.Offset);
    }

    [Theory]
    [InlineData("ISO 2022 certification checklist")]
    [InlineData("error code 2048 in the upload service")]
    [InlineData("what is the backup retention period")]
    [InlineData("version 2023.4.1 release notes")]
    [InlineData("since 2024 and before 2023")]
    public void Numbers_that_are_not_clearly_dates_and_empty_ranges_give_no_hint(string query) =>
        Assert.Null(DateHints.Extract(query));

    [Fact]
    public void A_start_and_an_end_in_one_query_combine()
    {
        var hint = DateHints.Extract("incidents since 2021 and before June 2023")!;

        Assert.Equal(new DateTimeOffset(2021, 1, 1, 0, 0, 0, TimeSpan.Zero), hint.After);
        Assert.Equal(new DateTimeOffset(2023, 6, 1, 0, 0, 0, TimeSpan.Zero), hint.Before);
        Assert.Equal("[2021-01-01, 2023-06-01)", hint.Range);
    }
}
