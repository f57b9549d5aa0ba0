using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RagService.Api.Tests;

/// <summary>
/// The audit trail through real HTTP, read from a logger provider in the host's logging: key creation and
/// revocation, upload, delete, permission change and index deletion are each one structured event (category
/// RagService.Audit) naming the acting key's id, its tenant and user, the target and the outcome. No key (only
/// ids) appears in any event of any category at any level, the request-by-request framework events included.
/// </summary>
public sealed class AuditLogTests : IDisposable
{
    private const string AuditCategory = "RagService.Audit";
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Each_audited_action_is_one_structured_event_with_key_id_tenant_user_target_and_outcome_and_no_key_is_logged()
    {
        var logs = new CapturingLoggerProvider();
        await using var host = new RagApiHost(_dir.File("data"), new Dictionary<string, string?> { ["Logging:Capture:LogLevel:Default"] = "Trace" });
        await using var configured = host.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<ILoggerProvider>(logs)));
        var system = configured.CreateClient();
        await SecurityHttp.CreateTenantAsync(system, "acme");
        var (adminId, adminKey) = await CreateKeyAsync(system, new { name = "acme-admin", tenant = "acme", role = "admin", user = "carol" });
        var admin = WithKey(configured, adminKey);
        var (ingesterId, ingesterKey) = await CreateKeyAsync(admin, new { name = "acme-ingester", role = "ingester", user = "ivan", groups = new[] { "finance" } });
        var ingester = WithKey(configured, ingesterKey);
        await host.CreateIndexAsync(admin, "kb");

        using (var form = new MultipartFormDataContent
        {
            { new ByteArrayContent("# Plan\n\nThe budget codeword is marigold.\n"u8.ToArray()), "files", "plan.md" },
            { new StringContent("plan"), "documentId" },
            { new StringContent("group:finance"), "acl" },
        })
        {
            Assert.Equal(HttpStatusCode.Accepted, (await ingester.PostAsync("/v1/indexes/kb/documents", form)).StatusCode);
        }

        await RagApiHost.WaitForFinalAsync(ingester, "kb", "plan");
        Assert.Equal(HttpStatusCode.OK, (await ingester.PatchAsJsonAsync("/v1/indexes/kb/documents/plan", new { acl = new[] { "group:finance", "user:ivan" } })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await ingester.DeleteAsync("/v1/indexes/kb/documents/plan")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/v1/indexes/kb")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync("/v1/indexes/kb")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/v1/keys/{ingesterId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync($"/v1/keys/{ingesterId}")).StatusCode);

        var audit = logs.Entries.Where(e => e.Category == AuditCategory).ToList();
        Assert.All(audit, e => Assert.Equal(LogLevel.Information, e.Level));
        AssertEvent(audit, "key.create", $"key {adminId} (admin, tenant acme)", "created", keyId: "admin", tenant: "default", user: null);
        AssertEvent(audit, "key.create", $"key {ingesterId} (ingester, tenant acme)", "created", adminId, "acme", "carol");
        AssertEvent(audit, "document.upload", "index kb document plan", "queued", ingesterId, "acme", "ivan");
        AssertEvent(audit, "document.permissions", "index kb document plan", "acl group:finance,user:ivan", ingesterId, "acme", "ivan");
        AssertEvent(audit, "document.delete", "index kb document plan", "deleted", ingesterId, "acme", "ivan");
        AssertEvent(audit, "index.delete", "index kb", "deleted", adminId, "acme", "carol");
        AssertEvent(audit, "index.delete", "index kb", "not found", adminId, "acme", "carol");
        AssertEvent(audit, "key.revoke", $"key {ingesterId}", "revoked", adminId, "acme", "carol");
        AssertEvent(audit, "key.revoke", $"key {ingesterId}", "not found", adminId, "acme", "carol");

        // Thousands of framework, ingestion and audit events at Trace level; none holds a key or a key's secret part.
        Assert.True(logs.Entries.Count > 100, $"{logs.Entries.Count} events captured");
        AssertNoSecret(logs, RagApiHost.AdminKey, adminKey, ingesterKey);
    }

    [Fact]
    public async Task The_generated_bootstrap_key_is_never_logged_only_where_it_was_written()
    {
        var logs = new CapturingLoggerProvider();
        var settings = new Dictionary<string, string?> { ["Rag:Auth:AdminKey"] = null, ["Logging:Capture:LogLevel:Default"] = "Trace" };
        await using var host = new RagApiHost(_dir.File("data"), settings);
        await using var configured = host.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<ILoggerProvider>(logs)));
        var path = Path.Combine(host.DataDirectory, "secrets", "admin.key");
        _ = configured.Services;
        var key = (await File.ReadAllTextAsync(path)).Trim();

        var system = WithKey(configured, key);
        var (_, created) = await CreateKeyAsync(system, new { name = "bot", role = "reader" });
        Assert.Equal(HttpStatusCode.OK, (await WithKey(configured, created).GetAsync("/v1/indexes")).StatusCode);

        Assert.Contains(logs.Entries, e => e.Message.Contains(path, StringComparison.Ordinal));
        AssertNoSecret(logs, key, created);
    }

    private static void AssertEvent(IReadOnlyList<CapturedLog> audit, string action, string target, string outcome, string keyId, string tenant, string? user)
    {
        var matching = audit.Where(e => e.State.GetValueOrDefault("Action") == action && e.State.GetValueOrDefault("Target") == target
            && e.State.GetValueOrDefault("Outcome") == outcome).ToList();
        var entry = Assert.Single(matching);
        Assert.Equal(9000, entry.EventId.Id);
        Assert.Equal(keyId, entry.State.GetValueOrDefault("KeyId"));
        Assert.Equal(tenant, entry.State.GetValueOrDefault("Tenant"));
        Assert.Equal(user, entry.State.GetValueOrDefault("User"));
    }

    /// <summary>No event carries a key, nor a generated key's secret part (what follows <c>rag_{id}_</c>).</summary>
    private static void AssertNoSecret(CapturingLoggerProvider logs, params string[] keys)
    {
        var secrets = keys.Concat(keys.Where(k => k.StartsWith("rag_", StringComparison.Ordinal)).Select(k => k[(k.IndexOf('_', 4) + 1)..])).ToList();
        Assert.All(secrets, s => Assert.True(s.Length >= 20, s));
        var leaks = logs.Entries.Where(e => secrets.Any(s => e.AllText.Contains(s, StringComparison.Ordinal))).Select(e => e.Category + ": " + e.Message).ToList();
        Assert.Empty(leaks);
    }

    private static HttpClient WithKey(WebApplicationFactory<Program> host, string key)
    {
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    private static async Task<(string Id, string Key)> CreateKeyAsync(HttpClient admin, object request)
    {
        var response = await admin.PostAsJsonAsync("/v1/keys", request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(RagApiHost.Json);
        return (body.GetProperty("id").GetString()!, body.GetProperty("key").GetString()!);
    }

    public void Dispose() => _dir.Dispose();
}
