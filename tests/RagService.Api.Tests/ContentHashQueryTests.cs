using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;

namespace RagService.Api.Tests;

/// <summary><c>POST /v1/indexes/{i}/documents/hashes</c>: a batch client learns in one request which files the index already has.</summary>
public sealed class ContentHashQueryTests : IDisposable
{
    private readonly TempDirectory _data = new();

    [Fact]
    public async Task Known_hashes_name_their_document_and_unknown_ones_are_left_out()
    {
        await using var host = new RagApiHost(_data.File("data"));
        using var client = host.CreateClient();
        await host.CreateIndexAsync(client, "kb");
        var file = _data.File("pumps.txt");
        await File.WriteAllTextAsync(file, "Pump maintenance\n\nThe coolant pump is inspected every 400 hours.\n");
        await RagApiHost.UploadAsync(client, "kb", (file, "pumps"));
        await RagApiHost.WaitForFinalAsync(client, "kb", "pumps");
        var known = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(file)));
        var unknown = Convert.ToHexStringLower(SHA256.HashData("never uploaded"u8.ToArray()));

        var response = await client.PostAsJsonAsync("/v1/indexes/kb/documents/hashes", new { hashes = new[] { unknown, known } });
        response.EnsureSuccessStatusCode();
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>(RagApiHost.Json);

        var entry = Assert.Single(answer.GetProperty("known").EnumerateArray());
        Assert.Equal(known, entry.GetProperty("contentHash").GetString());
        Assert.Equal("pumps", entry.GetProperty("documentId").GetString());
        Assert.Equal("ready", entry.GetProperty("status").GetString());
        Assert.Equal("pumps.txt", entry.GetProperty("fileName").GetString());
    }

    [Fact]
    public async Task A_malformed_hash_is_a_problem_naming_its_position()
    {
        await using var host = new RagApiHost(_data.File("data"));
        using var client = host.CreateClient();
        await host.CreateIndexAsync(client, "kb");
        var good = new string('a', 64);

        var response = await client.PostAsJsonAsync("/v1/indexes/kb/documents/hashes", new { hashes = new[] { good, "ABC" } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(RagApiHost.Json);
        Assert.True(problem.GetProperty("errors").TryGetProperty("hashes[1]", out _));
    }

    public void Dispose() => _data.Dispose();
}
