using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RagService.Api.Hosting;
using RagService.Indexing;
using RagService.Indexing.Maintenance;

namespace RagService.Api.Tests;

/// <summary>
/// Backups: a snapshot taken while searches run comes back as a new index that answers exactly as the original did;
/// a tenant's snapshot is kept under that tenant and comes back into that tenant's folder.
/// </summary>
public sealed class SnapshotTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task A_snapshot_taken_during_searches_restores_as_a_new_index_with_the_same_results()
    {
        var data = _dir.File("data");
        string[] queries = ["capacitor firmware", "help desk weekdays", "walrus migration"];
        var before = new List<string>();
        string snapshot;
        await using (var host = new RagApiHost(data))
        {
            var client = host.CreateClient();
            await host.CreateIndexAsync(client, "kb");
            var files = new List<(string, string?)>();
            foreach (var (id, text) in new[]
            {
                ("notes", "# Release notes\n\nThe flux capacitor ships with firmware zebraquartz.\n"),
                ("support", "# Support\n\nCall the help desk on weekdays between nine and five.\n"),
                ("field", "# Field report\n\nThe walrus migration passed the northern station in March.\n"),
            })
            {
                var path = _dir.File(id + ".md");
                await File.WriteAllTextAsync(path, text);
                files.Add((path, id));
            }

            await RagApiHost.UploadAsync(client, "kb", [.. files]);
            foreach (var (_, id) in files)
            {
                await RagApiHost.WaitForFinalAsync(client, "kb", id!);
            }

            foreach (var query in queries)
            {
                before.Add(Hits(await RagApiHost.SearchAsync(client, "kb", new { query, topK = 5 })));
            }

            using var stop = new CancellationTokenSource();
            var statuses = new System.Collections.Concurrent.ConcurrentBag<HttpStatusCode>();
            var searching = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    statuses.Add((await client.PostAsJsonAsync("/v1/indexes/kb/search", new { query = "capacitor" })).StatusCode);
                }
            });

            var response = await client.PostAsync("/v1/indexes/kb/snapshot", null);
            await stop.CancelAsync();
            await searching;
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            var info = await response.Content.ReadFromJsonAsync<JsonElement>(RagApiHost.Json);
            Assert.Equal(3, info.GetProperty("documents").GetInt32());
            snapshot = info.GetProperty("path").GetString()!;
            Assert.StartsWith(Path.Combine(Path.GetFullPath(data), "snapshots", "kb-"), snapshot, StringComparison.Ordinal);
            Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        }

        using (var registry = new IndexRegistry(data, EmbeddedBackends.Create()))
        {
            var restored = IndexSnapshots.Restore(registry, snapshot, "kb-restored");
            var upload = await restored.Jobs.GetUploadAsync("notes", CancellationToken.None);
            Assert.StartsWith(registry.BlobFolder("kb-restored"), upload!.BlobPath, StringComparison.Ordinal);
            Assert.True(File.Exists(upload.BlobPath));
            Assert.Throws<ArgumentException>(() => IndexSnapshots.Restore(registry, snapshot, "kb-restored"));
        }

        await using (var host = new RagApiHost(data))
        {
            var client = host.CreateClient();
            var after = new List<string>();
            foreach (var query in queries)
            {
                after.Add(Hits(await RagApiHost.SearchAsync(client, "kb-restored", new { query, topK = 5 })));
            }

            Assert.Equal(before, after);
            Assert.NotEmpty(before[0]);
        }
    }

    [Fact]
    public async Task A_tenants_snapshot_is_written_under_its_tenant_and_restores_into_that_tenant_only()
    {
        var data = _dir.File("data");
        string acmeKey;
        string snapshot;
        await using (var host = new RagApiHost(data))
        {
            var system = host.CreateClient();
            await SecurityHttp.CreateTenantAsync(system, "acme");
            acmeKey = await SecurityHttp.CreateKeyAsync(system, "acme", "admin");
            var acme = host.ClientWithKey(acmeKey);
            await host.CreateIndexAsync(acme, "kb");
            var path = _dir.File("notes.md");
            await File.WriteAllTextAsync(path, "# Release notes\n\nThe flux capacitor ships with firmware zebraquartz.\n");
            await RagApiHost.UploadAsync(acme, "kb", (path, "notes"));
            await RagApiHost.WaitForFinalAsync(acme, "kb", "notes");

            // The default tenant has no index 'kb': the system admin's own requests act there.
            Assert.Equal(HttpStatusCode.NotFound, (await system.PostAsync("/v1/indexes/kb/snapshot", null)).StatusCode);
            var response = await acme.PostAsync("/v1/indexes/kb/snapshot", null);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            snapshot = (await response.Content.ReadFromJsonAsync<JsonElement>(RagApiHost.Json)).GetProperty("path").GetString()!;
            Assert.StartsWith(Path.Combine(Path.GetFullPath(data), "snapshots", "tenants", "acme", "kb-"), snapshot, StringComparison.Ordinal);
        }

        using (var registry = new IndexRegistry(data, EmbeddedBackends.Create()))
        {
            var restored = IndexSnapshots.Restore(registry, snapshot, "kb-restored", "acme");
            var upload = await restored.Jobs.GetUploadAsync("notes", CancellationToken.None);
            Assert.StartsWith(Path.Combine(Path.GetFullPath(data), "tenants", "acme", "indexes", "kb-restored", "blobs"), upload!.BlobPath, StringComparison.Ordinal);
            Assert.True(File.Exists(upload.BlobPath));
            Assert.Equal("acme", restored.Tenant);
            Assert.False(registry.Exists("kb-restored"));
            Assert.Throws<ArgumentException>(() => IndexSnapshots.Restore(registry, snapshot, "kb-restored", "acme"));
        }

        await using (var host = new RagApiHost(data))
        {
            var hits = await RagApiHost.SearchAsync(host.ClientWithKey(acmeKey), "kb-restored", new { query = "zebraquartz", topK = 5 });
            Assert.Equal("notes", hits.GetProperty("hits")[0].GetProperty("chunk").GetProperty("documentId").GetString());
            Assert.Equal(HttpStatusCode.NotFound, (await host.CreateClient().PostAsJsonAsync("/v1/indexes/kb-restored/search", new { query = "zebraquartz" })).StatusCode);
        }
    }

    /// <summary>The ranked hits as "chunk id:score" lines.</summary>
    private static string Hits(JsonElement response) => string.Join('\n', response.GetProperty("hits").EnumerateArray()
        .Select(h => $"{h.GetProperty("chunk").GetProperty("chunkId").GetString()}:{h.GetProperty("score").GetDouble():0.######}"));

    public void Dispose() => _dir.Dispose();
}
