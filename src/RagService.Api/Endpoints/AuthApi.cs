using System.ComponentModel;
using RagService.Api.Security;

namespace RagService.Api.Endpoints;

/// <summary>How the dashboard may sign in. Anonymous, and holds no secret: a public client's id and the provider's public endpoints.</summary>
public sealed record DashboardAuthInfo(
    [property: Description("True when the service accepts API keys (X-Api-Key).")] bool ApiKeys,
    [property: Description("True when the service accepts identity-provider tokens (Authorization: Bearer).")] bool Tokens,
    [property: Description("Sign-in with the identity provider (OpenID Connect code flow with PKCE); null when no client id is configured or discovery failed.")] DashboardIdentityProvider? IdentityProvider,
    [property: Description("Why provider sign-in is configured but not offered now (its discovery document could not be read).")] string? IdentityProviderError);

/// <summary>What the page needs to run the authorization code flow with PKCE as a public client (no secret).</summary>
public sealed record DashboardIdentityProvider(
    [property: Description("The provider's name for the button: \"Sign in with {name}\".")] string Name,
    string ClientId,
    [property: Description("Space-separated scopes to ask for.")] string Scopes,
    string Issuer,
    string AuthorizationEndpoint,
    string TokenEndpoint,
    string? EndSessionEndpoint);

/// <summary><c>/v1/auth</c>: how a client signs in.</summary>
public static class AuthApi
{
    public static RouteGroupBuilder MapAuthApi(this RouteGroupBuilder v1)
    {
        v1.MapGet("/auth/dashboard", Dashboard).WithTags("Keys").AllowAnonymous()
            .WithSummary("How the dashboard signs in: API keys, tokens, and the identity provider's public client and endpoints (anonymous; no secrets)");
        return v1;
    }

    internal static async Task<DashboardAuthInfo> Dashboard(DashboardSignIn signIn, CancellationToken cancellationToken)
    {
        var auth = signIn.Auth;
        var (endpoints, error) = await signIn.EndpointsAsync(cancellationToken);
        var options = auth.Jwt.Dashboard;
        var provider = endpoints is null ? null : new DashboardIdentityProvider(
            options.Name, options.ClientId!.Trim(), options.Scopes.Trim(), endpoints.Issuer, endpoints.AuthorizationEndpoint, endpoints.TokenEndpoint, endpoints.EndSessionEndpoint);
        return new DashboardAuthInfo(auth.AcceptsApiKeys, auth.AcceptsJwt, provider, error);
    }
}
