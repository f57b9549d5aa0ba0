using System.Net.Http.Json;
using System.Text.Json;
using RagService.TestSupport.Onnx;

namespace RagService.Api.Tests;

/// <summary>
/// Issue 14 through HTTP: Chinese documents in an index built with an English model are indexed lexically
/// only and its hybrid search skips the dense leg, saying so; an index created with a Chinese model (a tiny
/// generated Chinese word-piece ONNX model standing in for bge-small-zh in the model cache) embeds them and
/// its dense search finds them.
/// </summary>
public sealed class LanguageCoverageApiTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task An_english_model_index_keeps_chinese_lexical_and_a_chinese_model_index_embeds_it()
    {
        var cache = _dir.File("models");
        TinyChineseEmbeddingModel.Write(Path.Combine(cache, "bge-small-zh"), width: 512);
        await using var host = new RagApiHost(_dir.File("data"), new Dictionary<string, string?>
        {
            ["Rag:ModelCacheDirectory"] = cache,
            ["Retrieval:SecondStageModel"] = "none",
        });
        var client = host.CreateClient();
        (await client.PutAsJsonAsync("/v1/indexes/zh", new { embeddingModel = "bge-small-zh" })).EnsureSuccessStatusCode();
        await host.CreateIndexAsync(client, "en");
        var backup = _dir.File("backup.md");
        var gateway = _dir.File("gateway.md");
        await File.WriteAllTextAsync(backup, "# 备份\n\n数据库备份保留九十天。");
        await File.WriteAllTextAsync(gateway, "# 网关\n\nAPI网关负责鉴权。");
        foreach (var index in new[] { "zh", "en" })
        {
            await RagApiHost.UploadAsync(client, index, (backup, "backup"), (gateway, "gateway"));
            foreach (var id in new[] { "backup", "gateway" })
            {
                Assert.Equal("ready", (await RagApiHost.WaitForFinalAsync(client, index, id)).GetProperty("status").GetString());
            }
        }

        var zhChunk = await FirstChunkAsync(client, "zh", "backup");
        var enChunk = await FirstChunkAsync(client, "en", "backup");
        Assert.Equal("zh", zhChunk.GetProperty("language").GetString());
        Assert.False(zhChunk.GetProperty("lexicalOnly").GetBoolean());
        Assert.True(enChunk.GetProperty("lexicalOnly").GetBoolean());

        var dense = await RagApiHost.SearchAsync(client, "zh", new { query = "数据库备份保留天数", mode = "dense", topK = 2 });
        Assert.Equal("backup", Hits(dense)[0]);

        var english = await RagApiHost.SearchAsync(client, "en", new { query = "数据库备份保留天数", topK = 2, trace = true });
        var chinese = await RagApiHost.SearchAsync(client, "zh", new { query = "数据库备份保留天数", topK = 2, trace = true });
        Assert.Equal("backup", Hits(english)[0]);
        Assert.Contains("dense skipped: minilm does not cover zh", Step(english, "language"), StringComparison.Ordinal);
        Assert.Equal("language=zh", Step(chinese, "language"));
        Assert.True(chinese.GetProperty("trace").GetProperty("denseCandidates").GetInt32() > 0);
    }

    /// <summary>
    /// Issue 14, "bring a multilingual model": an index created with multilingual-e5-small (a tiny generated
    /// SentencePiece Unigram model and XLM-R-style ONNX graph in the model cache) embeds Chinese and English
    /// chunks alike, and each language's queries reach their documents through the dense leg.
    /// </summary>
    [Fact]
    public async Task An_index_created_with_a_sentencepiece_multilingual_model_embeds_and_finds_both_languages()
    {
        var cache = _dir.File("models");
        TinySentencePieceModel.Write(Path.Combine(cache, "multilingual-e5-small"), width: 384);
        await using var host = new RagApiHost(_dir.File("data"), new Dictionary<string, string?>
        {
            ["Rag:ModelCacheDirectory"] = cache,
            ["Retrieval:SecondStageModel"] = "none",
        });
        var client = host.CreateClient();
        (await client.PutAsJsonAsync("/v1/indexes/mixed", new { embeddingModel = "multilingual-e5-small" })).EnsureSuccessStatusCode();
        var documents = new Dictionary<string, string>
        {
            ["zh-backup"] = "# 备份\n\n数据库备份保留九十天。",
            ["zh-gateway"] = "# 网关\n\n网关负责鉴权。",
            ["en-backup"] = "# Backup\n\nthe database keeps backup days",
            ["en-gateway"] = "# Gateway\n\nthe API gateway checks",
        };
        var files = new List<(string, string?)>();
        foreach (var (id, text) in documents)
        {
            var path = _dir.File(id + ".md");
            await File.WriteAllTextAsync(path, text);
            files.Add((path, id));
        }

        await RagApiHost.UploadAsync(client, "mixed", [.. files]);
        foreach (var id in documents.Keys)
        {
            Assert.Equal("ready", (await RagApiHost.WaitForFinalAsync(client, "mixed", id)).GetProperty("status").GetString());
        }

        var chinese = await FirstChunkAsync(client, "mixed", "zh-backup");
        Assert.Equal("zh", chinese.GetProperty("language").GetString());
        Assert.False(chinese.GetProperty("lexicalOnly").GetBoolean());
        Assert.False((await FirstChunkAsync(client, "mixed", "en-backup")).GetProperty("lexicalOnly").GetBoolean());

        Assert.Equal("zh-backup", Hits(await RagApiHost.SearchAsync(client, "mixed", new { query = "数据库备份", mode = "dense", topK = 4 }))[0]);
        Assert.Equal("en-backup", Hits(await RagApiHost.SearchAsync(client, "mixed", new { query = "database backup", mode = "dense", topK = 4 }))[0]);
        Assert.Equal("zh-gateway", Hits(await RagApiHost.SearchAsync(client, "mixed", new { query = "网关鉴权", mode = "dense", topK = 4 }))[0]);

        var hybrid = await RagApiHost.SearchAsync(client, "mixed", new { query = "数据库备份保留", topK = 4, trace = true });
        Assert.Equal("zh-backup", Hits(hybrid)[0]);
        Assert.Equal("language=zh", Step(hybrid, "language"));
        Assert.True(hybrid.GetProperty("trace").GetProperty("denseCandidates").GetInt32() > 0);
    }

    public void Dispose() => _dir.Dispose();

    private static async Task<JsonElement> FirstChunkAsync(HttpClient client, string index, string documentId) =>
        (await client.GetFromJsonAsync<JsonElement>($"/v1/indexes/{index}/documents/{documentId}/chunks", RagApiHost.Json)).GetProperty("chunks")[0];

    private static List<string?> Hits(JsonElement search) =>
        search.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("chunk").GetProperty("documentId").GetString()).ToList();

    private static string Step(JsonElement search, string stage) =>
        search.GetProperty("trace").GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("stage").GetString() == stage).GetProperty("detail").GetString()!;
}
