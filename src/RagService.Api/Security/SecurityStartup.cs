using Microsoft.Extensions.Options;
using RagService.Api.Hosting;
using RagService.Core.Security;

namespace RagService.Api.Security;

/// <summary>
/// Runs before the service takes requests: refuses mode "none" on a non-loopback address, and makes sure a
/// system admin key exists. A configured key (<c>Rag:Auth:AdminKey</c> or <c>RAG_ADMIN_KEY</c>) is stored as
/// its hash on every start (changing it rotates it); otherwise one is generated once and written to
/// <c>{data}/secrets/admin.key</c> (0600), the only place the key itself is ever written.
/// </summary>
internal sealed class SecurityStartup(
    IOptions<RagAuthOptions> auth,
    IOptions<RagOptions> rag,
    IConfiguration configuration,
    ApiKeyStore keys,
    ILogger<SecurityStartup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var options = auth.Value;
        if (options.IsOff)
        {
            var exposed = ListenUrls.Of(configuration).Where(u => !ListenUrls.IsLoopback(u)).ToList();
            if (exposed.Count > 0)
            {
                throw new InvalidOperationException(
                    $"Rag:Auth:Mode is 'none' but the service listens on {string.Join(", ", exposed)}: without authentication it may listen on loopback addresses only.");
            }

            logger.LogWarning("Authentication is off (Rag:Auth:Mode none); every caller is a system admin on loopback");
            return Task.CompletedTask;
        }

        EnsureSystemKey(options.AdminKey ?? configuration["RAG_ADMIN_KEY"]);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void EnsureSystemKey(string? configured)
    {
        var record = new ApiKeyRecord(ApiKeys.SystemKeyId, "system admin", AccessScope.DefaultTenant, RagRoles.Admin, null, [], DateTimeOffset.UtcNow, null, null, true);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            keys.Add(record, configured.Trim());
            logger.LogInformation("Admin key taken from configuration; only its hash is stored");
            return;
        }

        var path = AdminKeyFile.PathIn(rag.Value.DataDirectory);
        if (keys.Get(ApiKeys.SystemKeyId) is { } existing && existing.IsSystem)
        {
            logger.LogInformation("Admin key in use since {CreatedAt}; it was written once to {AdminKeyPath}", existing.CreatedAt, path);
            return;
        }

        var key = ApiKeys.NewKey(ApiKeys.SystemKeyId);
        File.Delete(path);
        SecretFiles.WriteNew(path, key + "\n");
        keys.Add(record, key);
        logger.LogWarning("Created the admin key and wrote it to {AdminKeyPath} (mode 0600); only its hash is stored", path);
    }
}
