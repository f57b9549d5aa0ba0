namespace RagService.Api.Security;

/// <summary>
/// Authentication and authorization for the API. Placeholder seam: every policy admits every caller
/// (issue 11 replaces this with API keys, JWT, tenants and roles).
/// </summary>
public static class SecurityExtensions
{
    public static IServiceCollection AddRagSecurity(this IServiceCollection services)
    {
        services.AddAuthorization(o =>
        {
            o.AddPolicy(RagPolicies.Reader, p => p.RequireAssertion(_ => true));
            o.AddPolicy(RagPolicies.Ingester, p => p.RequireAssertion(_ => true));
            o.AddPolicy(RagPolicies.Admin, p => p.RequireAssertion(_ => true));
        });
        return services;
    }

    public static WebApplication UseRagSecurity(this WebApplication app)
    {
        app.UseAuthorization();
        return app;
    }
}
