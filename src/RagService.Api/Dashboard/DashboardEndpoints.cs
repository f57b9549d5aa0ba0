using System.Reflection;
using Microsoft.Net.Http.Headers;
using RagService.Api.Security;

namespace RagService.Api.Dashboard;

/// <summary>
/// The admin dashboard at <c>/admin</c>, served by the API itself (same process, same port) from files embedded
/// in this assembly, so it works offline and needs no build step beyond NuGet.
/// <para>
/// Authentication: the page signs in with an API key, or with the identity provider's access token (OpenID Connect
/// code flow with PKCE, run by the page as a public client; see <see cref="RagService.Api.Security.DashboardSignIn"/>),
/// that it keeps in the browser's <c>sessionStorage</c> (gone when the tab closes) and sends as <c>X-Api-Key</c> or
/// <c>Authorization: Bearer</c> on every call to the REST API. We chose this over a
/// server-issued cookie because it adds no second authentication path: every number the dashboard shows and every
/// action it takes goes through the very endpoints, roles, tenants and ACLs that curl does, and with no ambient
/// cookie there is no cross-site request forgery to defend against. The risk it takes instead (script in the page
/// reading the key) is closed by the Content-Security-Policy below: only the dashboard's own script runs, and the
/// script renders data as text, never as HTML. The shell itself holds no data, so it is served without a credential.
/// </para>
/// </summary>
public static class DashboardEndpoints
{
    /// <summary>The dashboard's files by request name, with their content types.</summary>
    private static readonly Dictionary<string, string> Assets = new(StringComparer.Ordinal)
    {
        ["index.html"] = "text/html; charset=utf-8",
        ["app.js"] = "text/javascript; charset=utf-8",
        ["eval.js"] = "text/javascript; charset=utf-8",
        ["stages.js"] = "text/javascript; charset=utf-8",
        ["signin.js"] = "text/javascript; charset=utf-8",
        ["app.css"] = "text/css; charset=utf-8",
    };

    /// <summary>
    /// Only the dashboard's own script runs. connect-src is 'self', and with identity-provider sign-in also the
    /// provider's origin, where the page exchanges its code for a token (<see cref="DashboardSignIn.ConnectSources"/>).
    /// </summary>
    private static string ContentSecurityPolicy(DashboardSignIn signIn) =>
        $"default-src 'none'; script-src 'self'; style-src 'self'; connect-src {signIn.ConnectSources()}; img-src 'self' data: blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static WebApplication MapRagDashboard(this WebApplication app)
    {
        var group = app.MapGroup("/admin").AllowAnonymous().ExcludeFromDescription();
        group.MapGet("/", (DashboardSignIn signIn) => Serve("index.html", signIn)).WithSummary("The admin dashboard (single page; data comes from the REST API)");
        group.MapGet("/{asset}", (string asset, DashboardSignIn signIn) => Assets.ContainsKey(asset) ? Serve(asset, signIn) : Results.NotFound())
            .WithSummary("A file of the admin dashboard (script or stylesheet)");
        return app;
    }

    private static IResult Serve(string asset, DashboardSignIn signIn)
    {
        var stream = typeof(DashboardEndpoints).Assembly.GetManifestResourceStream($"RagService.Api.Dashboard.Assets.{asset}")
            ?? throw new InvalidOperationException($"The dashboard file {asset} is not embedded in the assembly.");
        return new DashboardAsset(stream, Assets[asset], ContentSecurityPolicy(signIn));
    }

    /// <summary>An embedded file with the dashboard's security headers; never cached, so an upgrade shows at once.</summary>
    private sealed class DashboardAsset(Stream content, string contentType, string contentSecurityPolicy) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var headers = httpContext.Response.Headers;
            headers[HeaderNames.ContentSecurityPolicy] = contentSecurityPolicy;
            headers[HeaderNames.XContentTypeOptions] = "nosniff";
            headers[HeaderNames.CacheControl] = "no-store";
            headers["Referrer-Policy"] = "no-referrer";
            httpContext.Response.ContentType = contentType;
            await using (content)
            {
                await content.CopyToAsync(httpContext.Response.Body, httpContext.RequestAborted);
            }
        }
    }
}
