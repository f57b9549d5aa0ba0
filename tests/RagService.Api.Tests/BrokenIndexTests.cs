using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace RagService.Api.Tests;

/// <summary>
/// A broken index is one broken index: damaged on disk while the service was stopped, it is reported
/// (health degraded, <c>"health":"broken"</c>, 503 on its routes) and never served as if whole, while the
/// other index of the same service answers normally.
/// </summary>
public sealed class BrokenIndexTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public static TheoryData<string> Damages => new() { "segments file lost", "all segment files lost", "vector file lost", "catalog from a newer version" };

    [Theory]
    [MemberData(nameof(Damages))]
    public async Task A_damaged_index_answers_503_with_the_reason_while_the_other_index_serves(string damage)
    {
        var data = _dir.File("data");
        await IngestTwoIndexesAsync(data);
        Damage(Path.Combine(data, "indexes", "broken"), damage);

        await using var host = new RagApiHost(data);
        var client = host.CreateClient();

        var health = await client.GetAsync("/health");
        Assert.Equal("Degraded", await health.Content.ReadAsStringAsync());

        var info = await client.GetFromJsonAsync<JsonElement>("/v1/indexes/broken", RagApiHost.Json);
        Assert.Equal("broken", info.GetProperty("health").GetString());
        Assert.False(string.IsNullOrWhiteSpace(info.GetProperty("error").GetString()));
        var list = await client.GetFromJsonAsync<JsonElement>("/v1/indexes", RagApiHost.Json);
        Assert.Equal(new[] { "broken", "ok" }, list.GetProperty("indexes").EnumerateArray().Select(i => i.GetProperty("health").GetString()!).ToArray());

        var search = await client.PostAsJsonAsync("/v1/indexes/broken/search", new { query = "capacitor firmware" });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, search.StatusCode);
        Assert.Equal("application/problem+json", search.Content.Headers.ContentType?.MediaType);
        var problem = await search.Content.ReadFromJsonAsync<JsonElement>(RagApiHost.Json);
        Assert.Contains("broken", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/v1/indexes/broken/documents")).StatusCode);

        var other = await RagApiHost.SearchAsync(client, "fine", new { query = "capacitor firmware", mode = "bm25" });
        Assert.Equal("notes", other.GetProperty("hits")[0].GetProperty("chunk").GetProperty("documentId").GetString());
    }

    [Fact]
    public async Task An_index_is_healthy_after_a_plain_restart()
    {
        var data = _dir.File("data");
        await IngestTwoIndexesAsync(data);

        await using var host = new RagApiHost(data);
        var client = host.CreateClient();
        Assert.Equal("Healthy", await (await client.GetAsync("/health")).Content.ReadAsStringAsync());
        var info = await client.GetFromJsonAsync<JsonElement>("/v1/indexes/broken", RagApiHost.Json);
        Assert.Equal("ok", info.GetProperty("health").GetString());
        var hits = await RagApiHost.SearchAsync(client, "broken", new { query = "capacitor firmware", mode = "bm25" });
        Assert.NotEmpty(hits.GetProperty("hits").EnumerateArray());
    }

    [Fact]
    public async Task Deleting_an_index_while_searches_run_on_it_answers_each_search_200_or_404()
    {
        var data = _dir.File("data");
        await using var host = new RagApiHost(data);
        var client = host.CreateClient();
        await IngestAsync(client, "kb");

        using var stop = new CancellationTokenSource();
        var statuses = new System.Collections.Concurrent.ConcurrentBag<HttpStatusCode>();
        var searchers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var response = await client.PostAsJsonAsync("/v1/indexes/kb/search", new { query = "capacitor firmware" });
                statuses.Add(response.StatusCode);
            }
        })).ToList();

        while (!statuses.Contains(HttpStatusCode.OK))
        {
            await Task.Delay(10);
        }

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/v1/indexes/kb")).StatusCode);
        while (statuses.Count(s => s == HttpStatusCode.NotFound) < 4)
        {
            await Task.Delay(10);
        }

        await stop.CancelAsync();
        await Task.WhenAll(searchers);
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.NotFound, $"A search answered {s}."));
        Assert.Equal("Healthy", await (await client.GetAsync("/health")).Content.ReadAsStringAsync());
    }

    private async Task IngestTwoIndexesAsync(string data)
    {
        await using var host = new RagApiHost(data);
        var client = host.CreateClient();
        await IngestAsync(client, "broken");
        await IngestAsync(client, "fine");
    }

    private async Task IngestAsync(HttpClient client, string index)
    {
        (await client.PutAsJsonAsync($"/v1/indexes/{index}", new { })).EnsureSuccessStatusCode();
        var file = _dir.File($"notes-{index}.md");
        await File.WriteAllTextAsync(file, "# Release notes\n\nThe flux capacitor ships with firmware zebraquartz.\n\n# Support\n\nCall the help desk on weekdays.\n");
        await RagApiHost.UploadAsync(client, index, (file, "notes"));
        Assert.Equal("ready", (await RagApiHost.WaitForFinalAsync(client, index, "notes")).GetProperty("status").GetString());
    }

    /// <summary>Damages the stopped index's files as a disk fault or a careless operator would.</summary>
    private static void Damage(string folder, string damage)
    {
        switch (damage)
        {
            case "segments file lost":
                Assert.NotEmpty(Directory.GetFiles(Path.Combine(folder, "lexical"), "segments_*"));
                foreach (var file in Directory.GetFiles(Path.Combine(folder, "lexical"), "segments_*"))
                {
                    File.Delete(file);
                }

                break;
            case "all segment files lost":
                foreach (var file in Directory.GetFiles(Path.Combine(folder, "lexical")))
                {
                    File.Delete(file);
                }

                break;
            case "vector file lost":
                var vectors = Directory.GetFiles(Path.Combine(folder, "vectors"), "*.usearch");
                Assert.NotEmpty(vectors);
                File.Delete(vectors[0]);
                break;
            case "catalog from a newer version":
                using (var connection = new SqliteConnection($"Data Source={Path.Combine(folder, "catalog.db")};Pooling=False"))
                {
                    connection.Open();
                    using var cmd = connection.CreateCommand();
                    cmd.CommandText = "PRAGMA user_version = 99";
                    cmd.ExecuteNonQuery();
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(damage), damage, null);
        }
    }

    public void Dispose() => _dir.Dispose();
}
