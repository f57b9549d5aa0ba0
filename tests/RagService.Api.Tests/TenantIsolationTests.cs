using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace RagService.Api.Tests;

/// <summary>
/// Tenants through real HTTP: another tenant's index is 404 on every route (never 403), the index list shows
/// the caller's tenant only, storage is separate on disk, and restricted documents never crowd a permitted
/// one out of a short result list (the ACL filter works inside each retriever, not on its top-K).
/// </summary>
public sealed class TenantIsolationTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Another_tenants_index_is_not_found_on_every_route_and_lives_in_its_own_folder()
    {
        await using var host = new RagApiHost(_dir.File("data"));
        var system = host.CreateClient();
        await SecurityHttp.CreateTenantAsync(system, "acme");
        await SecurityHttp.CreateTenantAsync(system, "globex");
        var acme = host.ClientWithKey(await SecurityHttp.CreateKeyAsync(system, "acme", "admin"));
        var globex = host.ClientWithKey(await SecurityHttp.CreateKeyAsync(system, "globex", "admin"));
        await host.CreateIndexAsync(acme, "acme-only");
        await host.CreateIndexAsync(system, "shared-name");

        (HttpMethod Method, string Path, object? Body)[] routes =
        [
            (HttpMethod.Get, "/v1/indexes/acme-only", null),
            (HttpMethod.Delete, "/v1/indexes/acme-only", null),
            (HttpMethod.Get, "/v1/indexes/acme-only/documents", null),
            (HttpMethod.Post, "/v1/indexes/acme-only/documents", null),
            (HttpMethod.Get, "/v1/indexes/acme-only/documents/d", null),
            (HttpMethod.Get, "/v1/indexes/acme-only/documents/d/chunks", null),
            (HttpMethod.Delete, "/v1/indexes/acme-only/documents/d", null),
            (HttpMethod.Patch, "/v1/indexes/acme-only/documents/d", new { acl = new[] { "tenant" } }),
            (HttpMethod.Post, "/v1/indexes/acme-only/search", new { query = "anything" }),
            (HttpMethod.Post, "/v1/indexes/acme-only/ask", new { question = "anything?" }),
        ];
        foreach (var (method, path, body) in routes)
        {
            var (status, _) = await SecurityHttp.SendAsync(globex, method, path, body);
            Assert.True(status == 404, $"{method} {path}: {status}");
        }

        Assert.Equal(["acme-only"], await NamesAsync(acme));
        Assert.Empty(await NamesAsync(globex));
        Assert.Equal(["shared-name"], await NamesAsync(system));
        Assert.True(Directory.Exists(Path.Combine(host.DataDirectory, "tenants", "acme", "indexes", "acme-only")));
        Assert.True(Directory.Exists(Path.Combine(host.DataDirectory, "indexes", "shared-name")));
        Assert.True(host.Registry.Exists("acme-only", "acme"));
        Assert.False(host.Registry.Exists("acme-only"));
    }

    [Fact]
    public async Task Restricted_documents_never_crowd_out_the_one_a_reader_may_see()
    {
        await using var host = new RagApiHost(_dir.File("data"));
        var admin = host.CreateClient();
        await host.CreateIndexAsync(admin, "kb");
        var reader = host.ClientWithKey(await SecurityHttp.CreateKeyAsync(admin, "default", "reader", "bob"));
        using var form = new MultipartFormDataContent();
        for (var i = 0; i < 30; i++)
        {
            // Restricted and the best matches: each says the query's words several times.
            Add(form, $"secret-{i}", $"# Reactor coolant pump {i}\n\nReactor coolant pump maintenance: the reactor coolant pump seal {i} is inspected weekly.\n", "group:plant");
        }

        Add(form, "visible", "# Site guide\n\nVisitors park on level two. The reactor tour starts at noon.\n", "tenant");
        (await admin.PostAsync("/v1/indexes/kb/documents", form)).EnsureSuccessStatusCode();
        Assert.Equal("ready", (await RagApiHost.WaitForFinalAsync(admin, "kb", "visible")).GetProperty("status").GetString());
        for (var i = 0; i < 30; i++)
        {
            await RagApiHost.WaitForFinalAsync(admin, "kb", $"secret-{i}");
        }

        foreach (var mode in new[] { "bm25", "dense", "hybrid" })
        {
            var hits = (await RagApiHost.SearchAsync(reader, "kb", new { query = "reactor coolant pump maintenance", topK = 1, mode })).GetProperty("hits");
            Assert.Equal(1, hits.GetArrayLength());
            Assert.Equal("visible", hits[0].GetProperty("chunk").GetProperty("documentId").GetString());
            var adminTop = (await RagApiHost.SearchAsync(admin, "kb", new { query = "reactor coolant pump maintenance", topK = 1, mode })).GetProperty("hits")[0];
            Assert.StartsWith("secret-", adminTop.GetProperty("chunk").GetProperty("documentId").GetString(), StringComparison.Ordinal);
        }
    }

    private static void Add(MultipartFormDataContent form, string id, string markdown, string acl)
    {
        var content = new StringContent(markdown);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/markdown");
        form.Add(content, "files", id + ".md");
        form.Add(new StringContent(id), "documentId");
        form.Add(new StringContent(acl), "acl");
    }

    private static async Task<List<string?>> NamesAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement>("/v1/indexes")).GetProperty("indexes").EnumerateArray().Select(i => i.GetProperty("name").GetString()).ToList();

    public void Dispose() => _dir.Dispose();
}
