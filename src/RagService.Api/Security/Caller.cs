using RagService.Core.Security;

namespace RagService.Api.Security;

/// <summary>The authenticated caller of a request: which key or token, which tenant, user, groups and role.</summary>
public sealed record Caller(string? KeyId, string Tenant, string? User, IReadOnlyList<string> Groups, string Role, bool IsSystem)
{
    /// <summary>The caller when authentication is off (<c>Rag:Auth:Mode</c> none, loopback only): a system admin in the default tenant.</summary>
    public static readonly Caller Anonymous = new(null, AccessScope.DefaultTenant, null, [], RagRoles.Admin, true);

    /// <summary>
    /// A request no scheme authenticated (an endpoint open to anonymous callers): no tenant, no principal, no
    /// role, so it sees nothing. Never a default that grants.
    /// </summary>
    public static readonly Caller Nobody = new(null, string.Empty, null, [], string.Empty, false);

    /// <summary>Whether the caller's role is at least <paramref name="role"/> (reader ⊂ ingester ⊂ admin).</summary>
    public bool HasRole(string role) => RagRoles.Rank(Role) >= RagRoles.Rank(role) && RagRoles.Rank(role) > 0;

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

    public static readonly IReadOnlyList<string> All = [Reader, Ingester, Admin];

    /// <summary>1 for reader, 2 for ingester, 3 for admin, 0 for anything else.</summary>
    public static int Rank(string? role) => role switch
    {
        Reader => 1,
        Ingester => 2,
        Admin => 3,
        _ => 0,
    };
}

/// <summary>Authorization policy names for <c>RequireAuthorization</c>; one per role.</summary>
public static class RagPolicies
{
    public const string Reader = "rag-reader";
    public const string Ingester = "rag-ingester";
    public const string Admin = "rag-admin";

    /// <summary>The OpenAPI document and API reference: anyone when <c>Rag:Auth:PublicDocs</c>, else any authenticated caller.</summary>
    public const string Docs = "rag-docs";
}

public static class CallerExtensions
{
    /// <summary>
    /// The request's caller, set after authentication (<see cref="Caller.Anonymous"/> when <c>Rag:Auth:Mode</c> is none);
    /// <see cref="Caller.Nobody"/> when no scheme authenticated the request.
    /// </summary>
    public static Caller GetCaller(this HttpContext http) => http.Features.Get<Caller>() ?? Caller.Nobody;

    public static AccessScope GetAccessScope(this HttpContext http) => http.GetCaller().Scope;

    /// <summary>The caller's principals for an ACL filter (<c>SearchFilter.Principals</c>, the catalog's lists); null for a caller who sees its whole tenant.</summary>
    public static IReadOnlySet<string>? GetAclPrincipals(this HttpContext http) => http.GetAccessScope() is { SeesAll: false } scope ? scope.Principals : null;
}
