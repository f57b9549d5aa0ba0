using System.ComponentModel;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using RagService.Api.Security;
using RagService.Core.Security;
using RagService.Indexing;

namespace RagService.Api.Endpoints;

public sealed record CreateKeyRequest
{
    [Description("A label for the key (1–200 characters), e.g. the application that holds it.")]
    public string? Name { get; init; }

    [Description("The key's tenant; a tenant's admin may only name its own. Default: the caller's tenant.")]
    public string? Tenant { get; init; }

    [Description("reader, ingester or admin.")]
    public string? Role { get; init; }

    [Description("The user the key speaks for (its user:<name> principal).")]
    public string? User { get; init; }

    [Description("The groups the key holds (group:<name> principals).")]
    public IReadOnlyList<string>? Groups { get; init; }

    [Description("When the key stops working; null for never. Must be in the future.")]
    public DateTimeOffset? ExpiresAt { get; init; }
}

public sealed record CreatedKey(string Id, string Key, string Name, string Tenant, string Role);

public sealed record KeyInfo(string Id, string Name, string Tenant, string Role, string? User, IReadOnlyList<string> Groups,
    DateTimeOffset Created, DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsed, bool System);

public sealed record KeyList(IReadOnlyList<KeyInfo> Keys);

/// <summary>Who the caller is, as the API sees it: what a client (the dashboard) may offer depends on the role.</summary>
public sealed record CallerInfo(
    [property: Description("The key's id; null for a JWT caller or with authentication off.")] string? KeyId,
    string Tenant,
    [property: Description("reader, ingester or admin.")] string Role,
    string? User,
    IReadOnlyList<string> Groups,
    [property: Description("True for the system admin (every tenant).")] bool System);

/// <summary>API keys: <c>/v1/keys</c> (admins, for their own tenant; the system admin for any).</summary>
public static class KeysApi
{
    public const int MaxNameLength = 200;

    public static RouteGroupBuilder MapKeysApi(this RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("/keys").WithTags("Keys").RequireAuthorization(RagPolicies.Admin);
        group.MapPost("/", Create).WithSummary("Create an API key; the key is in this response only");
        group.MapGet("/", List).WithSummary("List the API keys of the caller's tenant (never the keys themselves)");
        group.MapDelete("/{id}", Revoke).WithSummary("Revoke an API key at once");
        v1.MapGet("/me", Me).WithTags("Keys").RequireAuthorization(RagPolicies.Reader)
            .WithSummary("Who the caller is: key id, tenant, role, user and groups (never the key itself)");
        return v1;
    }

    internal static Results<Created<CreatedKey>, ValidationProblem> Create(CreateKeyRequest request, HttpContext http, ApiKeyStore keys, TimeProvider time, Audit audit)
    {
        var caller = http.GetCaller();
        var now = time.GetUtcNow();
        var errors = new Dictionary<string, string[]>();
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength)
        {
            errors["name"] = [$"name is required and at most {MaxNameLength} characters."];
        }

        var tenant = request.Tenant ?? caller.Tenant;
        if (!IndexRegistry.IsValidName(tenant) || !keys.TenantExists(tenant) || (!caller.IsSystem && tenant != caller.Tenant))
        {
            errors["tenant"] = [$"Unknown tenant '{tenant}'."];
        }

        if (request.Role is not { } role || RagRoles.Rank(role) == 0)
        {
            errors["role"] = [$"role must be one of {string.Join(", ", RagRoles.All)}."];
        }

        if (request.User is { } user && !AclPrincipals.IsValidName(user))
        {
            errors["user"] = ["user must be 1–200 characters without ',' or control characters."];
        }

        if (request.Groups is { } groups && groups.Any(g => !AclPrincipals.IsValidName(g)))
        {
            errors["groups"] = ["Every group must be 1–200 characters without ',' or control characters."];
        }

        if (request.ExpiresAt is { } expires && expires <= now)
        {
            errors["expiresAt"] = ["expiresAt must be in the future (or null for never)."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var id = ApiKeys.NewId();
        var key = ApiKeys.NewKey(id);
        var record = new ApiKeyRecord(id, name!, tenant, request.Role!, request.User?.Trim(), request.Groups?.Select(g => g.Trim()).Distinct().ToList() ?? [], now, request.ExpiresAt, null, false);
        keys.Add(record, key);
        audit.Record(http, "key.create", $"key {id} ({record.Role}, tenant {tenant})", "created");
        return TypedResults.Created($"/v1/keys/{id}", new CreatedKey(id, key, record.Name, tenant, record.Role));
    }

    internal static CallerInfo Me(HttpContext http)
    {
        var caller = http.GetCaller();
        return new CallerInfo(caller.KeyId, caller.Tenant, caller.Role, caller.User, caller.Groups, caller.IsSystem);
    }

    internal static KeyList List(HttpContext http, ApiKeyStore keys)
    {
        var caller = http.GetCaller();
        return new KeyList(keys.List(caller.IsSystem ? null : caller.Tenant).Select(ToInfo).ToList());
    }

    internal static Results<NoContent, NotFound<ProblemDetails>> Revoke(string id, HttpContext http, ApiKeyStore keys, Audit audit)
    {
        var caller = http.GetCaller();
        if (keys.Get(id) is not { } record || (!caller.IsSystem && record.Tenant != caller.Tenant) || !keys.Revoke(id))
        {
            audit.Record(http, "key.revoke", $"key {id}", "not found");
            return TypedResults.NotFound(Problems.Create(StatusCodes.Status404NotFound, "Key not found", $"There is no key '{id}'."));
        }

        audit.Record(http, "key.revoke", $"key {id}", "revoked");
        return TypedResults.NoContent();
    }

    private static KeyInfo ToInfo(ApiKeyRecord r) => new(r.Id, r.Name, r.Tenant, r.Role, r.User, r.Groups, r.CreatedAt, r.ExpiresAt, r.LastUsedAt, r.IsSystem);
}
