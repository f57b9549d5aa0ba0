using System.Net;

namespace RagService.Cli.Load;

/// <summary>The load tool only ever targets this machine: a URL whose host is a loopback name or address.</summary>
public static class LoopbackTarget
{
    /// <exception cref="UsageException">The URL is not http(s) on loopback.</exception>
    public static Uri Parse(string url)
    {
        if (!Uri.TryCreate(url.TrimEnd('/') + "/", UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new UsageException($"--url must be an http or https address, not '{url}'.");
        }

        var loopback = uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
        return loopback ? uri : throw new UsageException($"rag load only targets loopback (127.0.0.0/8, ::1, localhost); '{uri.Host}' is not.");
    }
}
