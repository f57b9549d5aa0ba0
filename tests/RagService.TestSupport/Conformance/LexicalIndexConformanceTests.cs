using RagService.Core.Indexes;
using Xunit;
using static RagService.TestSupport.Conformance.ConformanceChunks;

namespace RagService.TestSupport.Conformance;

/// <summary>
/// Behaviour every <see cref="ILexicalIndex"/> backend must have, the in-memory test fake included. A backend's
/// test class derives from this and says how to open an empty index; the cases stay the same for all.
/// The texts use plain distinct words, so any term-frequency ranking agrees on the order.
/// </summary>
public abstract class LexicalIndexConformanceTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    /// <summary>A new, empty index; the test disposes it.</summary>
    protected abstract ILexicalIndex Open();

    [Fact]
    public async Task Committed_chunks_are_found_best_match_first()
    {
        using var index = Open();
        await index.ReplaceDocumentAsync("a", 1, [Make("a", 1, 0, "walrus tusks grow long"), Make("a", 1, 1, "penguins swim fast")], None);
        await index.ReplaceDocumentAsync("b", 1, [Make("b", 1, 0, "walrus colonies rest on ice")], None);
        await index.CommitAsync(None);

        var hits = await index.SearchAsync("walrus tusks", 10, SearchFilter.None, None);

        Assert.Equal([Id("a", 1, 0), Id("b", 1, 0)], hits.Select(h => h.ChunkId));
        Assert.True(hits[0].Score > hits[1].Score);
        Assert.Empty(await index.SearchAsync("giraffe", 10, SearchFilter.None, None));
    }

    [Fact]
    public async Task Term_statistics_count_the_committed_chunks_holding_each_query_term()
    {
        using var index = Open();
        await index.ReplaceDocumentAsync("a", 1, [Make("a", 1, 0, "walrus tusks"), Make("a", 1, 1, "walrus ice")], None);
        await index.ReplaceDocumentAsync("b", 1, [Make("b", 1, 0, "penguins swim")], None);
        await index.CommitAsync(None);
        await index.ReplaceDocumentAsync("c", 1, [Make("c", 1, 0, "walrus tusks narwhal")], None);

        var stats = await index.TermStatisticsAsync("Walrus narwhal tusks", None);

        Assert.Equal(3, stats.Chunks);
        var byTerm = stats.Terms.ToDictionary(t => t.Surface.ToLowerInvariant(), t => t.DocumentFrequency);
        Assert.Equal(2, byTerm["walrus"]);
        Assert.Equal(1, byTerm["tusks"]);
        Assert.Equal(0, byTerm["narwhal"]);
        Assert.Contains(stats.Terms, t => t.Surface == "Walrus" || t.Surface == "walrus");
    }

    [Fact]
    public async Task Writes_are_invisible_until_commit()
    {
        using var index = Open();
        await index.ReplaceDocumentAsync("a", 1, [Make("a", 1, 0, "walrus tusks")], None);
        Assert.Empty(await index.SearchAsync("walrus", 10, SearchFilter.None, None));

        await index.CommitAsync(None);
        Assert.Single(await index.SearchAsync("walrus", 10, SearchFilter.None, None));

        await index.DeleteDocumentAsync("a", None);
        Assert.Single(await index.SearchAsync("walrus", 10, SearchFilter.None, None));
        await index.CommitAsync(None);
        Assert.Empty(await index.SearchAsync("walrus", 10, SearchFilter.None, None));
    }

    [Fact]
    public async Task Replacing_a_document_removes_its_old_version()
    {
        using var index = Open();
        await index.ReplaceDocumentAsync("a", 1, [Make("a", 1, 0, "walrus tusks"), Make("a", 1, 1, "walrus ice")], None);
        await index.CommitAsync(None);
        await index.ReplaceDocumentAsync("a", 2, [Make("a", 2, 0, "narwhal horns")], None);
        await index.CommitAsync(None);

        Assert.Empty(await index.SearchAsync("walrus", 10, SearchFilter.None, None));
        Assert.Equal(Id("a", 2, 0), Assert.Single(await index.SearchAsync("narwhal", 10, SearchFilter.None, None)).ChunkId);
    }

    [Fact]
    public async Task Replacing_the_same_version_again_keeps_one_copy()
    {
        using var index = Open();
        await index.ReplaceDocumentAsync("a", 1, [Make("a", 1, 0, "walrus tusks")], None);
        await index.ReplaceDocumentAsync("a", 1, [Make("a", 1, 0, "walrus tusks")], None);
        await index.CommitAsync(None);

        Assert.Single(await index.SearchAsync("walrus", 10, SearchFilter.None, None));
    }

    [Fact]
    public async Task Deleting_a_document_removes_all_its_chunks_and_nothing_else()
    {
        using var index = Open();
        await index.ReplaceDocumentAsync("a", 1, [Make("a", 1, 0, "walrus tusks"), Make("a", 1, 1, "walrus ice")], None);
        await index.ReplaceDocumentAsync("b", 1, [Make("b", 1, 0, "walrus colony")], None);
        await index.CommitAsync(None);

        await index.DeleteDocumentAsync("a", None);
        await index.DeleteDocumentAsync("never-there", None);
        await index.CommitAsync(None);

        Assert.Equal(Id("b", 1, 0), Assert.Single(await index.SearchAsync("walrus", 10, SearchFilter.None, None)).ChunkId);
    }

    [Fact]
    public async Task TopK_limits_the_results()
    {
        using var index = Open();
        await index.ReplaceDocumentAsync("a", 1, Enumerable.Range(0, 12).Select(i => Make("a", 1, i, $"walrus number{i}")).ToList(), None);
        await index.CommitAsync(None);

        Assert.Equal(5, (await index.SearchAsync("walrus", 5, SearchFilter.None, None)).Count);
        Assert.Equal(12, (await index.SearchAsync("walrus", 50, SearchFilter.None, None)).Count);
        Assert.Empty(await index.SearchAsync("walrus", 0, SearchFilter.None, None));
    }

    [Fact]
    public async Task Filters_restrict_by_document_and_tags_before_topK()
    {
        using var index = Open();
        for (var d = 0; d < 20; d++)
        {
            // Strong matches elsewhere would fill the top k if the filter were applied afterwards.
            await index.ReplaceDocumentAsync($"other{d}", 1, [Make($"other{d}", 1, 0, "walrus walrus walrus")], None);
        }

        var team = new Dictionary<string, string> { ["team"] = "ops" };
        await index.ReplaceDocumentAsync("wanted", 1, [Make("wanted", 1, 0, "walrus", team)], None);
        await index.ReplaceDocumentAsync("tagged", 1, [Make("tagged", 1, 0, "walrus tusks", team)], None);
        await index.CommitAsync(None);

        var byDocument = await index.SearchAsync("walrus", 3, new SearchFilter { DocumentIds = ["wanted"] }, None);
        var byTag = await index.SearchAsync("walrus", 3, new SearchFilter { Tags = team }, None);
        var byBoth = await index.SearchAsync("walrus", 3, new SearchFilter { DocumentIds = ["wanted", "other1"], Tags = team }, None);
        var wrongValue = await index.SearchAsync("walrus", 3, new SearchFilter { Tags = new Dictionary<string, string> { ["team"] = "dev" } }, None);

        Assert.Equal(Id("wanted", 1, 0), Assert.Single(byDocument).ChunkId);
        Assert.Equal(new[] { Id("tagged", 1, 0), Id("wanted", 1, 0) }.Order(StringComparer.Ordinal), byTag.Select(h => h.ChunkId).Order(StringComparer.Ordinal));
        Assert.Equal(Id("wanted", 1, 0), Assert.Single(byBoth).ChunkId);
        Assert.Empty(wrongValue);
    }

    [Fact]
    public async Task A_section_prefix_matches_trimmed_headings_case_insensitively_at_every_depth()
    {
        using var index = Open();
        await index.ReplaceDocumentAsync("a", 1,
        [
            Make("a", 1, 0, "walrus backups", section: ["Security", "Backups"]),
            Make("a", 1, 1, "walrus keys", section: ["Security"]),
            Make("a", 1, 2, "walrus lunch", section: ["Canteen"]),
            Make("a", 1, 3, "walrus secure", section: ["Securityx"]),
        ], None);
        await index.CommitAsync(None);

        var top = await index.SearchAsync("walrus", 10, new SearchFilter { SectionPathPrefix = [" security "] }, None);
        var deep = await index.SearchAsync("walrus", 10, new SearchFilter { SectionPathPrefix = ["SECURITY", "backups"] }, None);

        Assert.Equal(new[] { Id("a", 1, 0), Id("a", 1, 1) }.Order(StringComparer.Ordinal), top.Select(h => h.ChunkId).Order(StringComparer.Ordinal));
        Assert.Equal(Id("a", 1, 0), Assert.Single(deep).ChunkId);
    }

    [Fact]
    public async Task A_date_range_includes_its_start_and_excludes_its_end()
    {
        using var index = Open();
        var start = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        await index.ReplaceDocumentAsync("old", 1, [Make("old", 1, 0, "walrus", date: start.AddDays(-1))], None);
        await index.ReplaceDocumentAsync("first", 1, [Make("first", 1, 0, "walrus", date: start)], None);
        await index.ReplaceDocumentAsync("end", 1, [Make("end", 1, 0, "walrus", date: start.AddMonths(1))], None);
        await index.ReplaceDocumentAsync("tagged", 1, [Make("tagged", 1, 0, "walrus", new Dictionary<string, string> { ["date"] = "2024-01-15" })], None);
        await index.ReplaceDocumentAsync("undated", 1, [Make("undated", 1, 0, "walrus")], None);
        await index.CommitAsync(None);

        var january = await index.SearchAsync("walrus", 10, new SearchFilter { ModifiedAfter = start, ModifiedBefore = start.AddMonths(1) }, None);
        var before = await index.SearchAsync("walrus", 10, new SearchFilter { ModifiedBefore = start }, None);

        Assert.Equal(new[] { Id("first", 1, 0), Id("tagged", 1, 0) }.Order(StringComparer.Ordinal), january.Select(h => h.ChunkId).Order(StringComparer.Ordinal));
        Assert.Equal(Id("old", 1, 0), Assert.Single(before).ChunkId);
    }

    [Fact]
    public async Task A_cancelled_token_is_honoured_by_every_operation()
    {
        using var index = Open();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await index.ReplaceDocumentAsync("a", 1, [Make("a", 1, 0, "walrus")], None);
        await index.CommitAsync(None);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => index.ReplaceDocumentAsync("b", 1, [Make("b", 1, 0, "walrus")], cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => index.DeleteDocumentAsync("a", cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => index.CommitAsync(cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => index.SearchAsync("walrus", 10, SearchFilter.None, cancelled.Token));

        // Nothing a cancelled call was asked to do happened.
        await index.CommitAsync(None);
        Assert.Equal(Id("a", 1, 0), Assert.Single(await index.SearchAsync("walrus", 10, SearchFilter.None, None)).ChunkId);
    }
}
