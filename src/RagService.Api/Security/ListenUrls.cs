using System.Net;

namespace RagService.Api.Security;

/// <summary>
/// The addresses the service is configured to listen on (<c>urls</c>/<c>ASPNETCORE_URLS</c>, <c>http_ports</c>,
/// <c>https_ports</c>, <c>Kestrel:Endpoints:*:Url</c>), and whether all of them are loopback. A port-only
/// setting binds every interface, so it is not loopback. With nothing configured Kestrel binds localhost.
/// </summary>
internal static class ListenUrls
{
    public static IReadOnlyList<string> Of(IConfiguration configuration)
    {
        var urls = new List<string>();
        urls.AddRange(Split(configuration["urls"]));
        urls.AddRange(Split(configuration["http_ports"]).Select(p => "http://*:" + p));
        urls.AddRange(Split(configuration["https_ports"]).Select(p => "https://*:" + p));
        urls.AddRange(configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>());
        return urls;
    }

    public static bool AllLoopback(IConfiguration configuration) => Of(configuration).All(IsLoopback);

    public static bool IsLoopback(string url)
    {
        // "http://*:80" and "http://+:80" are not URIs the parser accepts; they mean every interface.
        if (!Uri.TryCreate(url.Replace("://*", "://any", StringComparison.Ordinal).Replace("://+", "://any", StringComparison.Ordinal), UriKind.Absolute, out var uri))
        {
            return false;
        }

        return uri.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
    }

    private static IEnumerable<string> Split(string? value) =>
        value?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
}
