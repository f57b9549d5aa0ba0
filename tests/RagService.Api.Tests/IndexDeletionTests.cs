using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace RagService.Api.Tests;

/// <summary>
/// Deleting an index while the ingestion worker writes to it and clients upload to it (the reported
/// "500 Directory not empty"): the delete waits for the batch in progress, answers 204, leaves no folder
/// behind, and no other request answers 5xx; the name can be created again and the service ingests on.
/// </summary>
public sealed class IndexDeletionTests : IDisposable
{
    private const int Rounds = 3;
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Deleting_an_index_during_ingestion_answers_204_and_the_service_ingests_on()
    {
        var data = _dir.File("data");
        await using var host = new RagApiHost(data, new Dictionary<string, string?> { ["Rag:MaxDocumentsPerCommit"] = "4" });
        var client = host.CreateClient();
        var files = Enumerable.Range(0, 30).Select(WriteDocument).ToList();

        for (var round = 0; round < Rounds; round++)
        {
            (await client.PutAsJsonAsync("/v1/indexes/busy", new { })).EnsureSuccessStatusCode();
            await RagApiHost.UploadAsync(client, "busy", [.. files.Take(20).Select(f => (f, (string?)null))]);

            // Clients keep uploading while the index goes away: each answers 202 (before) or 404 (after), never 5xx.
            var answers = new ConcurrentBag<HttpStatusCode>();
            using var stop = new CancellationTokenSource();
            var uploaders = Enumerable.Range(0, 2).Select(u => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    using var response = await RagApiHost.PostFilesAsync(client, "busy", [], (files[20 + ((u * 5 + i) % 10)], $"late-{u}-{i}"));
                    answers.Add(response.StatusCode);
                }
            })).ToList();

            // Delete while the worker is mid-batch: some documents done, others still waiting or running.
            await WaitUntilAsync(async () => (await CountsAsync(client, "busy")) is { } c && c.GetProperty("ready").GetInt32() > 0);
            using var deleted = await client.DeleteAsync("/v1/indexes/busy");
            Assert.True(deleted.StatusCode == HttpStatusCode.NoContent, $"Round {round}: DELETE answered {(int)deleted.StatusCode}: {await deleted.Content.ReadAsStringAsync()}");

            await WaitUntilAsync(() => Task.FromResult(answers.Contains(HttpStatusCode.NotFound)));
            await stop.CancelAsync();
            await Task.WhenAll(uploaders);
            Assert.All(answers, s => Assert.True(s is HttpStatusCode.Accepted or HttpStatusCode.NotFound, $"An upload answered {(int)s}."));
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/v1/indexes/busy")).StatusCode);
        }

        Assert.False(Directory.Exists(Path.Combine(data, "indexes", "busy", "lexical")), "The deleted index's BM25 folder is still there.");
        Assert.False(File.Exists(Path.Combine(data, "indexes", "busy", "catalog.db")), "The deleted index's catalog is still there.");
        // The folders moved to the trash are removed in the background.
        var trash = Path.Combine(data, ".trash");
        await WaitUntilAsync(() => Task.FromResult(!Directory.Exists(trash) || !Directory.EnumerateFileSystemEntries(trash).Any()));

        // The same name again is a new, empty index, and the worker (still alive) ingests into it.
        (await client.PutAsJsonAsync("/v1/indexes/busy", new { })).EnsureSuccessStatusCode();
        Assert.Equal(0, (await CountsAsync(client, "busy"))!.Value.GetProperty("total").GetInt32());
        await RagApiHost.UploadAsync(client, "busy", (files[0], "again"));
        Assert.Equal("ready", (await RagApiHost.WaitForFinalAsync(client, "busy", "again")).GetProperty("status").GetString());
        var hits = await RagApiHost.SearchAsync(client, "busy", new { query = "quillwort0", mode = "bm25" });
        Assert.Equal("again", hits.GetProperty("hits")[0].GetProperty("chunk").GetProperty("documentId").GetString());
        Assert.Equal("Healthy", await (await client.GetAsync("/health")).Content.ReadAsStringAsync());
    }

    private string WriteDocument(int i)
    {
        var path = _dir.File($"doc-{i}.md");
        var body = string.Join("\n\n", Enumerable.Range(0, 30).Select(p => $"Paragraph {p} of note {i}: the quillwort{i} survey counted {p * 7 + i} plants near the river bend."));
        File.WriteAllText(path, $"# Field note {i}\n\n{body}\n");
        return path;
    }

    private static async Task<JsonElement?> CountsAsync(HttpClient client, string index)
    {
        using var response = await client.GetAsync($"/v1/indexes/{index}");
        return response.IsSuccessStatusCode
            ? (await response.Content.ReadFromJsonAsync<JsonElement>(RagApiHost.Json)).GetProperty("documents")
            : null;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "Timed out waiting.");
            await Task.Delay(20);
        }
    }

    public void Dispose() => _dir.Dispose();
}
