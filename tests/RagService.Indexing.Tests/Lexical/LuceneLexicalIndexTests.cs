using RagService.Core.Chunks;
using RagService.Core.Indexes;
using RagService.Indexing.Lexical.Lucene;
using RagService.TestSupport.Conformance;

namespace RagService.Indexing.Tests.Lexical;

public sealed class LuceneLexicalIndexTests : IDisposable
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    private readonly TempFolder _folder = new("rag-lucene-");

    [Fact]
    public async Task BM25_ranks_the_chunk_with_the_rare_term_first()
    {
        using var index = Open();
        await index.ReplaceDocumentAsync("a", 1, [Chunk("a", 1, 0, "the system handles the request and the response in the system")], Ct);
        await index.ReplaceDocumentAsync("b", 1, [Chunk("b", 1, 0, "the system writes a checkpoint to the journal")], Ct);
        await index.ReplaceDocumentAsync("c", 1, [Chunk("c", 1, 0, "the system starts")], Ct);
        await index.CommitAsync(Ct);

        var hits = await index.SearchAsync("system checkpoint", 3, SearchFilter.None, Ct);

        Assert.Equal(Id("b", 1, 0), hits[0].ChunkId);
        Assert.Equal(3, hits.Count);
        Assert.True(hits[0].Score > hits[1].Score);
    }

    [Fact]
    public async Task Stemming_lets_running_find_runs()
    {
        using var index = Open();
        await index.ReplaceDocumentAsync("a", 1, [Chunk("a", 1, 0, "The service runs nightly backups."), Chunk("a", 1, 1, "Unrelated text about invoices.")], Ct);
        await index.CommitAsync(Ct);

        var hit = Assert.Single(await index.SearchAsync("running", 10, SearchFilter.None, Ct));
        Assert.Equal(Id("a", 1, 0), hit.ChunkId);
    }

    [Fact]
    public async Task A_Chinese_query_finds_Chinese_text()
    {
        using var index = Open();
        await index.ReplaceDocumentAsync("zh", 1, [Chunk("zh", 1, 0, "我们的数据中心位于北京，提供云计算服务。"), Chunk("zh", 1, 1, "公司的年度报告显示收入增长。")], Ct);
        await index.ReplaceDocumentAsync("en", 1, [Chunk("en", 1, 0, "Our data centre is in Frankfurt and provides cloud services.")], Ct);
        await index.CommitAsync(Ct);

        var hits = await index.SearchAsync("云计算", 10, SearchFilter.None, Ct);
        Assert.Equal(Id("zh", 1, 0), hits[0].ChunkId);
        Assert.DoesNotContain(hits, h => h.ChunkId == Id("en", 1, 0));

        Assert.Equal(Id("zh", 1, 1), (await index.SearchAsync("年度报告", 10, SearchFilter.None, Ct))[0].ChunkId);
        Assert.Equal(Id("en", 1, 0), Assert.Single(await index.SearchAsync("cloud services", 10, SearchFilter.None, Ct)).ChunkId);
    }

    [Fact]
    public async Task Filters_by_document_id_and_tags_apply_before_truncation()
    {
        using var index = Open();

        // Many strong matches in other documents would fill the top-k if filtering happened afterwards.
        for (var d = 0; d < 30; d++)
        {
            await index.ReplaceDocumentAsync("noise" + d, 1, [Chunk("noise" + d, 1, 0, "invoice invoice invoice payment", new Dictionary<string, string> { ["tenant"] = "acme" })], Ct);
        }

        await index.ReplaceDocumentAsync("target", 1, [Chunk("target", 1, 0, "a long text that mentions an invoice only once among many other words here", new Dictionary<string, string> { ["tenant"] = "globex", ["lang"] = "en" })], Ct);
        await index.CommitAsync(Ct);

        var byDocument = await index.SearchAsync("invoice", 3, new SearchFilter { DocumentIds = ["target"] }, Ct);
        Assert.Equal(Id("target", 1, 0), Assert.Single(byDocument).ChunkId);

        var byTag = await index.SearchAsync("invoice", 3, new SearchFilter { Tags = new Dictionary<string, string> { ["tenant"] = "globex" } }, Ct);
        Assert.Equal(Id("target", 1, 0), Assert.Single(byTag).ChunkId);

        var bothTags = new SearchFilter { Tags = new Dictionary<string, string> { ["tenant"] = "globex", ["lang"] = "de" } };
        Assert.Empty(await index.SearchAsync("invoice", 3, bothTags, Ct));

        var twoDocuments = await index.SearchAsync("invoice", 10, new SearchFilter { DocumentIds = ["noise1", "target"] }, Ct);
        Assert.Equal(2, twoDocuments.Count);
    }

    [Fact]
    public async Task ReplaceDocument_swaps_versions_only_at_commit()
    {
        using var index = Open();
        await index.ReplaceDocumentAsync("a", 1, [Chunk("a", 1, 0, "old wording about apples"), Chunk("a", 1, 1, "more apples")], Ct);
        await index.CommitAsync(Ct);

        await index.ReplaceDocumentAsync("a", 2, [Chunk("a", 2, 0, "new wording about pears")], Ct);
        Assert.Equal(2, (await index.SearchAsync("apples", 10, SearchFilter.None, Ct)).Count);
        Assert.Empty(await index.SearchAsync("pears", 10, SearchFilter.None, Ct));

        await index.CommitAsync(Ct);
        Assert.Empty(await index.SearchAsync("apples", 10, SearchFilter.None, Ct));
        Assert.Equal(Id("a", 2, 0), Assert.Single(await index.SearchAsync("pears", 10, SearchFilter.None, Ct)).ChunkId);
    }

    [Fact]
    public async Task Replacing_the_same_version_again_does_not_duplicate_chunks()
    {
        using var index = Open();
        await index.ReplaceDocumentAsync("a", 3, [Chunk("a", 3, 0, "kiwi fruit")], Ct);
        await index.CommitAsync(Ct);
        await index.ReplaceDocumentAsync("a", 3, [Chunk("a", 3, 0, "kiwi fruit")], Ct);
        await index.CommitAsync(Ct);

        Assert.Single(await index.SearchAsync("kiwi", 10, SearchFilter.None, Ct));
    }

    [Fact]
    public async Task DeleteDocument_removes_every_chunk_after_commit()
    {
        using var index = Open();
        await index.ReplaceDocumentAsync("a", 1, [Chunk("a", 1, 0, "mango"), Chunk("a", 1, 1, "mango salad")], Ct);
        await index.ReplaceDocumentAsync("b", 1, [Chunk("b", 1, 0, "mango juice")], Ct);
        await index.CommitAsync(Ct);

        await index.DeleteDocumentAsync("a", Ct);
        Assert.Equal(3, (await index.SearchAsync("mango", 10, SearchFilter.None, Ct)).Count);
        await index.CommitAsync(Ct);

        Assert.Equal(Id("b", 1, 0), Assert.Single(await index.SearchAsync("mango", 10, SearchFilter.None, Ct)).ChunkId);
    }

    [Fact]
    public async Task The_index_reopens_from_disk_with_only_committed_data()
    {
        using (var index = Open())
        {
            await index.ReplaceDocumentAsync("a", 1, [Chunk("a", 1, 0, "persisted lexical entry")], Ct);
            await index.CommitAsync(Ct);
            await index.ReplaceDocumentAsync("b", 1, [Chunk("b", 1, 0, "uncommitted lexical entry")], Ct);
        }

        using var reopened = Open();
        Assert.Equal(Id("a", 1, 0), Assert.Single(await reopened.SearchAsync("lexical entry", 10, SearchFilter.None, Ct)).ChunkId);
        Assert.True(reopened.SizeOnDiskBytes > 0);
    }

    [Theory]
    [InlineData("C++ \"foo")]
    [InlineData("AND OR NOT ( ) [ ] { } ~ * ? : \\ / ^ -")]
    [InlineData("title:\"unclosed")]
    [InlineData("   ")]
    [InlineData("")]
    [InlineData("!!! ??? ...")]
    [InlineData("数据 AND \"中心")]
    public async Task Punctuation_heavy_queries_do_not_throw(string query)
    {
        using var index = Open();
        await index.ReplaceDocumentAsync("a", 1, [Chunk("a", 1, 0, "foo is written in C++ and has a title")], Ct);
        await index.CommitAsync(Ct);

        var hits = await index.SearchAsync(query, 10, SearchFilter.None, Ct);
        Assert.NotNull(hits);
    }

    [Fact]
    public async Task A_very_long_query_does_not_exceed_the_clause_limit()
    {
        using var index = Open();
        await index.ReplaceDocumentAsync("a", 1, [Chunk("a", 1, 0, "word1500 appears here")], Ct);
        await index.CommitAsync(Ct);

        var query = string.Join(' ', Enumerable.Range(0, 3000).Select(i => "word" + i));
        Assert.Equal(Id("a", 1, 0), Assert.Single(await index.SearchAsync(query, 10, SearchFilter.None, Ct)).ChunkId);
    }

    [Fact]
    public async Task Searches_run_concurrently_with_writes_and_commits()
    {
        using var index = Open();
        await index.ReplaceDocumentAsync("seed", 1, [Chunk("seed", 1, 0, "concurrency seed text")], Ct);
        await index.CommitAsync(Ct);

        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++)
            {
                await index.ReplaceDocumentAsync("d" + i, 1, [Chunk("d" + i, 1, 0, "concurrency text " + i)], Ct);
                await index.CommitAsync(Ct);
            }
        });
        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                Assert.NotEmpty(await index.SearchAsync("concurrency", 5, SearchFilter.None, Ct));
            }
        }));
        await Task.WhenAll([writer, .. readers]);

        Assert.Equal(21, (await index.SearchAsync("concurrency", 100, SearchFilter.None, Ct)).Count);
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_quoted_phrase_ranks_the_chunk_with_the_words_in_that_order_first()
    {
        using var index = Open();
        await index.ReplaceDocumentAsync("a", 1, [Chunk("a", 1, 0, "work from home is remote for the data team")], Ct);
        await index.ReplaceDocumentAsync("b", 1, [Chunk("b", 1, 0, "the remote work policy covers the team")], Ct);
        await index.CommitAsync(Ct);

        var plain = await index.SearchAsync("remote work data", 2, SearchFilter.None, Ct);
        var quoted = await index.SearchAsync("\"remote work\" data", 2, SearchFilter.None, Ct);

        Assert.Equal(Id("a", 1, 0), plain[0].ChunkId);
        Assert.Equal(Id("b", 1, 0), quoted[0].ChunkId);
    }

    [Theory]
    [InlineData("smartcn")]
    [InlineData("bigram")]
    [InlineData("both")]
    public async Task Every_chinese_analyzer_finds_chinese_text(string analyzer)
    {
        using var index = new LuceneLexicalIndex(_folder.Path, new LuceneLexicalIndexOptions { ChineseAnalyzer = analyzer });
        await index.ReplaceDocumentAsync("zh", 1, [Chunk("zh", 1, 0, "我们的数据中心位于北京，提供云计算服务。"), Chunk("zh", 1, 1, "公司的年度报告显示收入增长。")], Ct);
        await index.CommitAsync(Ct);

        Assert.Equal(Id("zh", 1, 0), (await index.SearchAsync("云计算服务", 10, SearchFilter.None, Ct))[0].ChunkId);
        Assert.Equal(Id("zh", 1, 1), (await index.SearchAsync("年度报告", 10, SearchFilter.None, Ct))[0].ChunkId);
    }

    [Fact]
    public void An_unknown_chinese_analyzer_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new LuceneLexicalIndex(_folder.Path, new LuceneLexicalIndexOptions { ChineseAnalyzer = "jieba" }));
    }

    private LuceneLexicalIndex Open() => new(_folder.Path);

    [Fact]
    public async Task Section_prefix_and_date_filters_apply_before_truncation()
    {
        using var index = Open();
        var old = new DateTimeOffset(2023, 6, 1, 0, 0, 0, TimeSpan.Zero);
        var recent = new DateTimeOffset(2025, 2, 1, 0, 0, 0, TimeSpan.Zero);

        // 30 stronger matches outside both filters: other sections, old documents.
        for (var d = 0; d < 30; d++)
        {
            await index.ReplaceDocumentAsync($"noise{d}", 1, [Chunk($"noise{d}", 1, 0, "backup backup retention backup policy", section: ["Operations", "Backups"], date: old)], Ct);
        }

        await index.ReplaceDocumentAsync("target", 1, [
            Chunk("target", 1, 0, "backup schedule and other matters of interest for the reader", section: ["  SECURITY ", "Backups"], date: recent),
            Chunk("target", 1, 1, "backup of keys is described here among many other words", section: ["Security"], date: recent),
            Chunk("target", 1, 2, "backup mentioned once in an unrelated section", section: ["Appendix"], date: recent),
        ], Ct);
        await index.CommitAsync(Ct);

        var section = await index.SearchAsync("backup retention", 5, new SearchFilter { SectionPathPrefix = ["security"] }, Ct);
        Assert.Equal([Id("target", 1, 0), Id("target", 1, 1)], section.Select(h => h.ChunkId).Order().ToArray());

        var nested = await index.SearchAsync("backup retention", 5, new SearchFilter { SectionPathPrefix = ["Security", " backups"] }, Ct);
        Assert.Equal(Id("target", 1, 0), Assert.Single(nested).ChunkId);

        var deeperThanPath = await index.SearchAsync("backup", 5, new SearchFilter { SectionPathPrefix = ["Security", "Backups", "Keys"] }, Ct);
        Assert.Empty(deeperThanPath);

        var dated = await index.SearchAsync("backup retention", 5, new SearchFilter { ModifiedAfter = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero) }, Ct);
        Assert.Equal(3, dated.Count);
        Assert.All(dated, h => Assert.StartsWith("target", ChunkDocument(h.ChunkId)));

        var before = await index.SearchAsync("backup retention", 50, new SearchFilter { ModifiedBefore = recent }, Ct);
        Assert.Equal(30, before.Count);
        Assert.Empty(await index.SearchAsync("backup", 50, new SearchFilter { ModifiedAfter = recent.AddMilliseconds(1) }, Ct));
        Assert.Equal(3, (await index.SearchAsync("backup", 50, new SearchFilter { ModifiedAfter = recent, ModifiedBefore = recent.AddDays(1) }, Ct)).Count);

        var both = await index.SearchAsync("backup retention", 5, new SearchFilter { SectionPathPrefix = ["Operations"], ModifiedAfter = recent }, Ct);
        Assert.Empty(both);
    }

    [Fact]
    public async Task A_date_tag_dates_a_chunk_without_a_document_date()
    {
        using var index = Open();
        await index.ReplaceDocumentAsync("tagged", 1, [Chunk("tagged", 1, 0, "quarterly report", new Dictionary<string, string> { ["date"] = "2024-03-15" })], Ct);
        await index.ReplaceDocumentAsync("undated", 1, [Chunk("undated", 1, 0, "quarterly report")], Ct);
        await index.CommitAsync(Ct);

        var hits = await index.SearchAsync("quarterly report", 10, new SearchFilter { ModifiedAfter = new DateTimeOffset(2024, 3, 1, 0, 0, 0, TimeSpan.Zero) }, Ct);
        Assert.Equal(Id("tagged", 1, 0), Assert.Single(hits).ChunkId);
    }

    private static string ChunkDocument(string chunkId) =>
        Enumerable.Range(0, 30).Any(d => chunkId == Id($"noise{d}", 1, 0)) ? "noise" : "target";

    private static string Id(string documentId, int version, int ordinal) => ConformanceChunks.Id(documentId, version, ordinal);

    private static Chunk Chunk(
        string documentId, int version, int ordinal, string text, IReadOnlyDictionary<string, string>? tags = null,
        IReadOnlyList<string>? section = null, DateTimeOffset? date = null) =>
        ConformanceChunks.Make(documentId, version, ordinal, text, tags, section, date);
}
