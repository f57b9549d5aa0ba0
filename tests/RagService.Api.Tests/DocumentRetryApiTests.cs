using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace RagService.Api.Tests;

/// <summary><c>POST …/documents/{id}/retry</c>: a failed document is ingested again from its stored upload.</summary>
public sealed class DocumentRetryApiTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task A_failed_document_is_queued_again_as_a_new_version_and_anything_else_is_refused()
    {
        await using var host = new RagApiHost(_dir.File("data"));
        var admin = host.CreateClient();
        await host.CreateIndexAsync(admin, "kb");
        var broken = _dir.File("broken.pdf");
        await File.WriteAllTextAsync(broken, "%PDF-1.7\nthis file was cut off before its first object");
        var note = _dir.File("note.md");
        await File.WriteAllTextAsync(note, "# Note\n\nThe lift is serviced on Mondays.\n");
        await RagApiHost.UploadAsync(admin, "kb", (broken, "broken"), (note, "note"));
        var failed = await RagApiHost.WaitForFinalAsync(admin, "kb", "broken");
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        Assert.Equal("ready", (await RagApiHost.WaitForFinalAsync(admin, "kb", "note")).GetProperty("status").GetString());

        var retried = await admin.PostAsync("/v1/indexes/kb/documents/broken/retry", null);
        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
        var queued = await retried.Content.ReadFromJsonAsync<JsonElement>(RagApiHost.Json);
        Assert.Equal(2, queued.GetProperty("version").GetInt32());
        var again = await RagApiHost.WaitForFinalAsync(admin, "kb", "broken");
        Assert.Equal(2, again.GetProperty("version").GetInt32());
        Assert.Equal("failed", again.GetProperty("status").GetString()); // the same bytes fail for the same reason
        Assert.Equal(failed.GetProperty("error").GetString(), again.GetProperty("error").GetString());

        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync("/v1/indexes/kb/documents/note/retry", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync("/v1/indexes/kb/documents/missing/retry", null)).StatusCode);
        var reader = host.ClientWithKey(await SecurityHttp.CreateKeyAsync(admin, "default", "reader"));
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsync("/v1/indexes/kb/documents/broken/retry", null)).StatusCode);
    }

    public void Dispose() => _dir.Dispose();
}
