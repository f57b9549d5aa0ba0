using RagService.Core.Chunks;
using RagService.Core.Indexes;
using RagService.Indexing.Lexical.Lucene;

namespace RagService.Indexing.Tests.Lexical;

public sealed class LuceneLexicalIndexTests : IDisposable
{
    private readonly TempFolder _folder = new("rag-lucene-");

    [Fact]
    public void BM25_ranks_the_chunk_with_the_rare_term_first()
    {
        using var index = Open();
        index.ReplaceDocument("a", 1, [Chunk("a", 1, 0, "the system handles the request and the response in the system")]);
        index.ReplaceDocument("b", 1, [Chunk("b", 1, 0, "the system writes a checkpoint to the journal")]);
        index.ReplaceDocument("c", 1, [Chunk("c", 1, 0, "the system starts")]);
        index.Commit();

        var hits = index.Search("system checkpoint", 3, SearchFilter.None);

        Assert.Equal(Id("b", 1, 0), hits[0].ChunkId);
        Assert.Equal(3, hits.Count);
        Assert.True(hits[0].Score > hits[1].Score);
    }

    [Fact]
    public void Stemming_lets_running_find_runs()
    {
        using var index = Open();
        index.ReplaceDocument("a", 1, [Chunk("a", 1, 0, "The service runs nightly backups."), Chunk("a", 1, 1, "Unrelated text about invoices.")]);
        index.Commit();

        var hit = Assert.Single(index.Search("running", 10, SearchFilter.None));
        Assert.Equal(Id("a", 1, 0), hit.ChunkId);
    }

    [Fact]
    public void A_Chinese_query_finds_Chinese_text()
    {
        using var index = Open();
        index.ReplaceDocument("zh", 1, [Chunk("zh", 1, 0, "我们的数据中心位于北京，提供云计算服务。"), Chunk("zh", 1, 1, "公司的年度报告显示收入增长。")]);
        index.ReplaceDocument("en", 1, [Chunk("en", 1, 0, "Our data centre is in Frankfurt and provides cloud services.")]);
        index.Commit();

        var hits = index.Search("云计算", 10, SearchFilter.None);
        Assert.Equal(Id("zh", 1, 0), hits[0].ChunkId);
        Assert.DoesNotContain(hits, h => h.ChunkId == Id("en", 1, 0));

        Assert.Equal(Id("zh", 1, 1), index.Search("年度报告", 10, SearchFilter.None)[0].ChunkId);
        Assert.Equal(Id("en", 1, 0), Assert.Single(index.Search("cloud services", 10, SearchFilter.None)).ChunkId);
    }

    [Fact]
    public void Filters_by_document_id_and_tags_apply_before_truncation()
    {
        using var index = Open();

        // Many strong matches in other documents would fill the top-k if filtering happened afterwards.
        for (var d = 0; d < 30; d++)
        {
            index.ReplaceDocument("noise" + d, 1, [Chunk("noise" + d, 1, 0, "invoice invoice invoice payment", new Dictionary<string, string> { ["tenant"] = "acme" })]);
        }

        index.ReplaceDocument("target", 1, [Chunk("target", 1, 0, "a long text that mentions an invoice only once among many other words here", new Dictionary<string, string> { ["tenant"] = "globex", ["lang"] = "en" })]);
        index.Commit();

        var byDocument = index.Search("invoice", 3, new SearchFilter { DocumentIds = ["target"] });
        Assert.Equal(Id("target", 1, 0), Assert.Single(byDocument).ChunkId);

        var byTag = index.Search("invoice", 3, new SearchFilter { Tags = new Dictionary<string, string> { ["tenant"] = "globex" } });
        Assert.Equal(Id("target", 1, 0), Assert.Single(byTag).ChunkId);

        var bothTags = new SearchFilter { Tags = new Dictionary<string, string> { ["tenant"] = "globex", ["lang"] = "de" } };
        Assert.Empty(index.Search("invoice", 3, bothTags));

        var twoDocuments = index.Search("invoice", 10, new SearchFilter { DocumentIds = ["noise1", "target"] });
        Assert.Equal(2, twoDocuments.Count);
    }

    [Fact]
    public void ReplaceDocument_swaps_versions_only_at_commit()
    {
        using var index = Open();
        index.ReplaceDocument("a", 1, [Chunk("a", 1, 0, "old wording about apples"), Chunk("a", 1, 1, "more apples")]);
        index.Commit();

        index.ReplaceDocument("a", 2, [Chunk("a", 2, 0, "new wording about pears")]);
        Assert.Equal(2, index.Search("apples", 10, SearchFilter.None).Count);
        Assert.Empty(index.Search("pears", 10, SearchFilter.None));

        index.Commit();
        Assert.Empty(index.Search("apples", 10, SearchFilter.None));
        Assert.Equal(Id("a", 2, 0), Assert.Single(index.Search("pears", 10, SearchFilter.None)).ChunkId);
    }

