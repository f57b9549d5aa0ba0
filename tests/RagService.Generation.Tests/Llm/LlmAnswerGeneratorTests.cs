using RagService.Generation.Llm;
using RagService.TestSupport;

namespace RagService.Generation.Tests.Llm;

/// <summary>
/// The LLM path end to end through Semantic Kernel's OpenAI connector, against <see cref="FakeOpenAiServer"/>:
/// a local OpenAI-compatible server started by the test that returns canned, request-dependent replies
/// (no model weights exist here).
/// </summary>
public sealed class LlmAnswerGeneratorTests
{
    private static readonly RagService.Core.Chunks.Chunk Solar = TestHits.Chunk(
        "solar",
        "Solar panels convert sunlight into electricity using photovoltaic cells. They need little maintenance.",
        "energy-guide");

    private static readonly RagService.Core.Chunks.Chunk Eiffel = TestHits.Chunk(
        "eiffel",
        "The Eiffel Tower was completed in 1889 for the World's Fair. It is 330 metres tall.",
        "paris");

    private static LlmAnswerGenerator Generator(FakeOpenAiServer server, TimeSpan? timeout = null)
    {
        var options = new LlmOptions { Provider = "openai-compatible", Endpoint = server.Endpoint, Model = "test-model", Timeout = timeout ?? TimeSpan.FromSeconds(20) };
        return new LlmAnswerGenerator(new SemanticKernelChatModel(options), options);
    }

    /// <summary>Cites the source whose number precedes the named chunk's text in the prompt.</summary>
    private static int SourceNumber(string user, string text)
    {
        var at = user.IndexOf(text, StringComparison.Ordinal);
        var open = user.LastIndexOf('[', at);
        return int.Parse(user[(open + 1)..user.IndexOf(']', open)], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task A_cited_answer_is_mapped_to_the_chunks_its_markers_name()
    {
        using var server = new FakeOpenAiServer((_, user) =>
            $"The Eiffel Tower was completed in 1889 for the World's Fair [{SourceNumber(user, "Eiffel Tower")}]. " +
            $"Solar panels convert sunlight into electricity [{SourceNumber(user, "Solar panels")}].");

        var answer = await Generator(server).GenerateAsync("When was the Eiffel Tower completed and how do solar panels work?", TestHits.Ranked(Solar, Eiffel), CancellationToken.None);

        Assert.False(answer.NoAnswer);
        Assert.Equal("test-model", answer.GeneratedBy);
        Assert.Equal("The Eiffel Tower was completed in 1889 for the World's Fair [2]. Solar panels convert sunlight into electricity [1].", answer.Text);
        Assert.Equal([(1, "solar", "energy-guide"), (2, "eiffel", "paris")], answer.Citations.Select(c => (c.Marker, c.ChunkId, c.DocumentId)));
        Assert.Equal(["Chapter 1", "Section eiffel"], answer.Citations[1].SectionPath);
        Assert.Equal((3, 4), (answer.Citations[1].PageStart, answer.Citations[1].PageEnd));

        // The prompt carried the rules and numbered sources with title, section path and pages.
        var (system, userMessage) = Assert.Single(server.Requests);
        Assert.Contains("only", system, StringComparison.Ordinal);
        Assert.Contains(LlmAnswerGenerator.CannotAnswerToken, system, StringComparison.Ordinal);
        Assert.Contains("[2] Title of paris — Chapter 1 > Section eiffel (pages 3–4)", userMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_source_widened_to_its_section_is_shown_whole_and_a_claim_is_cited_to_the_chunk_it_came_from()
    {
        // Small-to-big: the hit is the section's first chunk; the answer lives in the next chunk of the section.
        var lead = TestHits.Chunk("lead", "The backup policy covers every production database of the company.", "policy");
        var retention = TestHits.Chunk("retention", "Nightly backups are retained for thirty-five days in the vault.", "policy") with { Ordinal = 1, PageStart = 5, PageEnd = 5 };
        var hit = TestHits.Ranked(lead)[0] with { Context = [lead, retention] };
        using var server = new FakeOpenAiServer((_, user) =>
            user.Contains("thirty-five days", StringComparison.Ordinal)
                ? "Nightly backups are retained for thirty-five days [1]."
                : LlmAnswerGenerator.CannotAnswerToken);

        var answer = await Generator(server).GenerateAsync("How long are backups retained?", [hit], CancellationToken.None);

        Assert.False(answer.NoAnswer);
        Assert.Equal("Nightly backups are retained for thirty-five days [1].", answer.Text);
        var citation = Assert.Single(answer.Citations);
        Assert.Equal(("retention", 5), (citation.ChunkId, citation.PageStart));
        var (_, userMessage) = Assert.Single(server.Requests);
        Assert.Contains("every production database", userMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_marker_of_an_unsupported_claim_is_dropped()
    {
        using var server = new FakeOpenAiServer((_, user) =>
            $"The Eiffel Tower was completed in 1889 for the World's Fair [{SourceNumber(user, "Eiffel Tower")}]. " +
            $"Wind turbines generate most electricity in Denmark [{SourceNumber(user, "Eiffel Tower")}].");

        var answer = await Generator(server).GenerateAsync("Tell me about the Eiffel Tower", TestHits.Ranked(Solar, Eiffel), CancellationToken.None);

        Assert.Equal("The Eiffel Tower was completed in 1889 for the World's Fair [1]. Wind turbines generate most electricity in Denmark.", answer.Text);
        Assert.Equal("eiffel", Assert.Single(answer.Citations).ChunkId);
        // The context selection fed the prompt: the solar source shares no word with the question and was left out.
        Assert.DoesNotContain("Solar panels", Assert.Single(server.Requests).User, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_error_falls_back_to_the_extractive_answer_and_says_so()
    {
        using var server = new FakeOpenAiServer((_, _) => null);

        var answer = await Generator(server).GenerateAsync("When was the Eiffel Tower completed?", TestHits.Ranked(Solar, Eiffel), CancellationToken.None);

        Assert.StartsWith("extractive (LLM test-model fallback: error)", answer.GeneratedBy, StringComparison.Ordinal);
        Assert.StartsWith("The Eiffel Tower was completed in 1889 for the World's Fair. [1]", answer.Text, StringComparison.Ordinal);
        Assert.Equal("eiffel", answer.Citations[0].ChunkId);
    }

    [Fact]
    public async Task A_timeout_falls_back_to_the_extractive_answer()
    {
        using var server = new FakeOpenAiServer((_, _) =>
        {
            Thread.Sleep(3000);
            return "too late [1].";
        });

        var answer = await Generator(server, TimeSpan.FromMilliseconds(300)).GenerateAsync("When was the Eiffel Tower completed?", TestHits.Ranked(Solar, Eiffel), CancellationToken.None);

        Assert.Equal("extractive (LLM test-model fallback: timeout)", answer.GeneratedBy);
    }

    [Fact]
    public async Task The_cannot_answer_reply_is_a_no_answer()
    {
        using var server = new FakeOpenAiServer((_, _) => LlmAnswerGenerator.CannotAnswerToken);

        var answer = await Generator(server).GenerateAsync("Who won the 1998 World Cup?", TestHits.Ranked(Solar, Eiffel), CancellationToken.None);

        Assert.True(answer.NoAnswer);
        Assert.Empty(answer.Citations);
    }
}
