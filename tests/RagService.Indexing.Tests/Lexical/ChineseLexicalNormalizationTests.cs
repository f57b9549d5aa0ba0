using RagService.Core.Chunks;
using RagService.Core.Indexes;
using RagService.Indexing.Lexical.Lucene;
using RagService.TestSupport.Conformance;

namespace RagService.Indexing.Tests.Lexical;

/// <summary>Traditional and Simplified characters, full-width forms and mixed Chinese–English terms match each other in every Chinese analyzer.</summary>
public sealed class ChineseLexicalNormalizationTests : IDisposable
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    private readonly TempFolder _folder = new("rag-lucene-zh-");

    [Fact]
    public void The_normalizer_folds_full_width_forms_and_traditional_characters()
    {
        Assert.Equal("K8s 集群 API 网关", ChineseTextNormalizer.Normalize("Ｋ８ｓ　集羣 ＡＰＩ 網關"));
        Assert.Equal("数据库备份", ChineseTextNormalizer.Normalize("數據庫備份"));
        Assert.True(ChineseTextNormalizer.MappedCharacters > 2000);
    }

    [Theory]
    [InlineData("smartcn")]
    [InlineData("bigram")]
    [InlineData("both")]
    public async Task Queries_find_chunks_written_in_the_other_form(string analyzer)
    {
        using var index = new LuceneLexicalIndex(_folder.Path, new LuceneLexicalIndexOptions { ChineseAnalyzer = analyzer });
        await index.ReplaceDocumentAsync("gateway", 1, [Chunk("gateway", "API网关负责鉴权和限流，所有外部请求先经过网关。")], Ct);
        await index.ReplaceDocumentAsync("k8s", 1, [Chunk("k8s", "K8s集群的节点扩容需要先检查配额。")], Ct);
        await index.ReplaceDocumentAsync("db", 1, [Chunk("db", "數據庫集群每天凌晨備份一次。")], Ct);
        await index.ReplaceDocumentAsync("other", 1, [Chunk("other", "员工手册规定了请假流程和报销流程。")], Ct);
        await index.CommitAsync(Ct);

        Assert.Equal("gateway", await TopDocumentAsync(index, "API 网关"));
        Assert.Equal("gateway", await TopDocumentAsync(index, "ＡＰＩ 網關"));
        Assert.Equal("k8s", await TopDocumentAsync(index, "K8s 集群"));
        Assert.Equal("k8s", await TopDocumentAsync(index, "ｋ８ｓ集羣"));
        Assert.Equal("db", await TopDocumentAsync(index, "数据库备份"));
    }

    public void Dispose() => _folder.Dispose();

    private static async Task<string> TopDocumentAsync(LuceneLexicalIndex index, string query)
    {
        var hits = await index.SearchAsync(query, 5, SearchFilter.None, Ct);
        Assert.NotEmpty(hits);
        return new[] { "gateway", "k8s", "db", "other" }.Single(d => hits[0].ChunkId == ConformanceChunks.Id(d, 1, 0));
    }

    private static Chunk Chunk(string documentId, string text) => ConformanceChunks.Make(documentId, 1, 0, text, null, null, null);
}
