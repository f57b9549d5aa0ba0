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
}
