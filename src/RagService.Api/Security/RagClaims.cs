using System.Security.Claims;

namespace RagService.Api.Security;

/// <summary>
/// The claims every authentication scheme leaves on the request's user (API keys directly, JWTs after their
/// claim names are mapped), from which <see cref="Caller"/> is read. One shape, whatever proved the identity.
/// </summary>
public static class RagClaims
{
    public const string Tenant = "rag:tenant";
    public const string Role = "rag:role";
    public const string User = "rag:user";
    public const string Group = "rag:group";
    public const string KeyId = "rag:key";
    public const string System = "rag:system";

    public static ClaimsPrincipal Principal(Caller caller, string scheme)
    {
        var claims = new List<Claim> { new(Tenant, caller.Tenant), new(Role, caller.Role) };
        if (caller.User is { } user)
        {
            claims.Add(new Claim(User, user));
        }

        if (caller.KeyId is { } id)
        {
            claims.Add(new Claim(KeyId, id));
        }

        if (caller.IsSystem)
        {
            claims.Add(new Claim(System, "true"));
        }

        claims.AddRange(caller.Groups.Select(g => new Claim(Group, g)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme, User, Role));
    }

    /// <summary>The caller the claims describe, or null when the user carries no tenant or role (not authenticated by a Rag scheme).</summary>
    public static Caller? ToCaller(ClaimsPrincipal user)
    {
        if (user.Identity?.IsAuthenticated != true || user.FindFirst(Tenant)?.Value is not { } tenant || user.FindFirst(Role)?.Value is not { } role)
        {
            return null;
        }

        return new Caller(
            user.FindFirst(KeyId)?.Value,
            tenant,
            user.FindFirst(User)?.Value,
            user.FindAll(Group).Select(c => c.Value).ToList(),
            role,
            user.HasClaim(System, "true"));
    }
}
