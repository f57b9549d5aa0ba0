using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace RagService.Api.Tests;

/// <summary>
/// A minimal OpenID Connect provider on Kestrel over loopback, for the dashboard's sign-in tests: a real identity
/// provider (Keycloak, Entra ID) cannot run here. It has what the service and the page use, over real HTTP: the
/// discovery document, the JWKS (its own RSA key), an authorization endpoint that approves at once (no login form:
/// the user is whoever <see cref="SignInAs"/> named) and redirects with a one-time code, and a token endpoint that
/// checks the client, the redirect URI and the PKCE verifier (S256) before it issues an access token for
/// <see cref="Audience"/> and an ID token with the nonce. It answers the page's cross-origin token request with
/// CORS, as a provider's "web origins" (Keycloak) or SPA platform (Entra ID) do.
/// </summary>
internal sealed class TestIdentityProvider : IAsyncDisposable
{
    public const string ClientId = "rag-dashboard";
    public const string Audience = "rag-api";

    private readonly WebApplication _app;
    private readonly RSA _key = RSA.Create(2048);
    private readonly ConcurrentDictionary<string, Grant> _codes = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<string> _redirectUris = [];
    private volatile (string Type, string Value)[] _user = [("sub", "alice"), ("tenant", "default")];

    private TestIdentityProvider(WebApplication app)
    {
        _app = app;
        Authority = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single().TrimEnd('/');
    }

    /// <summary>The issuer and base URL (http://127.0.0.1:port), as <c>Rag:Auth:Jwt:Authority</c>.</summary>
    public string Authority { get; }

    /// <summary>How long the access tokens it issues live.</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>What each token request came to: "issued", or the OAuth error it was answered with.</summary>
    public ConcurrentQueue<string> TokenRequests { get; } = new();

    /// <summary>The authorization requests' query strings, as the page sent them.</summary>
    public ConcurrentQueue<IQueryCollection> AuthorizationRequests { get; } = new();

    public static async Task<TestIdentityProvider> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        TestIdentityProvider? provider = null;
        app.MapGet("/.well-known/openid-configuration", () => Results.Json(provider!.Discovery()));
        app.MapGet("/jwks", () => Results.Json(provider!.Jwks()));
        app.MapGet("/authorize", (HttpRequest request) => provider!.Authorize(request.Query));
        app.MapPost("/token", async (HttpRequest request) => provider!.Token(await request.ReadFormAsync(), request.HttpContext));
        await app.StartAsync();
        provider = new TestIdentityProvider(app);
        return provider;
    }

    /// <summary>A redirect URI the client is registered with (the dashboard's <c>…/admin/</c>).</summary>
    public void AllowRedirect(Uri redirectUri) => _redirectUris.Add(redirectUri.ToString());

    /// <summary>The user (its claims) the next authorization approves.</summary>
    public void SignInAs(params (string Type, string Value)[] claims) => _user = claims;

    /// <summary>An access token for the API with these claims, signed with the provider's key.</summary>
    public string AccessToken(TimeSpan lifetime, params (string Type, string Value)[] claims) => Sign(Audience, lifetime, claims);

    private object Discovery() => new Dictionary<string, object>
    {
        ["issuer"] = Authority,
        ["authorization_endpoint"] = $"{Authority}/authorize",
        ["token_endpoint"] = $"{Authority}/token",
        ["jwks_uri"] = $"{Authority}/jwks",
        ["response_types_supported"] = new[] { "code" },
        ["subject_types_supported"] = new[] { "public" },
        ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
        ["code_challenge_methods_supported"] = new[] { "S256" },
    };

    private object Jwks()
    {
        var p = _key.ExportParameters(false);
        return new { keys = new[] { new { kty = "RSA", use = "sig", alg = "RS256", kid = KeyId, n = Base64UrlEncoder.Encode(p.Modulus), e = Base64UrlEncoder.Encode(p.Exponent) } } };
    }

    private string KeyId => "test-" + Convert.ToHexString(SHA256.HashData(_key.ExportSubjectPublicKeyInfo()))[..12];

    private IResult Authorize(IQueryCollection query)
    {
        AuthorizationRequests.Enqueue(query);
        string redirect = query["redirect_uri"].ToString();
        if (query["client_id"] != ClientId || !_redirectUris.Contains(redirect))
        {
            // Never redirect to an unregistered address: the provider shows the error itself.
            return Results.BadRequest("unknown client or redirect_uri");
        }

        var error = query["response_type"] != "code" ? "unsupported_response_type"
            : query["code_challenge_method"] != "S256" || string.IsNullOrEmpty(query["code_challenge"]) ? "invalid_request"
            : null;
        var target = new StringBuilder(redirect).Append(redirect.Contains('?', StringComparison.Ordinal) ? '&' : '?');
        if (error is not null)
        {
            target.Append("error=").Append(error);
        }
        else
        {
            var code = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(24));
            _codes[code] = new Grant(query["code_challenge"]!, query["nonce"].ToString(), redirect, _user);
            target.Append("code=").Append(Uri.EscapeDataString(code));
        }

        target.Append("&state=").Append(Uri.EscapeDataString(query["state"].ToString()));
        return Results.Redirect(target.ToString());
    }

    private IResult Token(IFormCollection form, HttpContext http)
    {
        // CORS for the page's fetch: any origin, as a provider configured with the dashboard's origin would answer it.
        if (http.Request.Headers.Origin is { Count: > 0 } origin)
        {
            http.Response.Headers.AccessControlAllowOrigin = origin.ToString();
        }

        IResult Refuse(string error, string description)
        {
            TokenRequests.Enqueue($"{error}: {description}");
            return Results.Json(new { error, error_description = description }, statusCode: StatusCodes.Status400BadRequest);
        }

        if (form["grant_type"] != "authorization_code")
        {
            return Refuse("unsupported_grant_type", "only authorization_code");
        }

        if (!_codes.TryRemove(form["code"].ToString(), out var grant))
        {
            return Refuse("invalid_grant", "unknown or used code");
        }

        if (form["client_id"] != ClientId || form["redirect_uri"] != grant.RedirectUri)
        {
            return Refuse("invalid_grant", "client_id or redirect_uri differs from the authorization request");
        }

        var verifier = form["code_verifier"].ToString();
        if (verifier.Length < 43 || Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))) != grant.CodeChallenge)
        {
            return Refuse("invalid_grant", "PKCE verification failed");
        }

        TokenRequests.Enqueue("issued");
        return Results.Json(new
        {
            access_token = Sign(Audience, AccessTokenLifetime, grant.User),
            id_token = Sign(ClientId, TimeSpan.FromMinutes(5), [.. grant.User.Where(c => c.Type == "sub"), ("nonce", grant.Nonce)]),
            token_type = "Bearer",
            expires_in = (int)AccessTokenLifetime.TotalSeconds,
        });
    }

    private string Sign(string audience, TimeSpan lifetime, IEnumerable<(string Type, string Value)> claims)
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Authority,
            Audience = audience,
            IssuedAt = now,
            NotBefore = now.AddSeconds(-5),
            Expires = now + lifetime,
            Subject = new ClaimsIdentity(claims.Select(c => new Claim(c.Type, c.Value))),
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(_key) { KeyId = KeyId }, SecurityAlgorithms.RsaSha256),
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _key.Dispose();
    }

    private sealed record Grant(string CodeChallenge, string Nonce, string RedirectUri, (string Type, string Value)[] User);
}
