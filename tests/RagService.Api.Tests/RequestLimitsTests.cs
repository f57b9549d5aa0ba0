using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using RagService.Evaluation.Hosting;

namespace RagService.Api.Tests;

/// <summary>Limits that hold whoever calls: per-key rate, query length, files per request, and the request size of a chunked upload.</summary>
public sealed class RequestLimitsTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task A_key_over_its_rate_gets_429_with_Retry_After_while_another_key_is_served()
    {
        await using var host = new RagApiHost(_dir.File("data"), new Dictionary<string, string?> { ["Rag:Limits:RequestsPerMinute"] = "3" });
        var admin = host.CreateClient();
        var other = host.ClientWithKey(await SecurityHttp.CreateKeyAsync(admin, "default", "reader"));

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 3; i++)
        {
            last = await admin.GetAsync("/v1/indexes");
            statuses.Add(last.StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, last!.StatusCode);
        Assert.Equal(2, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.True(last.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal(429, (await last.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("/v1/indexes")).StatusCode);
    }

    [Fact]
    public async Task A_query_over_the_length_cap_and_an_upload_over_the_file_count_are_400()
    {
        await using var host = new RagApiHost(_dir.File("data"), new Dictionary<string, string?>
        {
            ["Rag:Limits:MaxQueryChars"] = "20",
            ["Rag:Limits:MaxFilesPerRequest"] = "1",
        });
        var client = host.CreateClient();
        await host.CreateIndexAsync(client, "kb");

        var search = await client.PostAsJsonAsync("/v1/indexes/kb/search", new { query = new string('q', 21) });
        Assert.Equal(HttpStatusCode.BadRequest, search.StatusCode);
        Assert.True((await search.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("query", out _));
        var ask = await client.PostAsJsonAsync("/v1/indexes/kb/ask", new { question = new string('q', 21) });
        Assert.True((await ask.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("question", out _));

        File.WriteAllText(_dir.File("a.md"), "# A\n\nalpha\n");
        File.WriteAllText(_dir.File("b.md"), "# B\n\nbeta\n");
        var upload = await RagApiHost.PostFilesAsync(client, "kb", [], (_dir.File("a.md"), "a"), (_dir.File("b.md"), "b"));
        Assert.Equal(HttpStatusCode.BadRequest, upload.StatusCode);
        Assert.Contains("MaxFilesPerRequest", await upload.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(host.Registry.BlobFolder("kb")));
    }

    [Fact]
    public async Task A_malformed_acl_is_400_and_nothing_is_stored()
    {
        await using var host = new RagApiHost(_dir.File("data"));
        var client = host.CreateClient();
        await host.CreateIndexAsync(client, "kb");
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent("# A\n\nalpha\n"u8.ToArray()), "files", "a.md" },
            { new StringContent("group:finance, manager:bob"), "acl" },
        };

        var response = await client.PostAsync("/v1/indexes/kb/documents", form);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("manager:bob", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(host.Registry.BlobFolder("kb")));
        Assert.Equal(0, (await client.GetFromJsonAsync<JsonElement>("/v1/indexes/kb/documents")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_chunked_upload_over_the_request_limit_is_413_and_leaves_no_file_behind()
    {
        await using var server = await LoopbackApiServer.StartAsync(null, new Dictionary<string, string?>
        {
            ["Rag:DataDirectory"] = _dir.File("data"),
            ["Rag:Auth:AdminKey"] = RagApiHost.AdminKey,
            ["Rag:MaxRequestBytes"] = "100000",
            ["Rag:MaxUploadBytes"] = "60000",
            ["Logging:LogLevel:Default"] = "Warning",
        }, default);
        using var http = server.CreateClient();
        (await http.PutAsJsonAsync("v1/indexes/kb", new { })).EnsureSuccessStatusCode();
        using var form = new MultipartFormDataContent();
        for (var i = 0; i < 3; i++)
        {
            var bytes = new byte[40_000];
            Random.Shared.NextBytes(bytes);
            // A stream of unknown length: the client sends the body chunked, without Content-Length.
            form.Add(new StreamContent(new UnseekableStream(bytes)), "files", $"f{i}.bin");
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/indexes/kb/documents") { Content = form };
        request.Headers.TransferEncodingChunked = true;
        var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Null(request.Content.Headers.ContentLength);
        var blobs = Path.Combine(_dir.File("data"), "indexes", "kb", "blobs");
        Assert.Empty(Directory.Exists(blobs) ? Directory.GetFiles(blobs) : []);
        Assert.Equal(0, (await http.GetFromJsonAsync<JsonElement>("v1/indexes/kb/documents")).GetProperty("total").GetInt32());
    }

    /// <summary>A read-only stream that cannot say its length, as a pipe or socket would.</summary>
    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }

    public void Dispose() => _dir.Dispose();
}
