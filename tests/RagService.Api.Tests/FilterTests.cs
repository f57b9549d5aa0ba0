using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace RagService.Api.Tests;

/// <summary>Section-prefix and document-date filters through the real host, on the BM25 and the dense leg.</summary>
public sealed class FilterTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Section_prefix_and_date_filters_restrict_hits_on_both_legs()
    {
        var old = _dir.File("old.md");
        var recent = _dir.File("recent.md");
        await File.WriteAllTextAsync(old,
            "# Security\n\n## Backups\n\nEncrypted backups are retained for ninety days in the vault.\n\n" +
            "# Operations\n\n## Backups\n\nNightly backups are retained for thirty days on the storage cluster.\n");
        await File.WriteAllTextAsync(recent, "# Storage\n\n## Backups\n\nSnapshot backups are retained for seven days.\n");
        await using var host = new RagApiHost(_dir.File("data"));
        var client = host.CreateClient();
        await host.CreateIndexAsync(client, "kb");
        Assert.Equal(HttpStatusCode.Accepted, (await RagApiHost.PostFilesAsync(client, "kb", ["date:2023-01-10"], (old, "old"))).StatusCode);
        await RagApiHost.UploadAsync(client, "kb", (recent, "recent"));
        Assert.Equal("ready", (await RagApiHost.WaitForFinalAsync(client, "kb", "old")).GetProperty("status").GetString());
        Assert.Equal("ready", (await RagApiHost.WaitForFinalAsync(client, "kb", "recent")).GetProperty("status").GetString());

        const string query = "how long are backups retained";
        var unfiltered = Hits(await RagApiHost.SearchAsync(client, "kb", new { query, topK = 20, mode = "bm25" }));
        Assert.Contains(unfiltered, h => Section(h)[0] == "Operations");
        Assert.Contains(unfiltered, h => DocumentId(h) == "recent");

        foreach (var mode in new[] { "bm25", "dense", "hybrid" })
        {
            var bySection = Hits(await RagApiHost.SearchAsync(client, "kb", new { query, topK = 20, mode, filter = new { sectionPathPrefix = new[] { " security" } } }));
            Assert.NotEmpty(bySection);
            Assert.All(bySection, h => Assert.Equal("Security", Section(h)[0]));

            var nested = Hits(await RagApiHost.SearchAsync(client, "kb", new { query, topK = 20, mode, filter = new { sectionPathPrefix = new[] { "OPERATIONS", "backups" } } }));
            Assert.NotEmpty(nested);
            Assert.All(nested, h => Assert.Equal(["Operations", "Backups"], Section(h).Take(2)));

            // "old" is dated by its date tag (2023-01-10); "recent" by its upload time (now).
            var before = Hits(await RagApiHost.SearchAsync(client, "kb", new { query, topK = 20, mode, filter = new { modifiedBefore = "2024-01-01" } }));
            Assert.NotEmpty(before);
            Assert.All(before, h => Assert.Equal("old", DocumentId(h)));

            var after = Hits(await RagApiHost.SearchAsync(client, "kb", new { query, topK = 20, mode, filter = new { modifiedAfter = "2024-01-01T00:00:00Z" } }));
            Assert.NotEmpty(after);
            Assert.All(after, h => Assert.Equal("recent", DocumentId(h)));

            // "recent" is a single "# Storage" title over "## Backups": its path is ["Backups"], which only it has at the root.
            var backupsRoot = Hits(await RagApiHost.SearchAsync(client, "kb", new { query, topK = 20, mode, filter = new { sectionPathPrefix = new[] { "Backups" } } }));
            Assert.NotEmpty(backupsRoot);
            Assert.All(backupsRoot, h => Assert.Equal("recent", DocumentId(h)));

            var none = Hits(await RagApiHost.SearchAsync(client, "kb", new { query, topK = 20, mode, filter = new { sectionPathPrefix = new[] { "Backups" }, modifiedBefore = "2024-01-01" } }));
            Assert.Empty(none);
        }
    }

    [Fact]
    public async Task Invalid_section_or_date_filters_are_400_validation_problems()
    {
        await using var host = new RagApiHost(_dir.File("data"));
        var client = host.CreateClient();
        await host.CreateIndexAsync(client, "kb");

        async Task<JsonElement> Bad(object filter)
        {
            var response = await client.PostAsJsonAsync("/v1/indexes/kb/search", new { query = "backups", filter });
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<JsonElement>(RagApiHost.Json)).GetProperty("errors");
        }

        Assert.True((await Bad(new { modifiedAfter = "last tuesday" })).TryGetProperty("filter.modifiedAfter", out _));
        Assert.True((await Bad(new { modifiedBefore = "2024-13-45" })).TryGetProperty("filter.modifiedBefore", out _));
        Assert.True((await Bad(new { modifiedAfter = "2024-02-01", modifiedBefore = "2024-01-01" })).TryGetProperty("filter.modifiedBefore", out _));
        Assert.True((await Bad(new { sectionPathPrefix = new[] { "Security", " " } })).TryGetProperty("filter.sectionPathPrefix", out _));
    }

    private static List<JsonElement> Hits(JsonElement response) => response.GetProperty("hits").EnumerateArray().ToList();

    private static string DocumentId(JsonElement hit) => hit.GetProperty("chunk").GetProperty("documentId").GetString()!;

    private static string[] Section(JsonElement hit) =>
        hit.GetProperty("chunk").GetProperty("sectionPath").EnumerateArray().Select(s => s.GetString()!).ToArray();

    public void Dispose() => _dir.Dispose();
}
