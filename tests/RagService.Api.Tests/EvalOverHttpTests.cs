using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using RagService.Api.Querying;
using RagService.Core.Models;
using RagService.Core.Search;
using RagService.Indexing;
using RagService.Evaluation.Hosting;
using RagService.Evaluation.Retrieval;

namespace RagService.Api.Tests;

/// <summary>
/// What <c>rag eval --http</c> / <c>--url</c> stand on: the real API on Kestrel over a loopback port,
/// the search endpoint's client, and ingestion embedding chunks with the second stage's model.
/// </summary>
public sealed class EvalOverHttpTests : IDisposable
{
    private static readonly (string Id, string Text)[] Documents =
    [
        ("backups", "# Backups\n\nEncrypted backups of the customer database are retained for ninety days in the vault."),
        ("holidays", "# Holidays\n\nEmployees receive twenty-five days of paid holiday a year, plus public holidays."),
        ("laptops", "# Laptops\n\nEvery laptop is replaced after four years or when it fails outside warranty."),
    ];

    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Searches_over_http_rank_exactly_like_the_in_process_service_and_honour_stage_switches()
    {
        await using var server = await LoopbackApiServer.StartAsync(null, Settings(), default);
        Assert.Equal("127.0.0.1", server.BaseAddress.Host);
        Assert.NotEqual(0, server.BaseAddress.Port);
        using var http = server.CreateClient();
        await IngestAsync(http);
        var client = new SearchApiClient(http);

        var info = await client.GetIndexAsync("kb", default);
        Assert.NotNull(info);
        Assert.Equal("minilm", info.EmbeddingModel);
        Assert.Equal(Documents.Length, info.DocumentCount);
        Assert.True(info.VectorCount >= Documents.Length);
        Assert.Null(await client.GetIndexAsync("no-such-index", default));

        var store = server.Services.GetRequiredService<IndexRegistry>().Open("kb")!;
        var search = server.Services.GetRequiredService<SearchService>();
        foreach (var mode in new[] { SearchMode.Bm25, SearchMode.Dense, SearchMode.Hybrid })
        {
            const string query = "how long are database backups kept";
            var overHttp = await client.SearchAsync("kb", query, 10, mode, null, trace: true, default);
            var inProcess = await search.SearchAsync(store, new SearchRequest { Query = query, TopK = 10, Mode = mode }, default);
            Assert.Equal("backups", overHttp.Hits[0].DocumentId);
            Assert.Equal(inProcess.Hits.Select(h => h.Chunk.DocumentId), overHttp.Hits.Select(h => h.DocumentId));
            Assert.Equal(inProcess.Hits.Select(h => h.Scores.FusedScore), overHttp.Hits.Select(h => h.FusedScore));
            Assert.NotNull(overHttp.Trace);
            Assert.Equal(mode.ToString(), overHttp.Trace.Mode, ignoreCase: true);
        }

        // Default hybrid: second stage on, its per-hit scores come back; switched off per request: gone.
        var full = await client.SearchAsync("kb", "paid holiday", 5, SearchMode.Hybrid, null, trace: true, default);
        Assert.Equal("true", full.Trace!.Settings["secondStage"]);
        Assert.Contains("second-stage", full.Hits[0].StageScores!.Keys);
        var plain = await client.SearchAsync("kb", "paid holiday", 5, SearchMode.Hybrid,
            new SearchStages { SecondStage = false, PseudoRelevanceFeedback = false, Fusion = "rrf" }, trace: true, default);
        Assert.Equal("false", plain.Trace!.Settings["secondStage"]);
        Assert.Equal("false", plain.Trace.Settings["pseudoRelevanceFeedback"]);
        Assert.Equal("rrf", plain.Trace.Settings["fusion"]);
        Assert.All(plain.Hits, h => Assert.False(h.StageScores?.ContainsKey("second-stage") ?? false));
        Assert.Equal("holidays", plain.Hits[0].DocumentId);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.SearchAsync("no-such-index", "x", 5, SearchMode.Hybrid, null, false, default));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task Ingestion_embeds_every_chunk_with_the_second_stage_model_so_search_finds_them_cached()
    {
        await using (var server = await LoopbackApiServer.StartAsync(null, Settings(), default))
        {
            using var http = server.CreateClient();
            await IngestAsync(http);
            var store = server.Services.GetRequiredService<IndexRegistry>().Open("kb")!;
            var texts = new List<string>();
            foreach (var document in Documents)
            {
                texts.AddRange((await store.Chunks.GetChunksAsync(document.Id, CancellationToken.None)).Select(c => c.IndexText));
            }

            Assert.Equal(Documents.Length, texts.Count);

            // Every chunk's indexed text is in the cache under the second model (ArcticXs: the index uses MiniLM), as a document.
            var cached = CachedHashes("arctic-xs", EmbeddingPurpose.Document);
            Assert.All(texts, t => Assert.Contains(Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(t))), cached));
        }

        // Configured off (or no second model): ingestion leaves the second model alone.
        var other = _dir.File("data-off");
        await using (var server = await LoopbackApiServer.StartAsync(null, Settings(other, ("Retrieval:SecondStageModel", "none")), default))
        {
            using var http = server.CreateClient();
            await IngestAsync(http);
        }

        Assert.Empty(CachedHashes("arctic-xs", EmbeddingPurpose.Document, other));
    }

    private Dictionary<string, string?> Settings(string? data = null, params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Rag:DataDirectory"] = data ?? _dir.File("data"),
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }

    private async Task IngestAsync(HttpClient http)
    {
        (await http.PutAsJsonAsync("/v1/indexes/kb", new { })).EnsureSuccessStatusCode();
        var files = new List<(string, string?)>();
        foreach (var (id, text) in Documents)
        {
            var path = _dir.File(id + ".md");
            await File.WriteAllTextAsync(path, text);
            files.Add((path, id));
        }

        await RagApiHost.UploadAsync(http, "kb", [.. files]);
        foreach (var (id, _) in Documents)
        {
            Assert.Equal("ready", (await RagApiHost.WaitForFinalAsync(http, "kb", id)).GetProperty("status").GetString());
        }
    }

    private HashSet<string> CachedHashes(string model, EmbeddingPurpose purpose, string? data = null)
    {
        var path = Path.Combine(data ?? _dir.File("data"), "cache", "embeddings.db");
        var hashes = new HashSet<string>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return hashes;
        }

        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT text_sha256 FROM embeddings WHERE model = $model AND purpose = $purpose";
        command.Parameters.AddWithValue("$model", model);
        command.Parameters.AddWithValue("$purpose", (int)purpose);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            hashes.Add(Convert.ToHexString((byte[])reader[0]));
        }

        return hashes;
    }

    public void Dispose() => _dir.Dispose();
}
