using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace RagService.Api.Tests;

/// <summary>
/// The promise of document permissions, probed through real HTTP: two tenants, readers with and without the
/// right group, restricted documents that carry marker words, and every route asked for them (search in each
/// mode with topK 1000, ask with each context expansion, list, status, chunks, delete, PATCH, upload over them).
/// Every appearance of a marker or a hidden document id in any response body is a leak; the suite counts them
/// and asserts zero. Positive controls prove the probes would have seen the markers.
/// </summary>
public sealed class LeakSuiteTests : IDisposable
{
    // Markers that only the hidden documents contain; never sent in a query, so an echo cannot be mistaken for a leak.
    private const string FinanceSecret = "ultramarinepayload";
    private const string AliceSecret = "vermilionpayload";
    private const string GlobexSecret = "chartreusepayload";

    private static readonly string[] Modes = ["bm25", "dense", "hybrid"];
    private static readonly string[] Contexts = ["none", "neighbours", "section"];
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task No_route_shows_a_caller_text_from_a_document_it_may_not_open()
    {
        var data = _dir.File("data");
        await using (var host = new RagApiHost(data))
        {
            var system = host.CreateClient();
            await SecurityHttp.CreateTenantAsync(system, "acme");
            await SecurityHttp.CreateTenantAsync(system, "globex");
            var acmeAdmin = host.ClientWithKey(await SecurityHttp.CreateKeyAsync(system, "acme", "admin"));
            var globexAdmin = host.ClientWithKey(await SecurityHttp.CreateKeyAsync(system, "globex", "admin"));
            var ingester = host.ClientWithKey(await SecurityHttp.CreateKeyAsync(acmeAdmin, "acme", "ingester", "bot"));
            var alice = host.ClientWithKey(await SecurityHttp.CreateKeyAsync(acmeAdmin, "acme", "reader", "alice", ["finance"]));
            var bob = host.ClientWithKey(await SecurityHttp.CreateKeyAsync(acmeAdmin, "acme", "reader", "bob", ["sales"]));

            // Both tenants name their index "kb": names are unique per tenant only.
            await host.CreateIndexAsync(acmeAdmin, "kb");
            await host.CreateIndexAsync(globexAdmin, "kb");
            var twin = Doc("Parking policy", "Visitors park on level two and register their plate at the front desk.");
            var acl = new Dictionary<string, string> { ["fin-plan"] = "group:finance", ["alice-notes"] = "user:alice", ["hr-twin"] = "group:hr" };
            await UploadAsync(ingester, "kb", acl,
                ("travel", Doc("Travel policy", "Employees book economy class travel for every trip under six hours.")),
                ("fin-plan", Doc("Budget policy", $"The confidential budget policy sets the reserve. Codeword {FinanceSecret} marks the acquisition budget.")),
                ("alice-notes", Doc("Review policy", $"The personal review policy note for alice. Codeword {AliceSecret} marks the salary review.")),
                ("parking", twin));
            await UploadAsync(globexAdmin, "kb", new Dictionary<string, string>(), ("globex-plan", Doc("Budget policy", $"Globex budget policy. Codeword {GlobexSecret} marks the merger budget.")));
            foreach (var id in new[] { "travel", "fin-plan", "alice-notes", "parking" })
            {
                Assert.Equal("ready", (await RagApiHost.WaitForFinalAsync(acmeAdmin, "kb", id)).GetProperty("status").GetString());
            }

            // Identical text under another ACL is never linked as a duplicate; under the same ACL it is.
            await UploadAsync(ingester, "kb", acl, ("hr-twin", twin), ("parking-copy", twin));
            Assert.Equal("ready", (await RagApiHost.WaitForFinalAsync(acmeAdmin, "kb", "hr-twin")).GetProperty("status").GetString());
            Assert.Equal("ready", (await RagApiHost.WaitForFinalAsync(acmeAdmin, "kb", "parking-copy")).GetProperty("status").GetString());
            Assert.All(await DuplicateOfAsync(acmeAdmin, "hr-twin"), Assert.Null);
            Assert.All(await DuplicateOfAsync(acmeAdmin, "parking-copy"), Assert.NotNull);

            Assert.Equal("ready", (await RagApiHost.WaitForFinalAsync(globexAdmin, "kb", "globex-plan")).GetProperty("status").GetString());

            var leaks = new List<string>();
            await ProbeAsync(bob, "bob", [FinanceSecret, AliceSecret, GlobexSecret, "fin-plan", "alice-notes", "globex-plan", "hr-twin"], leaks);
            await ProbeAsync(alice, "alice", [GlobexSecret, "globex-plan"], leaks);
            await ProbeAsync(globexAdmin, "globex admin", [FinanceSecret, AliceSecret, "fin-plan", "alice-notes", "travel"], leaks);
            await ProbeDocumentRoutesAsync(bob, ingester, leaks);
            // The count of leaks, each named by its probe: zero.
            Assert.Empty(leaks);

            // Positive controls: the same probes find what the caller may see, all of it with topK 1000.
            var aliceHits = await SearchBodyAsync(alice, "bm25", "budget policy");
            Assert.Contains(FinanceSecret, aliceHits, StringComparison.Ordinal);
            Assert.Contains(AliceSecret, aliceHits, StringComparison.Ordinal);
            Assert.Contains("travel", aliceHits, StringComparison.Ordinal);
            Assert.Contains(GlobexSecret, await SearchBodyAsync(globexAdmin, "hybrid", "budget policy"), StringComparison.Ordinal);
            Assert.Contains("travel", await SearchBodyAsync(bob, "hybrid", "economy class travel"), StringComparison.Ordinal);
            var aliceStream = await alice.PostAsJsonAsync("/v1/indexes/kb/ask", new { question = "acquisition budget codeword", topK = 50, stream = true });
            Assert.Contains(FinanceSecret, await aliceStream.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            var aliceChat = await alice.PostAsJsonAsync("/v1/chat/completions", new { model = "rag:kb", messages = new[] { new { role = "user", content = "What marks the acquisition budget?" } } });
            Assert.Contains(FinanceSecret, await aliceChat.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            var list = await bob.GetFromJsonAsync<JsonElement>("/v1/indexes/kb/documents");
            Assert.Equal(3, list.GetProperty("total").GetInt32());
            Assert.Equal(["group:finance"], (await alice.GetFromJsonAsync<JsonElement>("/v1/indexes/kb/documents/fin-plan")).GetProperty("acl").EnumerateArray().Select(e => e.GetString()));

            // A permission change (by an admin: the ingester cannot see the document) takes effect for the next search, without re-embedding.
            var patched = await acmeAdmin.PatchAsJsonAsync("/v1/indexes/kb/documents/fin-plan", new { acl = new[] { "group:finance", "user:bob" } });
            Assert.Equal(System.Net.HttpStatusCode.OK, patched.StatusCode);
            foreach (var mode in Modes)
            {
                Assert.Contains(FinanceSecret, await SearchBodyAsync(bob, mode, "acquisition budget codeword"), StringComparison.Ordinal);
            }

            Assert.Equal(1, (await alice.GetFromJsonAsync<JsonElement>("/v1/indexes/kb/documents/fin-plan")).GetProperty("version").GetInt32());
        }

        // The change survives a restart, and narrowing it again hides the document at once.
        await using (var restarted = new RagApiHost(data))
        {
            var system = restarted.CreateClient();
            var acmeAdmin = restarted.ClientWithKey(await SecurityHttp.CreateKeyAsync(system, "acme", "admin"));
            var bob = restarted.ClientWithKey(await SecurityHttp.CreateKeyAsync(acmeAdmin, "acme", "reader", "bob"));
            Assert.Contains(FinanceSecret, await SearchBodyAsync(bob, "bm25", "acquisition budget codeword"), StringComparison.Ordinal);
            Assert.Equal(System.Net.HttpStatusCode.OK, (await acmeAdmin.PatchAsJsonAsync("/v1/indexes/kb/documents/fin-plan", new { acl = new[] { "group:finance" } })).StatusCode);
            foreach (var mode in Modes)
            {
                Assert.DoesNotContain(FinanceSecret, await SearchBodyAsync(bob, mode, "acquisition budget codeword"), StringComparison.Ordinal);
            }
        }
    }

    /// <summary>Search in every mode and ask with every context expansion, for queries aimed at the hidden documents.</summary>
    private static async Task ProbeAsync(HttpClient caller, string name, string[] forbidden, List<string> leaks)
    {
        string[] queries = ["budget policy", "acquisition budget codeword", "salary review note for alice", "merger budget"];
        foreach (var query in queries)
        {
            foreach (var mode in Modes)
            {
                Count(leaks, $"{name} search {mode} '{query}'", await SearchBodyAsync(caller, mode, query), forbidden);
            }

            foreach (var context in Contexts)
            {
                var ask = await caller.PostAsJsonAsync("/v1/indexes/kb/ask", new { question = query, topK = 50, context, trace = true });
                Count(leaks, $"{name} ask context={context} '{query}'", await ask.Content.ReadAsStringAsync(), forbidden);
            }
        }

        await ProbeFrontDoorsAsync(caller, name, queries, forbidden, leaks);
        Count(leaks, $"{name} list", await caller.GetStringAsync("/v1/indexes/kb/documents?limit=1000"), forbidden);
        Count(leaks, $"{name} indexes", await caller.GetStringAsync("/v1/indexes"), forbidden);
    }

    /// <summary>
    /// The other ways in: a streamed ask, a conversation (each turn's answer and its stored history), the
    /// OpenAI-compatible route and models list, and the MCP tools; every body is scanned like the REST routes'.
    /// </summary>
    private static async Task ProbeFrontDoorsAsync(HttpClient caller, string name, string[] queries, string[] forbidden, List<string> leaks)
    {
        var created = await caller.PostAsJsonAsync("/v1/indexes/kb/conversations", new { });
        created.EnsureSuccessStatusCode();
        var conversation = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        await using var mcp = await ModelContextProtocol.Client.McpClient.CreateAsync(new ModelContextProtocol.Client.HttpClientTransport(
            new ModelContextProtocol.Client.HttpClientTransportOptions { Endpoint = new Uri(caller.BaseAddress!, "mcp") }, caller));
        Count(leaks, $"{name} mcp list_indexes", McpText(await mcp.CallToolAsync("list_indexes", new Dictionary<string, object?>())), forbidden);
        foreach (var query in queries)
        {
            var stream = await caller.PostAsJsonAsync("/v1/indexes/kb/ask", new { question = query, topK = 50, stream = true, trace = true });
            Count(leaks, $"{name} ask stream '{query}'", await stream.Content.ReadAsStringAsync(), forbidden);
            var turn = await caller.PostAsJsonAsync($"/v1/indexes/kb/conversations/{conversation}/messages", new { question = query, topK = 50, trace = true });
            Count(leaks, $"{name} conversation '{query}'", await turn.Content.ReadAsStringAsync(), forbidden);
            var chat = await caller.PostAsJsonAsync("/v1/chat/completions", new { model = "rag:kb", messages = new[] { new { role = "user", content = query } } });
            Count(leaks, $"{name} chat completions '{query}'", await chat.Content.ReadAsStringAsync(), forbidden);
            var search = McpText(await mcp.CallToolAsync("search", new Dictionary<string, object?> { ["index"] = "kb", ["query"] = query, ["topK"] = 50 }));
            Count(leaks, $"{name} mcp search '{query}'", search, forbidden);
            Count(leaks, $"{name} mcp ask '{query}'", McpText(await mcp.CallToolAsync("ask", new Dictionary<string, object?> { ["index"] = "kb", ["question"] = query })), forbidden);
        }

        Count(leaks, $"{name} conversation history", await caller.GetStringAsync($"/v1/indexes/kb/conversations/{conversation}"), forbidden);
        Count(leaks, $"{name} models", await caller.GetStringAsync("/v1/models"), forbidden);
    }

    private static string McpText(ModelContextProtocol.Protocol.CallToolResult result) =>
        string.Concat(result.Content.OfType<ModelContextProtocol.Protocol.TextContentBlock>().Select(t => t.Text));

    /// <summary>Status, chunks, delete, PATCH and re-upload of hidden documents: each must be 404 and leave them untouched.</summary>
    private static async Task ProbeDocumentRoutesAsync(HttpClient bob, HttpClient ingester, List<string> leaks)
    {
        foreach (var id in new[] { "fin-plan", "alice-notes", "globex-plan" })
        {
            foreach (var (method, path, body) in new (HttpMethod, string, object?)[]
            {
                (HttpMethod.Get, $"/v1/indexes/kb/documents/{id}", null),
                (HttpMethod.Get, $"/v1/indexes/kb/documents/{id}/chunks", null),
            })
            {
                var (status, text) = await SecurityHttp.SendAsync(bob, method, path, body);
                if (status != 404 || text.Contains("payload", StringComparison.Ordinal))
                {
                    leaks.Add($"bob {method} {path}: {status}");
                }
            }
        }

        // The ingester (user bot, no groups) may write, but not to documents it cannot see.
        foreach (var (method, path, body) in new (HttpMethod, string, object?)[]
        {
            (HttpMethod.Patch, "/v1/indexes/kb/documents/fin-plan", new { acl = new[] { "tenant" } }),
            (HttpMethod.Delete, "/v1/indexes/kb/documents/alice-notes", null),
        })
        {
            var (status, _) = await SecurityHttp.SendAsync(ingester, method, path, body);
            if (status != 404)
            {
                leaks.Add($"ingester {method} {path}: {status}");
            }
        }

        var overwrite = await PostAsync(ingester, "kb", [("fin-plan", "# Takeover\n\nReplaced.\n")], []);
        if ((int)overwrite.StatusCode != 404)
        {
            leaks.Add($"ingester re-upload over fin-plan: {(int)overwrite.StatusCode}");
        }
    }

    private static void Count(List<string> leaks, string probe, string body, string[] forbidden)
    {
        foreach (var marker in forbidden.Where(m => body.Contains(m, StringComparison.Ordinal)))
        {
            leaks.Add($"{probe}: '{marker}'");
        }
    }

    private static async Task<string> SearchBodyAsync(HttpClient caller, string mode, string query)
    {
        var response = await caller.PostAsJsonAsync("/v1/indexes/kb/search", new { query, topK = 1000, mode });
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    private static string Doc(string title, string sentence) =>
        SecurityHttp.Markdown(title, string.Join("\n\n", Enumerable.Range(1, 3).Select(i => $"{sentence} Paragraph {i} repeats the policy for the record.")));

    private static async Task<List<string?>> DuplicateOfAsync(HttpClient client, string documentId)
    {
        var chunks = (await client.GetFromJsonAsync<JsonElement>($"/v1/indexes/kb/documents/{documentId}/chunks")).GetProperty("chunks");
        Assert.NotEqual(0, chunks.GetArrayLength());
        return chunks.EnumerateArray().Select(c => c.TryGetProperty("duplicateOf", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null).ToList();
    }

    private static async Task UploadAsync(HttpClient client, string index, Dictionary<string, string> acl, params (string Id, string Markdown)[] files)
    {
        var response = await PostAsync(client, index, files, acl);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string index, (string Id, string Markdown)[] files, Dictionary<string, string> acl)
    {
        using var form = new MultipartFormDataContent();
        foreach (var (id, markdown) in files)
        {
            var content = new StringContent(markdown);
            content.Headers.ContentType = new MediaTypeHeaderValue("text/markdown");
            form.Add(content, "files", id + ".md");
        }

        foreach (var (id, _) in files)
        {
            form.Add(new StringContent(id), "documentId");
        }

        foreach (var (id, _) in files)
        {
            form.Add(new StringContent(acl.GetValueOrDefault(id, "tenant")), "acl");
        }

        return await client.PostAsync($"/v1/indexes/{index}/documents", form);
    }

    public void Dispose() => _dir.Dispose();
}
