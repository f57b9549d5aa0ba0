using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using RagService.Api.Hosting;

namespace RagService.Api.Security;

/// <summary>
/// Authentication and authorization for the API (see docs/security.md). Every endpoint needs a reader unless
/// it says otherwise (the fallback policy): an endpoint added later is closed until its author opens it.
/// </summary>
public static class SecurityExtensions
{
    /// <summary>The policy scheme that picks API key, JWT or none per request.</summary>
    public const string Scheme = "Rag";

    public static IServiceCollection AddRagSecurity(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RagAuthOptions>().BindConfiguration(RagAuthOptions.Section);
        services.AddSingleton(sp => new ApiKeyStore(Path.Combine(Path.GetFullPath(sp.GetRequiredService<IOptions<RagOptions>>().Value.DataDirectory), "secrets")));
        services.AddHostedService<SecurityStartup>();
        services.AddSingleton<Audit>();
        services.AddSingleton<DashboardSignIn>();
        services.AddRagRequestLimits();
        services.TryAddTimeProvider();

        var auth = configuration.GetSection(RagAuthOptions.Section).Get<RagAuthOptions>() ?? new RagAuthOptions();
        var authentication = services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "API key, token or none", o => o.ForwardDefaultSelector = http => SchemeFor(http, auth))
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, NoAuthenticationHandler>(NoAuthenticationHandler.SchemeName, null);
        if (auth.AcceptsJwt)
        {
            authentication.AddJwtBearer(JwtSetup.Scheme, o => JwtSetup.Configure(o, auth.Jwt));
        }

        var publicDocs = auth.PublicDocs ?? ListenUrls.AllLoopback(configuration);
        services.AddAuthorization(o =>
        {
            o.AddPolicy(RagPolicies.Reader, p => p.RequireClaim(RagClaims.Role, RagRoles.Reader, RagRoles.Ingester, RagRoles.Admin));
            o.AddPolicy(RagPolicies.Ingester, p => p.RequireClaim(RagClaims.Role, RagRoles.Ingester, RagRoles.Admin));
            o.AddPolicy(RagPolicies.Admin, p => p.RequireClaim(RagClaims.Role, RagRoles.Admin));
            o.AddPolicy(RagPolicies.Docs, p => p.RequireAssertion(c => publicDocs || c.User.HasClaim(h => h.Type == RagClaims.Role)));
            o.FallbackPolicy = o.GetPolicy(RagPolicies.Reader);
        });
        return services;
    }

    public static WebApplication UseRagSecurity(this WebApplication app)
    {
        app.UseAuthentication();
        app.Use((http, next) =>
        {
            if (RagClaims.ToCaller(http.User) is { } caller)
            {
                http.Features.Set(caller);
            }

            return next(http);
        });
        app.UseAuthorization();
        app.UseRagRequestLimits();
        return app;
    }

    private static string SchemeFor(HttpContext http, RagAuthOptions auth)
    {
        if (auth.IsOff)
        {
            return NoAuthenticationHandler.SchemeName;
        }

        if (!auth.AcceptsJwt)
        {
            return ApiKeyAuthenticationHandler.SchemeName;
        }

        if (!auth.AcceptsApiKeys)
        {
            return JwtSetup.Scheme;
        }

        // Both: a bearer credential shaped like a JWT (three dot-separated parts) is a token, anything else a key.
        var presented = ApiKeyAuthenticationHandler.PresentedKey(http.Request);
        return presented is not null && !http.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.HeaderName) && presented.Count(c => c == '.') == 2
            ? JwtSetup.Scheme
            : ApiKeyAuthenticationHandler.SchemeName;
    }

    private static void TryAddTimeProvider(this IServiceCollection services) =>
        Microsoft.Extensions.DependencyInjection.Extensions.ServiceCollectionDescriptorExtensions.TryAddSingleton(services, TimeProvider.System);
}
