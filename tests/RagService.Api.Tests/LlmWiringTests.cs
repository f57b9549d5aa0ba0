using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using RagService.Core.Answers;
using RagService.Core.Chunks;
using RagService.Core.Search;
using RagService.Generation.Extractive;
using RagService.Generation.Llm;
using RagService.TestSupport;

namespace RagService.Api.Tests;

/// <summary>
/// Which answer generator the host registers. The LLM is <see cref="FakeOpenAiServer"/>, a local
/// OpenAI-compatible server started by the test with canned replies (no model weights exist here).
/// </summary>
public sealed class LlmWiringTests
{
    [Fact]
    public void Without_an_llm_answers_stay_extractive()
    {
        using var data = new TempDirectory();
        using var host = new RagApiHost(data.Path);

        Assert.IsType<ExtractiveAnswerGenerator>(host.Services.GetRequiredService<IAnswerGenerator>());
    }

    [Fact]
    public async Task With_llm_endpoint_configured_the_llm_writes_the_answer()
    {
        using var server = new FakeOpenAiServer((_, _) => "The Eiffel Tower was completed in 1889 [1].");
        using var data = new TempDirectory();
        using var host = new RagApiHost(data.Path, new Dictionary<string, string?>
        {
            ["Llm:Provider"] = "openai-compatible",
            ["Llm:Endpoint"] = server.Endpoint,
            ["Llm:Model"] = "wired-model",
        });

        var generator = Assert.IsType<LlmAnswerGenerator>(host.Services.GetRequiredService<IAnswerGenerator>());
        var chunk = new Chunk
        {
            Id = "c1", DocumentId = "paris", DocumentVersion = 1, Ordinal = 0,
            Text = "The Eiffel Tower was completed in 1889 for the World's Fair.",
            IndexText = "The Eiffel Tower was completed in 1889 for the World's Fair.",
            ContentHash = ChunkIdentity.ContentHash("x"),
        };
        var answer = await generator.GenerateAsync("When was the Eiffel Tower completed?", [new SearchHit(chunk, 1, new ScoreBreakdown())], CancellationToken.None);

        Assert.Equal("wired-model", answer.GeneratedBy);
        Assert.Equal("c1", Assert.Single(answer.Citations).ChunkId);
    }

    [Fact]
    public async Task Ask_with_rewrite_calls_the_llm_to_rewrite_and_to_answer()
    {
        using var server = new FakeOpenAiServer((system, _) => system.Contains("rewrite search queries", StringComparison.Ordinal)
            ? "PARAPHRASE: backup retention period\nHYDE: Backups are retained for several weeks."
            : "Backups are kept for 35 days [1].");
        using var data = new TempDirectory();
        using var host = new RagApiHost(data.Path, new Dictionary<string, string?> { ["Llm:Endpoint"] = server.Endpoint, ["Llm:Model"] = "wired-model" });
        using var client = host.CreateClient();
        await host.CreateIndexAsync(client, "kb");
        var file = data.File("backup.txt");
        await File.WriteAllTextAsync(file, "Backup policy\n\nBackups are kept for 35 days in the secondary region. Restores need approval from the IT lead.\n");
        await RagApiHost.UploadAsync(client, "kb", (file, "backup"));
        Assert.Equal("ready", (await RagApiHost.WaitForFinalAsync(client, "kb", "backup")).GetProperty("status").GetString());

        var response = await client.PostAsJsonAsync("/v1/indexes/kb/ask", new { question = "How long are backups kept?", rewrite = true });
        response.EnsureSuccessStatusCode();
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>(RagApiHost.Json);

        Assert.Equal("wired-model", answer.GetProperty("generatedBy").GetString());
        Assert.Equal("Backups are kept for 35 days [1].", answer.GetProperty("answer").GetString());
        Assert.Equal(2, server.Requests.Count);
        Assert.Contains(server.Requests, r => r.User == "Query: How long are backups kept?");
    }
}
