namespace RagService.Core.Security;

/// <summary>
/// What a caller may see, as retrieval and the catalog see it: its tenant, and the principals
/// (<c>user:alice</c>, <c>group:finance</c>, <c>tenant</c>) one of which must be in a document's ACL.
/// <see cref="SeesAll"/> (a tenant's admin) skips the ACL check but never the tenant.
/// </summary>
public sealed record AccessScope(string Tenant, IReadOnlySet<string> Principals, bool SeesAll)
{
    public const string DefaultTenant = "default";

    /// <summary>The principal every member of a tenant holds; the ACL of a document uploaded without one.</summary>
    public const string TenantPrincipal = "tenant";

    /// <summary>Everything in <paramref name="tenant"/>: the scope of admins and of in-process tools (CLI, eval).</summary>
    public static AccessScope All(string tenant = DefaultTenant) => new(tenant, new HashSet<string>(StringComparer.Ordinal) { TenantPrincipal }, true);
}
