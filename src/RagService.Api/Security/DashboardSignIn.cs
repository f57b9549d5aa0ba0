using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace RagService.Api.Security;

/// <summary>The identity provider's endpoints the dashboard's sign-in needs, from the authority's discovery document.</summary>
public sealed record IdentityProviderEndpoints(string Issuer, string AuthorizationEndpoint, string TokenEndpoint, string? EndSessionEndpoint);

/// <summary>
/// The dashboard's sign-in with the identity provider (<see cref="RagDashboardSignInOptions"/>). The provider's
/// endpoints come from the discovery document the JWT bearer handler already reads for its signing keys (the same
/// cached configuration manager, so nothing is fetched twice). The page talks to the provider itself; the service
/// only tells it where, and lets its script reach the token endpoint (<see cref="ConnectSources"/>).
/// </summary>
public sealed class DashboardSignIn(IOptions<RagAuthOptions> auth, IOptionsMonitor<JwtBearerOptions> jwt, ILogger<DashboardSignIn> logger)
{
    /// <summary>The token endpoint's origin from the last discovery, when it is not the authority's (then the CSP must name it too).</summary>
    private volatile string? _discoveredTokenOrigin;

    public RagAuthOptions Auth => auth.Value;

    /// <summary>True when the page may offer "Sign in with …": tokens accepted, a client id and an authority configured.</summary>
    public bool IsConfigured => Auth.AcceptsJwt && Auth.Jwt.Dashboard.IsConfigured && AuthorityUri is not null;

    private Uri? AuthorityUri => Uri.TryCreate(Auth.Jwt.Authority, UriKind.Absolute, out var uri) ? uri : null;

    /// <summary>The provider's endpoints, or an error in words when its discovery document cannot be read.</summary>
    public async Task<(IdentityProviderEndpoints? Endpoints, string? Error)> EndpointsAsync(CancellationToken cancellationToken)
    {
        if (!IsConfigured)
        {
            return (null, null);
        }

        try
        {
            var manager = jwt.Get(JwtSetup.Scheme).ConfigurationManager
                ?? throw new InvalidOperationException("the JWT handler has no discovery configuration");
            var discovered = await manager.GetConfigurationAsync(cancellationToken);
            if (string.IsNullOrEmpty(discovered.AuthorizationEndpoint) || string.IsNullOrEmpty(discovered.TokenEndpoint))
            {
                return (null, "The identity provider's discovery document names no authorization or token endpoint.");
            }

            var tokenOrigin = Origin(discovered.TokenEndpoint);
            _discoveredTokenOrigin = tokenOrigin == Origin(AuthorityUri!.ToString()) ? null : tokenOrigin;
            return (new IdentityProviderEndpoints(discovered.Issuer, discovered.AuthorizationEndpoint, discovered.TokenEndpoint,
                string.IsNullOrEmpty(discovered.EndSessionEndpoint) ? null : discovered.EndSessionEndpoint), null);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(e, "Dashboard sign-in: the identity provider's discovery document at {Authority} could not be read", Auth.Jwt.Authority);
            return (null, "The identity provider's discovery document could not be read; sign in with a key, or try again later.");
        }
    }

    /// <summary>
    /// The CSP's connect-src: the service itself, and with provider sign-in the authority's origin (where the page
    /// exchanges the code at the token endpoint), plus the token endpoint's origin when discovery put it elsewhere.
    /// </summary>
    public string ConnectSources()
    {
        if (!IsConfigured)
        {
            return "'self'";
        }

        var sources = new List<string> { "'self'", Origin(AuthorityUri!.ToString()) };
        if (_discoveredTokenOrigin is { } other)
        {
            sources.Add(other);
        }

        return string.Join(' ', sources.Distinct(StringComparer.OrdinalIgnoreCase));
    }

    private static string Origin(string url)
    {
        var uri = new Uri(url, UriKind.Absolute);
        return uri.GetLeftPart(UriPartial.Authority);
    }
}
