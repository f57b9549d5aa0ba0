using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using RagService.TestSupport;

namespace RagService.Api.Tests;

/// <summary>Bad input fails that one document (or request) with a clear reason; nothing else is affected.</summary>
public sealed class BadInputTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private const string PdfQuestion = "How many days are backups retained?";

    [Fact]
    public async Task Each_bad_file_fails_alone_with_its_reason_while_good_files_in_the_same_batch_become_ready()
    {
        var empty = _dir.File("empty.txt");
        await File.WriteAllBytesAsync(empty, []);
        var binary = _dir.File("blob.bin");
        await File.WriteAllBytesAsync(binary, Enumerable.Range(0, 4096).Select(i => (byte)(i * 7 % 256)).ToArray());
        var textNamedPdf = _dir.File("notes.pdf");
        await File.WriteAllTextAsync(textNamedPdf, "These meeting notes are plain text although the file claims to be a PDF.");
        var pdf = _dir.File("policy.pdf");
        TestDocuments.WritePdf(pdf);
        var truncated = _dir.File("truncated.pdf");
        var bytes = await File.ReadAllBytesAsync(pdf);
        await File.WriteAllBytesAsync(truncated, bytes[..(bytes.Length / 2)]);
        var image = _dir.File("scan.png");
        await File.WriteAllBytesAsync(image, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);

        await using var host = new RagApiHost(_dir.File("data"));
        var client = host.CreateClient();
        await host.CreateIndexAsync(client, "kb");
        await RagApiHost.UploadAsync(client, "kb", (empty, "empty"), (binary, "binary"), (textNamedPdf, "mislabeled"), (truncated, "truncated"), (pdf, "good"), (image, "image"));

        var emptyStatus = await RagApiHost.WaitForFinalAsync(client, "kb", "empty");
        Assert.Equal("failed", emptyStatus.GetProperty("status").GetString());
        Assert.Contains("empty", emptyStatus.GetProperty("error").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("parsing", emptyStatus.GetProperty("failedStep").GetString());

        var binaryStatus = await RagApiHost.WaitForFinalAsync(client, "kb", "binary");
        Assert.Equal("failed", binaryStatus.GetProperty("status").GetString());
        Assert.Contains("unsupported", binaryStatus.GetProperty("error").GetString(), StringComparison.OrdinalIgnoreCase);

        var mislabeled = await RagApiHost.WaitForFinalAsync(client, "kb", "mislabeled");
        Assert.Equal("ready", mislabeled.GetProperty("status").GetString());
        Assert.Equal("plaintext", mislabeled.GetProperty("format").GetString());

        var truncatedStatus = await RagApiHost.WaitForFinalAsync(client, "kb", "truncated");
        Assert.Equal("failed", truncatedStatus.GetProperty("status").GetString());
        Assert.Contains("PDF", truncatedStatus.GetProperty("error").GetString());

        var imageStatus = await RagApiHost.WaitForFinalAsync(client, "kb", "image");
        Assert.Equal("failed", imageStatus.GetProperty("status").GetString());
        // The PNG stops after its header: OCR reads the header and refuses the undecodable pixels.
        Assert.Contains("corrupt", imageStatus.GetProperty("error").GetString());

        Assert.Equal("ready", (await RagApiHost.WaitForFinalAsync(client, "kb", "good")).GetProperty("status").GetString());
        var search = await RagApiHost.SearchAsync(client, "kb", new { query = PdfQuestion, topK = 3 });
        Assert.Equal("good", search.GetProperty("hits")[0].GetProperty("chunk").GetProperty("documentId").GetString());
    }

    [Fact]
    public async Task A_file_over_the_size_limit_is_refused_with_413_and_fails_alone_inside_a_batch()
    {
        var big = _dir.File("big.txt");
        await File.WriteAllTextAsync(big, new string('x', 5000));
        var small = _dir.File("small.txt");
        await File.WriteAllTextAsync(small, "A small file about the cafeteria opening hours.");
        await using var host = new RagApiHost(_dir.File("data"), new Dictionary<string, string?> { ["Rag:MaxUploadBytes"] = "1000" });
        var client = host.CreateClient();
        await host.CreateIndexAsync(client, "kb");

        var alone = await RagApiHost.PostFilesAsync(client, "kb", [], (big, "big"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, alone.StatusCode);
        Assert.Equal("application/problem+json", alone.Content.Headers.ContentType?.MediaType);

        var batch = await RagApiHost.PostFilesAsync(client, "kb", [], (big, "big2"), (small, "small"));
        Assert.Equal(HttpStatusCode.Accepted, batch.StatusCode);
        var bigStatus = await client.GetFromJsonAsync<JsonElement>("/v1/indexes/kb/documents/big2", RagApiHost.Json);
        Assert.Equal("failed", bigStatus.GetProperty("status").GetString());
        Assert.Equal("upload", bigStatus.GetProperty("failedStep").GetString());
        Assert.Contains("limit", bigStatus.GetProperty("error").GetString());
        Assert.Equal("ready", (await RagApiHost.WaitForFinalAsync(client, "kb", "small")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Missing_index_is_404_and_malformed_requests_are_400_problem_details()
    {
        await using var host = new RagApiHost(_dir.File("data"));
        var client = host.CreateClient();

        var missing = await client.PostAsJsonAsync("/v1/indexes/nope/search", new { query = "x" });
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var problem = await missing.Content.ReadFromJsonAsync<JsonElement>(RagApiHost.Json);
        Assert.Equal(404, problem.GetProperty("status").GetInt32());
        Assert.Contains("nope", problem.GetProperty("detail").GetString());

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/v1/indexes/nope/documents/x")).StatusCode);

        await host.CreateIndexAsync(client, "kb");
        var badJson = await client.PostAsync("/v1/indexes/kb/search", new StringContent("{\"query\": ", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, badJson.StatusCode);
        Assert.Equal("application/problem+json", badJson.Content.Headers.ContentType?.MediaType);

        var badTopK = await client.PostAsJsonAsync("/v1/indexes/kb/search", new { query = "x", topK = 5000 });
        Assert.Equal(HttpStatusCode.BadRequest, badTopK.StatusCode);
        var validation = await badTopK.Content.ReadFromJsonAsync<JsonElement>(RagApiHost.Json);
        Assert.True(validation.GetProperty("errors").TryGetProperty("topK", out _));

        var noQuery = await client.PostAsJsonAsync("/v1/indexes/kb/ask", new { question = "  " });
        Assert.Equal(HttpStatusCode.BadRequest, noQuery.StatusCode);

        var badName = await client.PutAsJsonAsync("/v1/indexes/Bad Name!", new { });
        Assert.Equal(HttpStatusCode.BadRequest, badName.StatusCode);

        var notMultipart = await client.PostAsJsonAsync("/v1/indexes/kb/documents", new { file = "x" });
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, notMultipart.StatusCode);
        Assert.Equal("application/problem+json", notMultipart.Content.Headers.ContentType?.MediaType);

        var badTag = await RagApiHost.PostFilesAsync(client, "kb", ["no-colon"], (CreateText(), null));
        Assert.Equal(HttpStatusCode.BadRequest, badTag.StatusCode);
    }

    [Fact]
    public async Task Indexes_are_created_listed_described_and_deleted()
    {
        await using var host = new RagApiHost(_dir.File("data"));
        var client = host.CreateClient();
        Assert.Equal(HttpStatusCode.Created, (await client.PutAsJsonAsync("/v1/indexes/alpha", new { embeddingModel = "minilm", chunkMaxTokens = 200 })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync("/v1/indexes/alpha", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await client.PutAsJsonAsync("/v1/indexes/alpha", new { chunkMaxTokens = 300 })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PutAsJsonAsync("/v1/indexes/beta", new { embeddingModel = "gpt-9" })).StatusCode);

        var list = await client.GetFromJsonAsync<JsonElement>("/v1/indexes", RagApiHost.Json);
        Assert.Equal(["alpha"], list.GetProperty("indexes").EnumerateArray().Select(i => i.GetProperty("name").GetString()!).ToArray());
        var info = await client.GetFromJsonAsync<JsonElement>("/v1/indexes/alpha", RagApiHost.Json);
        Assert.Equal(200, info.GetProperty("chunkMaxTokens").GetInt32());

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/v1/indexes/alpha")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/v1/indexes/alpha")).StatusCode);
        Assert.False(Directory.Exists(Path.Combine(host.DataDirectory, "indexes", "alpha")));
    }

    [Fact]
    public async Task OpenApi_document_describes_every_endpoint_and_health_is_up()
    {
        await using var host = new RagApiHost(_dir.File("data"));
        var client = host.CreateClient();
        var openApi = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json", RagApiHost.Json);
        var paths = openApi.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/v1/indexes/{index}/documents", paths);
        Assert.Contains("/v1/indexes/{index}/search", paths);
        Assert.Contains("/v1/indexes/{index}/ask", paths);
        Assert.Contains("/v1/indexes/{index}/documents/{documentId}/chunks", paths);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
    }

    private string CreateText()
    {
        var path = _dir.File($"t{Guid.NewGuid():N}.txt");
        File.WriteAllText(path, "Some text.");
        return path;
    }

    public void Dispose() => _dir.Dispose();
}
