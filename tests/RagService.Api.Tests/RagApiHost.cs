using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using RagService.Indexing;

namespace RagService.Api.Tests;

/// <summary>
/// The real API host (real Lucene, USearch, ONNX model, SQLite) over a data folder the test owns.
/// Disposing it and opening another host on the same folder is a service restart. Authentication is on, as
/// in production: the host is configured with <see cref="AdminKey"/> and <see cref="WebApplicationFactory{T}.CreateClient()"/>
/// sends it, so a test acts as the system admin unless it makes a client with another key (<see cref="ClientWithKey"/>).
/// </summary>
public sealed class RagApiHost : WebApplicationFactory<Program>
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    /// <summary>The system admin key every host of the tests is configured with.</summary>
    public const string AdminKey = "test-admin-key-0123456789abcdef";

    private readonly Dictionary<string, string?> _settings;

    public RagApiHost(string dataDirectory, IDictionary<string, string?>? settings = null)
    {
        DataDirectory = dataDirectory;
        _settings = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["Rag:DataDirectory"] = dataDirectory,
            ["Rag:Auth:AdminKey"] = settings?.TryGetValue("Rag:Auth:AdminKey", out var key) == true ? key : AdminKey,
            // Tests poll statuses in tight loops; the rate limit has its own test.
            ["Rag:Limits:RequestsPerMinute"] = settings?.TryGetValue("Rag:Limits:RequestsPerMinute", out var rate) == true ? rate : "0",
            // Warnings and errors still reach the test output; request-by-request information does not.
            ["Logging:LogLevel:Default"] = "Warning",
        };
    }

    public string DataDirectory { get; }

    public IndexRegistry Registry => Services.GetRequiredService<IndexRegistry>();

    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
    }

    /// <summary>A client that sends <paramref name="key"/> (or no credential at all when null) instead of the admin key.</summary>
    public HttpClient ClientWithKey(string? key)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = key is null ? null : new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    public async Task CreateIndexAsync(HttpClient client, string index)
    {
        var response = await client.PutAsJsonAsync($"/v1/indexes/{index}", new { });
        response.EnsureSuccessStatusCode();
    }

    public static async Task<JsonElement> UploadAsync(HttpClient client, string index, params (string Path, string? DocumentId)[] files)
    {
        var response = await PostFilesAsync(client, index, [], files);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Json);
    }

    public static async Task<HttpResponseMessage> PostFilesAsync(HttpClient client, string index, IReadOnlyList<string> tags, params (string Path, string? DocumentId)[] files)
    {
        using var form = new MultipartFormDataContent();
        foreach (var (path, _) in files)
        {
            var content = new ByteArrayContent(await File.ReadAllBytesAsync(path));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(content, "files", Path.GetFileName(path));
        }

        foreach (var (_, id) in files)
        {
            form.Add(new StringContent(id ?? string.Empty), "documentId");
        }

        foreach (var tag in tags)
        {
            form.Add(new StringContent(tag), "tags");
        }

        return await client.PostAsync($"/v1/indexes/{index}/documents", form);
    }

    /// <summary>Polls the document's status until it is ready or failed (the worker runs in the background).</summary>
    public static async Task<JsonElement> WaitForFinalAsync(HttpClient client, string index, string documentId, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(2));
        while (true)
        {
            var status = await client.GetFromJsonAsync<JsonElement>($"/v1/indexes/{index}/documents/{documentId}", Json);
            var state = status.GetProperty("status").GetString();
            if (state is "ready" or "failed")
            {
                return status;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Document {documentId} still '{state}' after the timeout.");
            }

            await Task.Delay(100);
        }
    }

    public static async Task<JsonElement> SearchAsync(HttpClient client, string index, object request)
    {
        var response = await client.PostAsJsonAsync($"/v1/indexes/{index}/search", request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>(Json);
    }
}

/// <summary>A data folder deleted after the test.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ragservice-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still mapped by a closing index: the OS temp cleaner gets it.
        }
    }
}
