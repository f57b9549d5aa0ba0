using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace RagService.Api.Tests;

/// <summary>A JSON body the API cannot read is answered with a ProblemDetails that says what is wrong and where, on every JSON endpoint.</summary>
public sealed class JsonBodyErrorTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Malformed_and_mistyped_bodies_get_problem_details_with_the_path_position_and_expected_type()
    {
        await using var host = new RagApiHost(_dir.File("data"));
        var client = host.CreateClient();
        await host.CreateIndexAsync(client, "kb");

        var truncated = await PostJsonAsync(client, HttpMethod.Post, "/v1/indexes/kb/search", """{"query":"x",""");
        Assert.Equal("Malformed JSON", truncated.GetProperty("title").GetString());
        Assert.Contains("not valid JSON", truncated.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, truncated.GetProperty("line").GetInt32());
        Assert.Equal(13, truncated.GetProperty("position").GetInt32());
        Assert.StartsWith("$", truncated.GetProperty("path").GetString(), StringComparison.Ordinal);

        var wrongType = await PostJsonAsync(client, HttpMethod.Post, "/v1/indexes/kb/search", """{"query":"x","topK":"five"}""");
        Assert.Equal("Invalid JSON value", wrongType.GetProperty("title").GetString());
        Assert.Equal("$.topK", wrongType.GetProperty("path").GetString());
        Assert.Contains("integer", wrongType.GetProperty("expected").GetString(), StringComparison.Ordinal);
        Assert.Contains("$.topK", wrongType.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("integer", wrongType.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var secondLine = await PostJsonAsync(client, HttpMethod.Post, "/v1/indexes/kb/ask", "{\n  \"question\": \"x\",\n  \"topK\": true\n}");
        Assert.Equal("$.topK", secondLine.GetProperty("path").GetString());
        Assert.Equal(3, secondLine.GetProperty("line").GetInt32());
    }

    [Theory]
    [InlineData("PUT", "/v1/indexes/other", """{"chunkMaxTokens":"big"}""", "$.chunkMaxTokens")]
    [InlineData("PUT", "/v1/indexes/other", """{"embeddingModel":"minilm" """, "$")]
    [InlineData("POST", "/v1/indexes/kb/search", """{"query":"x","filter":{"tags":["a"]}}""", "$.filter.tags")]
    [InlineData("POST", "/v1/indexes/kb/ask", """{"question":"x","trace":"yes"}""", "$.trace")]
    [InlineData("POST", "/v1/indexes/kb/ask", """{"question":"x" "topK":3}""", "$")]
    public async Task Every_json_endpoint_says_where_its_body_is_wrong(string method, string url, string body, string pathPrefix)
    {
        await using var host = new RagApiHost(_dir.File("data"));
        var client = host.CreateClient();
        await host.CreateIndexAsync(client, "kb");

        var problem = await PostJsonAsync(client, new HttpMethod(method), url, body);

        Assert.StartsWith(pathPrefix, problem.GetProperty("path").GetString(), StringComparison.Ordinal);
        Assert.True(problem.GetProperty("line").GetInt32() >= 1);
        Assert.True(problem.GetProperty("position").GetInt32() >= 1);
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_415_problem_details_naming_the_media_type()
    {
        await using var host = new RagApiHost(_dir.File("data"));
        var client = host.CreateClient();
        await host.CreateIndexAsync(client, "kb");

        var response = await client.PostAsync("/v1/indexes/kb/search", new StringContent("query=x", Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(RagApiHost.Json);
        Assert.True(problem.TryGetProperty("detail", out var detail), problem.ToString());
        Assert.Contains("text/plain", detail.GetString(), StringComparison.Ordinal);
    }

    private static async Task<JsonElement> PostJsonAsync(HttpClient client, HttpMethod method, string url, string body)
    {
        using var request = new HttpRequestMessage(method, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(RagApiHost.Json);
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        return problem;
    }

    public void Dispose() => _dir.Dispose();
}

/// <summary>Every error status reads the same: ProblemDetails with the RFC 9110 type, a title and a detail that says what to change.</summary>
public sealed class ProblemConsistencyTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Not_found_conflict_too_large_and_unsupported_media_type_are_problem_details_with_a_detail()
    {
        await using var host = new RagApiHost(_dir.File("data"), new Dictionary<string, string?> { ["Rag:MaxUploadBytes"] = "10" });
        var client = host.CreateClient();
        await host.CreateIndexAsync(client, "kb");
        var big = _dir.File("big.txt");
        await File.WriteAllTextAsync(big, new string('x', 100));

        var responses = new[]
        {
            (HttpStatusCode.NotFound, await client.GetAsync("/v1/indexes/nope")),
            (HttpStatusCode.NotFound, await client.GetAsync("/v1/no-such-route")),
            (HttpStatusCode.Conflict, await client.PutAsJsonAsync("/v1/indexes/kb", new { chunkMaxTokens = 300 })),
            (HttpStatusCode.RequestEntityTooLarge, await RagApiHost.PostFilesAsync(client, "kb", [], (big, "big"))),
            (HttpStatusCode.UnsupportedMediaType, await client.PostAsJsonAsync("/v1/indexes/kb/documents", new { file = "x" })),
            (HttpStatusCode.UnsupportedMediaType, await client.PostAsync("/v1/indexes/kb/search", new StringContent("query=x", Encoding.UTF8, "text/plain"))),
            (HttpStatusCode.BadRequest, await client.PostAsJsonAsync("/v1/indexes/kb/search", new { query = " " })),
        };

        foreach (var (status, response) in responses)
        {
            Assert.Equal(status, response.StatusCode);
            Assert.True("application/problem+json" == response.Content.Headers.ContentType?.MediaType, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {response.Content.Headers.ContentType}");
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(RagApiHost.Json);
            Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
            Assert.StartsWith("https://tools.ietf.org/html/rfc9110#section-15.", problem.GetProperty("type").GetString(), StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()), problem.ToString());
            if (status != HttpStatusCode.BadRequest)
            {
                Assert.False(string.IsNullOrWhiteSpace(problem.TryGetProperty("detail", out var detail) ? detail.GetString() : null), problem.ToString());
            }
        }
    }

    public void Dispose() => _dir.Dispose();
}