    [Fact]
    public void Replacing_the_same_version_again_does_not_duplicate_chunks()
    {
        using var index = Open();
        index.ReplaceDocument("a", 3, [Chunk("a", 3, 0, "kiwi fruit")]);
        index.Commit();
        index.ReplaceDocument("a", 3, [Chunk("a", 3, 0, "kiwi fruit")]);
        index.Commit();

        Assert.Single(index.Search("kiwi", 10, SearchFilter.None));
    }

    [Fact]
    public void DeleteDocument_removes_every_chunk_after_commit()
    {
        using var index = Open();
        index.ReplaceDocument("a", 1, [Chunk("a", 1, 0, "mango"), Chunk("a", 1, 1, "mango salad")]);
        index.ReplaceDocument("b", 1, [Chunk("b", 1, 0, "mango juice")]);
        index.Commit();

        index.DeleteDocument("a");
        Assert.Equal(3, index.Search("mango", 10, SearchFilter.None).Count);
        index.Commit();

        Assert.Equal(Id("b", 1, 0), Assert.Single(index.Search("mango", 10, SearchFilter.None)).ChunkId);
    }

    [Fact]
    public void The_index_reopens_from_disk_with_only_committed_data()
    {
        using (var index = Open())
        {
            index.ReplaceDocument("a", 1, [Chunk("a", 1, 0, "persisted lexical entry")]);
            index.Commit();
            index.ReplaceDocument("b", 1, [Chunk("b", 1, 0, "uncommitted lexical entry")]);
        }

        using var reopened = Open();
        Assert.Equal(Id("a", 1, 0), Assert.Single(reopened.Search("lexical entry", 10, SearchFilter.None)).ChunkId);
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
    public void Punctuation_heavy_queries_do_not_throw(string query)
    {
        using var index = Open();
        index.ReplaceDocument("a", 1, [Chunk("a", 1, 0, "foo is written in C++ and has a title")]);
        index.Commit();

        var hits = index.Search(query, 10, SearchFilter.None);
        Assert.NotNull(hits);
    }

    [Fact]
    public void A_very_long_query_does_not_exceed_the_clause_limit()
    {
        using var index = Open();
        index.ReplaceDocument("a", 1, [Chunk("a", 1, 0, "word1500 appears here")]);
        index.Commit();

        var query = string.Join(' ', Enumerable.Range(0, 3000).Select(i => "word" + i));
        Assert.Equal(Id("a", 1, 0), Assert.Single(index.Search(query, 10, SearchFilter.None)).ChunkId);
    }

    [Fact]
    public async Task Searches_run_concurrently_with_writes_and_commits()
    {
        using var index = Open();
        index.ReplaceDocument("seed", 1, [Chunk("seed", 1, 0, "concurrency seed text")]);
        index.Commit();

        var writer = Task.Run(() =>
        {
            for (var i = 0; i < 20; i++)
            {
                index.ReplaceDocument("d" + i, 1, [Chunk("d" + i, 1, 0, "concurrency text " + i)]);
                index.Commit();
            }
        });
        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 50; i++)
            {
                Assert.NotEmpty(index.Search("concurrency", 5, SearchFilter.None));
            }
        }));
        await Task.WhenAll([writer, .. readers]);

        Assert.Equal(21, index.Search("concurrency", 100, SearchFilter.None).Count);
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_quoted_phrase_ranks_the_chunk_with_the_words_in_that_order_first()
    {
        using var index = Open();
        index.ReplaceDocument("a", 1, [Chunk("a", 1, 0, "work from home is remote for the data team")]);
        index.ReplaceDocument("b", 1, [Chunk("b", 1, 0, "the remote work policy covers the team")]);
        index.Commit();

        var plain = index.Search("remote work data", 2, SearchFilter.None);
        var quoted = index.Search("\"remote work\" data", 2, SearchFilter.None);

        Assert.Equal(Id("a", 1, 0), plain[0].ChunkId);
        Assert.Equal(Id("b", 1, 0), quoted[0].ChunkId);
    }

    [Theory]
    [InlineData("smartcn")]
    [InlineData("bigram")]
    public void Both_chinese_analyzers_find_chinese_text(string analyzer)
    {
        using var index = new LuceneLexicalIndex(_folder.Path, new LuceneLexicalIndexOptions { ChineseAnalyzer = analyzer });
        index.ReplaceDocument("zh", 1, [Chunk("zh", 1, 0, "我们的数据中心位于北京，提供云计算服务。"), Chunk("zh", 1, 1, "公司的年度报告显示收入增长。")]);
        index.Commit();

        Assert.Equal(Id("zh", 1, 0), index.Search("云计算服务", 10, SearchFilter.None)[0].ChunkId);
        Assert.Equal(Id("zh", 1, 1), index.Search("年度报告", 10, SearchFilter.None)[0].ChunkId);
    }

    [Fact]
    public void An_unknown_chinese_analyzer_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new LuceneLexicalIndex(_folder.Path, new LuceneLexicalIndexOptions { ChineseAnalyzer = "jieba" }));
    }

    private LuceneLexicalIndex Open() => new(_folder.Path);

    [Fact]
    public void Section_prefix_and_date_filters_apply_before_truncation()
    {
        using var index = Open();
        var old = new DateTimeOffset(2023, 6, 1, 0, 0, 0, TimeSpan.Zero);
        var recent = new DateTimeOffset(2025, 2, 1, 0, 0, 0, TimeSpan.Zero);

        // 30 stronger matches outside both filters: other sections, old documents.
        for (var d = 0; d < 30; d++)
        {
            index.ReplaceDocument($"noise{d}", 1, [Chunk($"noise{d}", 1, 0, "backup backup retention backup policy", section: ["Operations", "Backups"], date: old)]);
        }

        index.ReplaceDocument("target", 1,
        [
            Chunk("target", 1, 0, "backup schedule and other matters of interest for the reader", section: ["  SECURITY ", "Backups"], date: recent),
            Chunk("target", 1, 1, "backup of keys is described here among many other words", section: ["Security"], date: recent),
            Chunk("target", 1, 2, "backup mentioned once in an unrelated section", section: ["Appendix"], date: recent),
        ]);
        index.Commit();

        var section = index.Search("backup retention", 5, new SearchFilter { SectionPathPrefix = ["security"] });
        Assert.Equal([Id("target", 1, 0), Id("target", 1, 1)], section.Select(h => h.ChunkId).Order().ToArray());

        var nested = index.Search("backup retention", 5, new SearchFilter { SectionPathPrefix = ["Security", " backups"] });
        Assert.Equal(Id("target", 1, 0), Assert.Single(nested).ChunkId);

        var deeperThanPath = index.Search("backup", 5, new SearchFilter { SectionPathPrefix = ["Security", "Backups", "Keys"] });
        Assert.Empty(deeperThanPath);

        var dated = index.Search("backup retention", 5, new SearchFilter { ModifiedAfter = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero) });
        Assert.Equal(3, dated.Count);
        Assert.All(dated, h => Assert.StartsWith("target", ChunkDocument(h.ChunkId)));

        var before = index.Search("backup retention", 50, new SearchFilter { ModifiedBefore = recent });
        Assert.Equal(30, before.Count);
        Assert.Empty(index.Search("backup", 50, new SearchFilter { ModifiedAfter = recent.AddMilliseconds(1) }));
        Assert.Equal(3, index.Search("backup", 50, new SearchFilter { ModifiedAfter = recent, ModifiedBefore = recent.AddDays(1) }).Count);

        var both = index.Search("backup retention", 5, new SearchFilter { SectionPathPrefix = ["Operations"], ModifiedAfter = recent });
        Assert.Empty(both);
    }

    [Fact]
    public void A_date_tag_dates_a_chunk_without_a_document_date()
    {
        using var index = Open();
        index.ReplaceDocument("tagged", 1, [Chunk("tagged", 1, 0, "quarterly report", new Dictionary<string, string> { ["date"] = "2024-03-15" })]);
        index.ReplaceDocument("undated", 1, [Chunk("undated", 1, 0, "quarterly report")]);
        index.Commit();

        var hits = index.Search("quarterly report", 10, new SearchFilter { ModifiedAfter = new DateTimeOffset(2024, 3, 1, 0, 0, 0, TimeSpan.Zero) });
        Assert.Equal(Id("tagged", 1, 0), Assert.Single(hits).ChunkId);
    }

    private static string ChunkDocument(string chunkId) =>
        Enumerable.Range(0, 30).Any(d => chunkId == Id($"noise{d}", 1, 0)) ? "noise" : "target";

    private static string Id(string documentId, int version, int ordinal) => ChunkIdentity.Create("test", documentId, version, ordinal);

    private static Chunk Chunk(
        string documentId, int version, int ordinal, string text, IReadOnlyDictionary<string, string>? tags = null,
        IReadOnlyList<string>? section = null, DateTimeOffset? date = null) => new()
    {
        SectionPath = section ?? [],
        DocumentDate = date,
        Id = Id(documentId, version, ordinal),
        DocumentId = documentId,
        DocumentVersion = version,
        Ordinal = ordinal,
        Text = text,
        IndexText = text,
        ContentHash = ChunkIdentity.ContentHash(text),
        Tags = tags ?? new Dictionary<string, string>(),
    };
}
