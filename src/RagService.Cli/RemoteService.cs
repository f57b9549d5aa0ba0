using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Spectre.Console;

namespace RagService.Cli;

/// <summary>
/// A running RagService reached with <c>--url</c>: the REST API as any client calls it, with
/// <c>--api-key</c> sent as <c>X-Api-Key</c>. Answers are read as JSON documents, printed like the
/// in-process commands print theirs.
/// </summary>
public static class RemoteService
{
    public const string ApiKeyHeader = "X-Api-Key";

    public static HttpClient CreateClient(CommandLine line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var url = line.Require("url");
        if (!Uri.TryCreate(url.TrimEnd('/') + "/", UriKind.Absolute, out var baseAddress) || baseAddress.Scheme is not ("http" or "https"))
        {
            throw new UsageException($"--url must be an http or https address, not '{url}'.");
        }

        return CreateClient(baseAddress, line.Get("api-key") ?? LocalAdminKey(line));
    }

    /// <summary>
    /// Without <c>--api-key</c>: <c>RAG_API_KEY</c>, else the admin key of a service on this machine over the CLI's
    /// data folder (configured, or the one the service wrote to <c>{data}/secrets/admin.key</c>).
    /// </summary>
    private static string? LocalAdminKey(CommandLine line)
    {
        if (Environment.GetEnvironmentVariable("RAG_API_KEY") is { Length: > 0 } key)
        {
            return key;
        }

        var configuration = CliHost.Configuration(line);
        return Api.Security.AdminKeyFile.Find(configuration, configuration["Rag:DataDirectory"] ?? "./data");
    }

    public static HttpClient CreateClient(Uri baseAddress, string? apiKey)
    {
        var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(5) };
        if (!string.IsNullOrEmpty(apiKey))
        {
            http.DefaultRequestHeaders.Add(ApiKeyHeader, apiKey);
        }

        return http;
    }

    public static async Task<JsonElement> PostAsync(HttpClient http, string path, object body, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync(new Uri(path, UriKind.Relative), body, ct);
        return await ReadAsync(response, ct);
    }

    /// <summary>Creates the index with the service's defaults unless it exists (PUT is idempotent, but needs the admin role: asked only when missing).</summary>
    public static async Task EnsureIndexAsync(HttpClient http, string index, CancellationToken ct)
    {
        var path = new Uri($"v1/indexes/{Uri.EscapeDataString(index)}", UriKind.Relative);
        using var probe = await SendAsync(http, () => new HttpRequestMessage(HttpMethod.Get, path), ct);
        if (probe.StatusCode == HttpStatusCode.NotFound)
        {
            using var created = await SendAsync(http, () => new HttpRequestMessage(HttpMethod.Put, path) { Content = JsonContent.Create(new { }) }, ct);
            await ReadAsync(created, ct);
            return;
        }

        await ReadAsync(probe, ct);
    }

    /// <summary>
    /// Sends the request <paramref name="create"/> builds (again for each attempt: a body is read once), retrying what
    /// is worth retrying: 429 and 503 that carry <c>Retry-After</c> (the service shedding load or rate-limiting this
    /// caller) after the time it asks, at most 12 times; a connection that failed, 3 times with a growing pause.
    /// Any other answer is returned as it is.
    /// </summary>
    public static async Task<HttpResponseMessage> SendAsync(HttpClient http, Func<HttpRequestMessage> create, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(create);
        for (var attempt = 1; ; attempt++)
        {
            HttpResponseMessage response;
            using (var request = create())
            {
                try
                {
                    response = await http.SendAsync(request, ct);
                }
                catch (HttpRequestException e) when (e.StatusCode is null && attempt < 4 && !ct.IsCancellationRequested)
                {
                    await Task.Delay(TimeSpan.FromSeconds(1 << (attempt - 1)), ct);
                    continue;
                }
            }

            if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable
                && response.Headers.RetryAfter is { } after && attempt < 12)
            {
                var wait = after.Delta ?? (after.Date is { } date ? date - DateTimeOffset.UtcNow : TimeSpan.FromSeconds(1));
                response.Dispose();
                await Task.Delay(TimeSpan.FromSeconds(Math.Clamp(wait.TotalSeconds, 0.1, 30)), ct);
                continue;
            }

            return response;
        }
    }

    /// <summary>The body of a successful answer; a problem's title and detail in the exception otherwise.</summary>
    internal static async Task<JsonElement> ReadAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            var detail = text.Length > 500 ? text[..500] : text;
            throw new HttpRequestException(
                string.Create(CultureInfo.InvariantCulture, $"{(int)response.StatusCode} {response.ReasonPhrase} from {response.RequestMessage?.RequestUri}: {detail}"),
                null, response.StatusCode);
        }

        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }
}
