using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace RagService.Api.Tests;

/// <summary>
/// Identity through the real middleware: API keys by either header, 401 with a ProblemDetails body and a
/// challenge, 403 for a role too weak, the open endpoints, key creation, listing and revocation, and the
/// bootstrap admin key written once to the data folder.
/// </summary>
public sealed class AuthenticationTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Missing_or_wrong_credentials_are_401_problems_with_a_challenge_and_health_stays_open()
    {
        await using var host = new RagApiHost(_dir.File("data"));
        var anonymous = host.ClientWithKey(null);

        foreach (var (client, name) in new[] { (anonymous, "none"), (host.ClientWithKey("rag_0011223344556677_not-the-secret"), "wrong"), (host.ClientWithKey("whatever"), "malformed") })
        {
            var response = await client.GetAsync("/v1/indexes");
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{name}: {response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
            Assert.Equal(401, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetInt32());
        }

        var viaHeader = host.ClientWithKey(null);
        viaHeader.DefaultRequestHeaders.Add("X-Api-Key", RagApiHost.AdminKey);
        Assert.Equal(HttpStatusCode.OK, (await viaHeader.GetAsync("/v1/indexes")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/alive")).StatusCode);
        // Loopback by default (the appsettings' 127.0.0.1): the API description is public.
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/openapi/v1.json")).StatusCode);
    }

    [Fact]
    public async Task Docs_are_closed_when_PublicDocs_is_false()
    {
        await using var host = new RagApiHost(_dir.File("data"), new Dictionary<string, string?> { ["Rag:Auth:PublicDocs"] = "false" });

        Assert.Equal(HttpStatusCode.Unauthorized, (await host.ClientWithKey(null).GetAsync("/openapi/v1.json")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.CreateClient().GetAsync("/openapi/v1.json")).StatusCode);
    }

    [Fact]
    public async Task Each_role_reaches_its_routes_and_is_refused_403_above_them()
    {
        await using var host = new RagApiHost(_dir.File("data"));
        var admin = host.CreateClient();
        await host.CreateIndexAsync(admin, "kb");
        var reader = host.ClientWithKey(await SecurityHttp.CreateKeyAsync(admin, "default", "reader"));
        var ingester = host.ClientWithKey(await SecurityHttp.CreateKeyAsync(admin, "default", "ingester"));

        Assert.Equal(200, (await SecurityHttp.SendAsync(reader, HttpMethod.Get, "/v1/indexes/kb")).Status);
        Assert.Equal(200, (await SecurityHttp.SendAsync(reader, HttpMethod.Post, "/v1/indexes/kb/search", new { query = "anything" })).Status);
        Assert.Equal(200, (await SecurityHttp.SendAsync(reader, HttpMethod.Get, "/v1/indexes/kb/documents")).Status);
        (HttpClient Client, HttpMethod Method, string Path, object? Body)[] refused =
        [
            (reader, HttpMethod.Put, "/v1/indexes/other", new { }),
            (reader, HttpMethod.Delete, "/v1/indexes/kb", null),
            (reader, HttpMethod.Post, "/v1/indexes/kb/documents", null),
            (reader, HttpMethod.Delete, "/v1/indexes/kb/documents/any", null),
            (reader, HttpMethod.Patch, "/v1/indexes/kb/documents/any", new { acl = new[] { "tenant" } }),
            (reader, HttpMethod.Get, "/v1/keys", null),
            (ingester, HttpMethod.Put, "/v1/indexes/other", new { }),
            (ingester, HttpMethod.Delete, "/v1/indexes/kb", null),
            (ingester, HttpMethod.Post, "/v1/keys", new { name = "x", role = "reader" }),
            (ingester, HttpMethod.Put, "/v1/tenants/acme", null),
        ];
        foreach (var (client, method, path, body) in refused)
        {
            var (status, text) = await SecurityHttp.SendAsync(client, method, path, body);
            Assert.True(status == 403, $"{method} {path}: {status}");
            Assert.Contains("\"status\":403", text, StringComparison.Ordinal);
        }

        Assert.Equal(404, (await SecurityHttp.SendAsync(ingester, HttpMethod.Delete, "/v1/indexes/kb/documents/none")).Status);
        Assert.True(host.Registry.Exists("kb"));
    }

    [Fact]
    public async Task A_key_is_shown_once_listed_without_its_secret_and_revoked_at_once()
    {
        await using var host = new RagApiHost(_dir.File("data"));
        var admin = host.CreateClient();
        var created = await admin.PostAsJsonAsync("/v1/keys", new { name = "hr-bot", role = "reader", user = "alice", groups = new[] { "finance" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>(RagApiHost.Json);
        var id = body.GetProperty("id").GetString()!;
        var key = body.GetProperty("key").GetString()!;
        var reader = host.ClientWithKey(key);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/v1/indexes")).StatusCode);

        var listing = await admin.GetStringAsync("/v1/keys");
        Assert.DoesNotContain(key, listing, StringComparison.Ordinal);
        var listed = JsonDocument.Parse(listing).RootElement.GetProperty("keys").EnumerateArray().Single(k => k.GetProperty("id").GetString() == id);
        Assert.Equal("hr-bot", listed.GetProperty("name").GetString());
        Assert.Equal("alice", listed.GetProperty("user").GetString());
        Assert.Equal("finance", listed.GetProperty("groups")[0].GetString());
        Assert.Equal(JsonValueKind.String, listed.GetProperty("lastUsed").ValueKind);
        // Only a salted hash is stored.
        foreach (var file in Directory.GetFiles(Path.Combine(host.DataDirectory, "secrets"), "keys.db*"))
        {
            Assert.DoesNotContain(key, await ReadAllTextSharedAsync(file), StringComparison.Ordinal);
        }


        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/v1/keys/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await reader.GetAsync("/v1/indexes")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync($"/v1/keys/{id}")).StatusCode);
    }

    [Theory]
    [InlineData("role", "{\"name\":\"k\",\"role\":\"owner\"}")]
    [InlineData("tenant", "{\"name\":\"k\",\"role\":\"reader\",\"tenant\":\"nope\"}")]
    [InlineData("expiresAt", "{\"name\":\"k\",\"role\":\"reader\",\"expiresAt\":\"2001-01-01T00:00:00Z\"}")]
    [InlineData("name", "{\"role\":\"reader\"}")]
    [InlineData("groups", "{\"name\":\"k\",\"role\":\"reader\",\"groups\":[\"a,b\"]}")]
    public async Task A_bad_key_request_is_400_naming_the_field_and_creates_nothing(string field, string json)
    {
        await using var host = new RagApiHost(_dir.File("data"));
        var admin = host.CreateClient();

        var response = await admin.PostAsync("/v1/keys", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _), field);
        var keys = (await admin.GetFromJsonAsync<JsonElement>("/v1/keys")).GetProperty("keys");
        Assert.Equal(1, keys.GetArrayLength());
    }

    [Fact]
    public async Task A_key_name_over_200_characters_is_400_and_creates_nothing()
    {
        await using var host = new RagApiHost(_dir.File("data"));
        var admin = host.CreateClient();
        var response = await admin.PostAsJsonAsync("/v1/keys", new { name = new string('k', 201), role = "reader" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("name", out _));
        Assert.Equal(1, (await admin.GetFromJsonAsync<JsonElement>("/v1/keys")).GetProperty("keys").GetArrayLength());
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/v1/keys", new { name = new string('k', 200), role = "reader" })).StatusCode);
    }

    [Fact]
    public async Task A_key_works_until_its_expiry_and_is_refused_with_401_once_it_has_passed_without_a_restart()
    {
        await using var host = new RagApiHost(_dir.File("data"));
        var admin = host.CreateClient();
        var expiresAt = DateTimeOffset.UtcNow.AddSeconds(5);
        var created = await admin.PostAsJsonAsync("/v1/keys", new { name = "short-lived", role = "reader", expiresAt });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>(RagApiHost.Json);
        var id = body.GetProperty("id").GetString()!;
        var reader = host.ClientWithKey(body.GetProperty("key").GetString());

        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/v1/indexes")).StatusCode);
        var listed = (await admin.GetFromJsonAsync<JsonElement>("/v1/keys")).GetProperty("keys").EnumerateArray().Single(k => k.GetProperty("id").GetString() == id);
        Assert.Equal(expiresAt.ToUnixTimeMilliseconds(), listed.GetProperty("expiresAt").GetDateTimeOffset().ToUnixTimeMilliseconds());

        var remaining = expiresAt - DateTimeOffset.UtcNow;
        if (remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining + TimeSpan.FromMilliseconds(200));
        }

        // The same running host: expiry is checked on every request, not at start.
        var refused = await reader.GetAsync("/v1/indexes");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Bearer", refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
        Assert.Contains("expired", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await reader.PostAsJsonAsync("/v1/indexes/kb/search", new { query = "anything" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/v1/indexes")).StatusCode);
    }

    [Fact]
    public async Task A_malformed_acl_in_a_permission_change_is_400_naming_the_field_and_changes_nothing()
    {
        await using var host = new RagApiHost(_dir.File("data"));
        var admin = host.CreateClient();
        await host.CreateIndexAsync(admin, "kb");
        using (var form = new MultipartFormDataContent
        {
            { new ByteArrayContent("# Plan\n\nThe budget codeword is marigold.\n"u8.ToArray()), "files", "plan.md" },
            { new StringContent("plan"), "documentId" },
            { new StringContent("group:finance"), "acl" },
            { new StringContent("owner:carol"), "tags" },
        })
        {
            Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync("/v1/indexes/kb/documents", form)).StatusCode);
        }

        await RagApiHost.WaitForFinalAsync(admin, "kb", "plan");

        foreach (var patch in new object[]
        {
            new { acl = new[] { "group:finance", "manager:bob" }, tags = new Dictionary<string, string> { ["owner"] = "dave" } },
            new { acl = new[] { "user:" } },
            new { acl = new[] { "everyone" } },
        })
        {
            var response = await admin.PatchAsJsonAsync("/v1/indexes/kb/documents/plan", patch);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("acl", out _));
        }

        var status = await admin.GetFromJsonAsync<JsonElement>("/v1/indexes/kb/documents/plan", RagApiHost.Json);
        Assert.Equal(["group:finance"], status.GetProperty("acl").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("carol", status.GetProperty("tags").GetProperty("owner").GetString());
    }

    [Fact]
    public async Task Without_a_configured_key_one_is_generated_once_into_the_data_folder_with_mode_0600()
    {
        var settings = new Dictionary<string, string?> { ["Rag:Auth:AdminKey"] = null };
        var path = Path.Combine(_dir.File("data"), "secrets", "admin.key");
        string key;
        await using (var host = new RagApiHost(_dir.File("data"), settings))
        {
            _ = host.Services;
            key = (await File.ReadAllTextAsync(path)).Trim();
            Assert.StartsWith("rag_admin_", key, StringComparison.Ordinal);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            }

            Assert.Equal(HttpStatusCode.OK, (await host.ClientWithKey(key).GetAsync("/v1/keys")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await host.ClientWithKey(RagApiHost.AdminKey).GetAsync("/v1/keys")).StatusCode);
        }

        await using (var restarted = new RagApiHost(_dir.File("data"), settings))
        {
            _ = restarted.Services;
            Assert.Equal(key, (await File.ReadAllTextAsync(path)).Trim());
            Assert.Equal(HttpStatusCode.OK, (await restarted.ClientWithKey(key).GetAsync("/v1/keys")).StatusCode);
        }
    }

    [Fact]
    public async Task Mode_none_on_loopback_lets_every_caller_act_as_the_system_admin()
    {
        await using var host = new RagApiHost(_dir.File("data"), new Dictionary<string, string?> { ["Rag:Auth:Mode"] = "none" });

        Assert.Equal(HttpStatusCode.Created, (await host.ClientWithKey(null).PutAsJsonAsync("/v1/indexes/kb", new { })).StatusCode);
    }

    private static async Task<string> ReadAllTextSharedAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }

    public void Dispose() => _dir.Dispose();
}
