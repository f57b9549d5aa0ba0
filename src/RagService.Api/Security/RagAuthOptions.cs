namespace RagService.Api.Security;

/// <summary>
/// The "Rag:Auth" section: who may call the API. Secure by default: API keys, with a bootstrap admin key
/// created on first start when none is configured.
/// </summary>
public sealed class RagAuthOptions
{
    public const string Section = "Rag:Auth";

    /// <summary>"apikey" (default), "jwt", "apikey+jwt" or "none" (refused unless every listen URL is loopback).</summary>
    public string Mode { get; set; } = "apikey";

    /// <summary>
    /// The system admin key. When unset, a key is generated on first start and written once to
    /// <c>{data}/secrets/admin.key</c>; <c>RAG_ADMIN_KEY</c> in the environment sets it too.
    /// </summary>
    public string? AdminKey { get; set; }

    /// <summary>Whether <c>/openapi</c> and <c>/scalar</c> answer without a credential. Unset: true when every listen URL is loopback.</summary>
    public bool? PublicDocs { get; set; }

    /// <summary>OIDC/JWT bearer tokens from the company's identity provider (modes "jwt" and "apikey+jwt").</summary>
    public RagJwtOptions Jwt { get; set; } = new();

    public bool AcceptsApiKeys => Normalized is "apikey" or "apikey+jwt";

    public bool AcceptsJwt => Normalized is "jwt" or "apikey+jwt";

    public bool IsOff => Normalized == "none";

    private string Normalized => (Mode ?? string.Empty).Trim().ToLowerInvariant();
}

/// <summary>
/// Tokens are validated by the standard JWT bearer handler: from <see cref="Authority"/>'s discovery document,
/// or against <see cref="SigningKeys"/> (PEM public keys) when the identity provider is not reachable.
/// The claim names say where the tenant, user, groups and role are in the token.
/// </summary>
public sealed class RagJwtOptions
{
    /// <summary>The issuer's base URL (Entra ID: https://login.microsoftonline.com/{tenant}/v2.0; Keycloak: the realm URL).</summary>
    public string? Authority { get; set; }

    /// <summary>The expected <c>iss</c>; defaults to the authority's.</summary>
    public string? Issuer { get; set; }

    /// <summary>The expected <c>aud</c> (required).</summary>
    public string? Audience { get; set; }

    /// <summary>PEM-encoded RSA or EC public keys the tokens may be signed with (instead of discovery).</summary>
    public List<string> SigningKeys { get; set; } = [];

    public string TenantClaim { get; set; } = "tenant";

    public string UserClaim { get; set; } = "sub";

    public string GroupsClaim { get; set; } = "groups";

    /// <summary>Holds reader, ingester or admin; the strongest wins; a token without one is a reader.</summary>
    public string RoleClaim { get; set; } = "roles";

    /// <summary>Require HTTPS for the metadata address (leave true outside tests).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>Sign-in to the admin dashboard with the identity provider (OpenID Connect, code flow with PKCE).</summary>
    public RagDashboardSignInOptions Dashboard { get; set; } = new();
}

/// <summary>
/// The "Rag:Auth:Jwt:Dashboard" section: the dashboard at <c>/admin</c> as a public client of the identity provider
/// (no secret; authorization code flow with PKCE, run by the page itself). The endpoints come from
/// <see cref="RagJwtOptions.Authority"/>'s discovery document; the token the page gets is the access token the API
/// validates like any other, so the provider must issue it for <see cref="RagJwtOptions.Audience"/>.
/// </summary>
public sealed class RagDashboardSignInOptions
{
    /// <summary>The dashboard's client id at the provider (a public / SPA client whose redirect URI is <c>https://{host}/admin/</c>). Unset: no provider button.</summary>
    public string? ClientId { get; set; }

    /// <summary>The scopes the page asks for, space-separated (Entra ID: <c>openid profile api://{api-client-id}/access</c>).</summary>
    public string Scopes { get; set; } = "openid profile";

    /// <summary>The provider's name on the button: "Sign in with {Name}".</summary>
    public string Name { get; set; } = "identity provider";

    public bool IsConfigured => !string.IsNullOrWhiteSpace(ClientId);
}
