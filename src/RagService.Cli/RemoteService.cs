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

    /// <summary>Files up to the service as one multipart upload, then each document's status until it is ready or failed.</summary>
    public static async Task<IReadOnlyList<JsonElement>> IngestAsync(
        HttpClient http, string index, IReadOnlyList<(string Path, string DocumentId)> files, IReadOnlyDictionary<string, string> tags, CancellationToken ct)
    {
        using (var probe = await http.GetAsync(new Uri($"v1/indexes/{Uri.EscapeDataString(index)}", UriKind.Relative), ct))
        {
            if (probe.StatusCode == HttpStatusCode.NotFound)
            {
                using var created = await http.PutAsJsonAsync(new Uri($"v1/indexes/{Uri.EscapeDataString(index)}", UriKind.Relative), new { }, ct);
                await ReadAsync(created, ct);
            }
        }

        using (var form = new MultipartFormDataContent())
        {
            foreach (var (path, _) in files)
            {
                var content = new StreamContent(File.OpenRead(path));
                content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                form.Add(content, "files", Path.GetFileName(path));
            }

            foreach (var (_, id) in files)
            {
                form.Add(new StringContent(id), "documentId");
            }

            foreach (var (key, value) in tags)
            {
                form.Add(new StringContent($"{key}:{value}"), "tags");
            }

            using var uploaded = await http.PostAsync(new Uri($"v1/indexes/{Uri.EscapeDataString(index)}/documents", UriKind.Relative), form, ct);
            await ReadAsync(uploaded, ct);
        }

        var statuses = new List<JsonElement>();
        await AnsiConsole.Progress().AutoClear(false).StartAsync(async progress =>
        {
            var task = progress.AddTask("Parsing, embedding, indexing (remote)", maxValue: files.Count);
            foreach (var (_, id) in files)
            {
                statuses.Add(await WaitForFinalAsync(http, index, id, ct));
                task.Increment(1);
            }
        });
        return statuses;
    }

    private static async Task<JsonElement> WaitForFinalAsync(HttpClient http, string index, string documentId, CancellationToken ct)
    {
        var path = new Uri($"v1/indexes/{Uri.EscapeDataString(index)}/documents/{Uri.EscapeDataString(documentId)}", UriKind.Relative);
        while (true)
        {
            using var response = await http.GetAsync(path, ct);
            var status = await ReadAsync(response, ct);
            if (status.GetProperty("status").GetString() is "ready" or "failed")
            {
                return status;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
        }
    }

    /// <summary>The body of a successful answer; a problem's title and detail in the exception otherwise.</summary>
    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, CancellationToken ct)
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
