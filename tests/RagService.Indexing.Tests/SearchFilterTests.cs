using RagService.Core.Chunks;
using RagService.Core.Indexes;

namespace RagService.Indexing.Tests;

public sealed class SearchFilterTests
{
    private static readonly DateTimeOffset March = new(2024, 3, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Section_prefix_matches_trimmed_case_insensitive_leading_headings()
    {
        var chunk = Chunk(["Security ", "Backups", "Keys"]);

        Assert.True(new SearchFilter { SectionPathPrefix = ["security"] }.Matches(chunk));
        Assert.True(new SearchFilter { SectionPathPrefix = [" SECURITY", "backups"] }.Matches(chunk));
        Assert.True(new SearchFilter { SectionPathPrefix = [] }.Matches(chunk));
        Assert.False(new SearchFilter { SectionPathPrefix = ["Backups"] }.Matches(chunk));
        Assert.False(new SearchFilter { SectionPathPrefix = ["Secur"] }.Matches(chunk));
        Assert.False(new SearchFilter { SectionPathPrefix = ["Security", "Backups", "Keys", "More"] }.Matches(chunk));
        Assert.False(new SearchFilter { SectionPathPrefix = ["Security"] }.Matches(Chunk([])));
    }

    [Fact]
    public void Date_range_is_inclusive_after_and_exclusive_before()
    {
        var chunk = Chunk([]) with { DocumentDate = March };

        Assert.True(new SearchFilter { ModifiedAfter = March }.Matches(chunk));
        Assert.False(new SearchFilter { ModifiedBefore = March }.Matches(chunk));
        Assert.True(new SearchFilter { ModifiedBefore = March.AddTicks(1) }.Matches(chunk));
        Assert.False(new SearchFilter { ModifiedAfter = March.AddDays(1) }.Matches(chunk));
        Assert.False(new SearchFilter { ModifiedAfter = March }.Matches(Chunk([])));
    }

    [Fact]
    public void The_date_tag_dates_a_document_else_the_upload_time()
    {
        var uploaded = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        Assert.Equal(March, SearchFilter.DocumentDateOf(new Dictionary<string, string> { ["date"] = "2024-03-01" }, uploaded));
        Assert.Equal(March, SearchFilter.DocumentDateOf(new Dictionary<string, string> { ["date"] = "2024-03-01T01:00:00+01:00" }, uploaded));
        Assert.Equal(uploaded, SearchFilter.DocumentDateOf(new Dictionary<string, string> { ["date"] = "last week" }, uploaded));
        Assert.Equal(uploaded, SearchFilter.DocumentDateOf(new Dictionary<string, string>(), uploaded));

        var tagged = Chunk([]) with { Tags = new Dictionary<string, string> { ["date"] = "2024-03-15" } };
        Assert.True(new SearchFilter { ModifiedAfter = March }.Matches(tagged));
    }

    [Fact]
    public void IsEmpty_counts_the_new_conditions()
    {
        Assert.True(SearchFilter.None.IsEmpty);
        Assert.True(new SearchFilter { SectionPathPrefix = [] }.IsEmpty);
        Assert.False(new SearchFilter { SectionPathPrefix = ["a"] }.IsEmpty);
        Assert.False(new SearchFilter { ModifiedAfter = March }.IsEmpty);
        Assert.False(new SearchFilter { ModifiedBefore = March }.IsEmpty);
    }

    private static Chunk Chunk(IReadOnlyList<string> section) => new()
    {
        Id = "c",
        DocumentId = "d",
        DocumentVersion = 1,
        Ordinal = 0,
        Text = "t",
        IndexText = "t",
        ContentHash = "h",
        SectionPath = section,
    };
}
