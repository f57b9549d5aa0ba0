using RagService.Core.Security;

namespace RagService.Api.Security;

/// <summary>The authenticated caller of a request: which key or token, which tenant, user, groups and role.</summary>
public sealed record Caller(string? KeyId, string Tenant, string? User, IReadOnlyList<string> Groups, string Role, bool IsSystem)
{
    /// <summary>The caller when authentication is off (<c>Rag:Auth:Mode</c> none, loopback only): a system admin in the default tenant.</summary>
    public static readonly Caller Anonymous = new(null, AccessScope.DefaultTenant, null, [], RagRoles.Admin, true);

    public AccessScope Scope => Role == RagRoles.Admin
        ? AccessScope.All(Tenant)
        : new AccessScope(Tenant, Principals(), false);

    private HashSet<string> Principals()
    {
        var set = new HashSet<string>(StringComparer.Ordinal) { AccessScope.TenantPrincipal };
        if (User is { Length: > 0 })
        {
            set.Add("user:" + User);
        }

        foreach (var g in Groups)
        {
            set.Add("group:" + g);
        }

        return set;
    }
}

/// <summary>The roles, weakest first: reader ⊂ ingester ⊂ admin.</summary>
public static class RagRoles
{
    public const string Reader = "reader";
    public const string Ingester = "ingester";
    public const string Admin = "admin";
}

/// <summary>Authorization policy names for <c>RequireAuthorization</c>; one per role.</summary>
public static class RagPolicies
{
    public const string Reader = "rag-reader";
    public const string Ingester = "rag-ingester";
    public const string Admin = "rag-admin";
}

public static class CallerExtensions
{
    /// <summary>The request's caller (set by the authentication handler); <see cref="Caller.Anonymous"/> when authentication is off.</summary>
    public static Caller GetCaller(this HttpContext http) => http.Features.Get<Caller>() ?? Caller.Anonymous;

    public static AccessScope GetAccessScope(this HttpContext http) => http.GetCaller().Scope;
}
