using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace RagService.Api.Tests;

/// <summary>
/// <c>GET …/documents?failedStep=…</c>: only failed documents whose failure was recorded in that step (a file over
/// the per-file limit fails at upload, a damaged PDF in parsing); an unknown step is 400; the parameter is in OpenAPI.
/// </summary>
public sealed class DocumentListFailedStepTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task The_listing_filters_failed_documents_by_the_step_they_failed_in()
    {
        await using var host = new RagApiHost(_dir.File("data"), new Dictionary<string, string?> { ["Rag:MaxUploadBytes"] = "20000" });
        var admin = host.CreateClient();
        await host.CreateIndexAsync(admin, "kb");
        var broken = _dir.File("broken.pdf");
        await File.WriteAllTextAsync(broken, "%PDF-1.7\nthis file was cut off before its first object");
        var huge = _dir.File("huge.md");
        await File.WriteAllTextAsync(huge, "# Huge\n\n" + new string('x', 30_000));
        var note = _dir.File("note.md");
        await File.WriteAllTextAsync(note, "# Note\n\nThe lift is serviced on Mondays.\n");
        await RagApiHost.UploadAsync(admin, "kb", (broken, "broken"), (huge, "huge"), (note, "note"));
        Assert.Equal("parsing", (await RagApiHost.WaitForFinalAsync(admin, "kb", "broken")).GetProperty("failedStep").GetString());
        Assert.Equal("upload", (await RagApiHost.WaitForFinalAsync(admin, "kb", "huge")).GetProperty("failedStep").GetString());
        Assert.Equal("ready", (await RagApiHost.WaitForFinalAsync(admin, "kb", "note")).GetProperty("status").GetString());

        // "ids of total": the page's documents and the count of all that match.
        async Task<string> List(string query)
        {
            var page = await admin.GetFromJsonAsync<JsonElement>($"/v1/indexes/kb/documents?{query}");
            var ids = page.GetProperty("documents").EnumerateArray().Select(d => d.GetProperty("documentId").GetString()!).Order(StringComparer.Ordinal);
            return $"{string.Join(",", ids)} of {page.GetProperty("total").GetInt32()}";
        }

        Assert.Equal("broken of 1", await List("failedStep=parsing"));
        Assert.Equal("huge of 1", await List("failedStep=upload"));
        Assert.Equal(" of 0", await List("failedStep=embedding"));
        Assert.Equal("huge of 1", await List("failedStep=upload&state=failed&name=HUG"));
        Assert.Equal(" of 0", await List("failedStep=upload&state=ready"));
        Assert.Equal("broken,huge,note of 3", await List("failedStep=")); // empty is no filter

        var bad = await admin.GetAsync("/v1/indexes/kb/documents?failedStep=ocr");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("Unknown failed step 'ocr': use one of upload, parsing, chunking, embedding, indexing.",
            (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());

        var openApi = await admin.GetFromJsonAsync<JsonElement>("/openapi/v1.json", RagApiHost.Json);
        var parameters = openApi.GetProperty("paths").GetProperty("/v1/indexes/{index}/documents").GetProperty("get").GetProperty("parameters");
        var failedStep = parameters.EnumerateArray().Single(p => p.GetProperty("name").GetString() == "failedStep");
        Assert.Contains("parsing", failedStep.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    public void Dispose() => _dir.Dispose();
}
