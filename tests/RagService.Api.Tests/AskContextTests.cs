using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RagService.TestSupport;

namespace RagService.Api.Tests;

/// <summary>Small-to-big over HTTP: /ask reads a retrieved chunk with the rest of its section and cites what it quotes exactly.</summary>
public sealed class AskContextTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    // Every sentence of the first paragraph shares one word with the question, so BM25 ranks it first but
    // none of them answers; the answer is in the next chunk of the same section.
    private const string Lead =
        "Nightly jobs start at two in the morning on every server. Copies are written to the vault in Frankfurt. " +
        "Backups are encrypted before they leave the host. Retention is audited every year by the auditors. " +
        "The audit period is fixed by the board of directors.";

    private const string Answer = "Nightly backups are deleted after 35 days.";

    private const string Tail =
        "The deletion job sends a report to the operations team. Reports are archived in the ticket system for a decade. " +
        "Failed deletions raise an alert on the on-call pager.";

    private const string Question = "What is the retention period of nightly backups?";

    [Fact]
    public async Task Ask_reads_the_hits_section_and_cites_the_neighbouring_chunk_it_quotes()
    {
        var path = _dir.File("ops.md");
        await File.WriteAllTextAsync(path, $"# Operations handbook\n\n## Storage operations\n\n{Lead}\n\n{Answer} {Tail}\n");
        await using var host = new RagApiHost(_dir.File("data"));
        var client = host.CreateClient();
        (await client.PutAsJsonAsync("/v1/indexes/kb", new { chunkMaxTokens = 64 })).EnsureSuccessStatusCode();
        await RagApiHost.UploadAsync(client, "kb", (path, "ops"));
        Assert.Equal("ready", (await RagApiHost.WaitForFinalAsync(client, "kb", "ops")).GetProperty("status").GetString());
        var chunks = (await client.GetFromJsonAsync<JsonElement>("/v1/indexes/kb/documents/ops/chunks", RagApiHost.Json)).GetProperty("chunks").EnumerateArray().ToList();
        var lead = Assert.Single(chunks, c => c.GetProperty("text").GetString()!.Contains("Retention is audited", StringComparison.Ordinal));
        var answer = Assert.Single(chunks, c => c.GetProperty("text").GetString()!.Contains(Answer, StringComparison.Ordinal));
        Assert.NotEqual(Id(lead), Id(answer)); // precondition: two chunks of one section

        var alone = await AskAsync(client, new { question = Question, topK = 1, mode = "bm25", context = "none", trace = true });
        Assert.Equal(Id(lead), Id(alone.GetProperty("sources")[0].GetProperty("chunk")));
        Assert.Equal(JsonValueKind.Null, alone.GetProperty("sources")[0].GetProperty("contextChunkIds").ValueKind);
        // With trace, the ask carries its search trace: the BM25 leg found the source, and every later step's
        // ranks name it at 1.
        var trace = alone.GetProperty("trace");
        Assert.Equal("bm25", trace.GetProperty("mode").GetString());
        Assert.True(trace.GetProperty("bm25Candidates").GetInt32() >= 1);
        var ranked = trace.GetProperty("steps").EnumerateArray().Where(s => s.TryGetProperty("ranks", out var r) && r.ValueKind == JsonValueKind.Object).ToList();
        Assert.NotEmpty(ranked);
        Assert.All(ranked, s => Assert.Equal(1, s.GetProperty("ranks").GetProperty(Id(lead)).GetInt32()));
        Assert.True(alone.GetProperty("noAnswer").GetBoolean());

        var widened = await AskAsync(client, new { question = Question, topK = 1, mode = "bm25", context = "section", trace = true });
        var source = widened.GetProperty("sources")[0];
        Assert.Equal(Id(lead), Id(source.GetProperty("chunk")));
        var context = source.GetProperty("contextChunkIds").EnumerateArray().Select(s => s.GetString()!).ToList();
        Assert.Contains(Id(lead), context);
        Assert.Contains(Id(answer), context);
        Assert.False(widened.GetProperty("noAnswer").GetBoolean());
        Assert.Contains(Answer + " [1]", widened.GetProperty("answer").GetString(), StringComparison.Ordinal);
        var citation = Assert.Single(widened.GetProperty("citations").EnumerateArray());
        Assert.Equal(Id(answer), citation.GetProperty("chunkId").GetString());
        Assert.Equal(["Storage operations"], citation.GetProperty("sectionPath").EnumerateArray().Select(s => s.GetString()!));
        Assert.Equal(Answer, citation.GetProperty("snippet").GetString());

        // The default (AnswerContext: section) widens too; a budget of 0 leaves the hit alone. Without trace, no trace.
        var plain = await AskAsync(client, new { question = Question, topK = 1, mode = "bm25" });
        Assert.False(plain.GetProperty("noAnswer").GetBoolean());
        Assert.False(plain.TryGetProperty("trace", out var none) && none.ValueKind != JsonValueKind.Null);
        Assert.True((await AskAsync(client, new { question = Question, topK = 1, mode = "bm25", contextTokens = 0 })).GetProperty("noAnswer").GetBoolean());

        var bad = await client.PostAsJsonAsync("/v1/indexes/kb/ask", new { question = Question, context = "everything", contextTokens = -1 });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = (await bad.Content.ReadFromJsonAsync<JsonElement>(RagApiHost.Json)).GetProperty("errors");
        Assert.True(problem.TryGetProperty("context", out _));
        Assert.True(problem.TryGetProperty("contextTokens", out _));
    }

    private static string Id(JsonElement chunk) => chunk.GetProperty("chunkId").GetString()!;

    private static async Task<JsonElement> AskAsync(HttpClient client, object request)
    {
        var response = await client.PostAsJsonAsync("/v1/indexes/kb/ask", request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>(RagApiHost.Json);
    }
}
