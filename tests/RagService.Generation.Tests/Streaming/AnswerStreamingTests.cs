using System.Runtime.CompilerServices;
using RagService.Core.Answers;
using RagService.Core.Llm;
using RagService.Generation.Extractive;
using RagService.Generation.Llm;
using RagService.Generation.Streaming;

namespace RagService.Generation.Tests.Streaming;

public sealed class AnswerStreamingTests
{
    private static readonly IReadOnlyList<Core.Search.SearchHit> Hits = TestHits.Ranked(
        TestHits.Chunk("c1", "Backups of the customer database are kept for 35 days in the secondary region."),
        TestHits.Chunk("c2", "Restores need approval from the IT lead."));

    [Fact]
    public void Pieces_end_after_each_citation_group_and_concatenate_to_the_text()
    {
        const string text = "Backups are kept 35 days. [1] Restores need approval. [1][2] Trailing words";

        var pieces = AnswerStreaming.Pieces(text).ToList();

        Assert.Equal(["Backups are kept 35 days. [1] ", "Restores need approval. [1][2] ", "Trailing words"], pieces);
        Assert.Equal(text, string.Concat(pieces));
    }

    [Fact]
    public async Task An_extractive_answer_streams_its_sentences_then_the_same_answer()
    {
        var generator = new ExtractiveAnswerGenerator();

        var updates = await generator.StreamAsync("How long are backups of the customer database kept?", Hits, default).ToListAsync();

        var final = Assert.Single(updates, u => u.Final is not null).Final!;
        Assert.Same(updates[^1].Final, final);
        Assert.Equal(final.Text, string.Concat(updates.Select(u => u.Delta)));
        var whole = await generator.GenerateAsync("How long are backups of the customer database kept?", Hits, default);
        Assert.Equal(whole.Text, final.Text);
        Assert.Equal(whole.Citations.Select(c => c.ChunkId), final.Citations.Select(c => c.ChunkId));
    }

    [Fact]
    public async Task Llm_tokens_stream_and_the_final_answer_is_verified_with_usage()
    {
        var chat = new StreamingChat(["Backups of the customer database ", "are kept for 35 days ", "[1]."], new TokenUsage(120, 9));
        var generator = new LlmAnswerGenerator(chat, new LlmOptions { Endpoint = "http://127.0.0.1:1/v1" });

        var updates = await generator.StreamAsync("How long are backups kept?", Hits, default).ToListAsync();

        Assert.Equal(["Backups of the customer database ", "are kept for 35 days ", "[1]."], updates.Where(u => u.Delta is not null).Select(u => u.Delta));
        var last = updates[^1];
        Assert.Equal("c1", Assert.Single(last.Final!.Citations).ChunkId);
        Assert.Equal(new TokenUsage(120, 9), last.Usage);
        Assert.Equal(chat.Name, last.Final.GeneratedBy);
    }

    [Fact]
    public async Task The_cannot_answer_token_is_held_back_and_ends_as_no_answer()
    {
        var generator = new LlmAnswerGenerator(new StreamingChat(["CANNOT", "_ANS", "WER"], null), new LlmOptions { Endpoint = "http://127.0.0.1:1/v1" });

        var updates = await generator.StreamAsync("Who founded the company?", Hits, default).ToListAsync();

        Assert.True(Assert.Single(updates).Final!.NoAnswer);
    }

    [Fact]
    public async Task A_stream_that_breaks_falls_back_to_the_extractive_answer()
    {
        var generator = new LlmAnswerGenerator(new StreamingChat(["Backups are ", null], null), new LlmOptions { Endpoint = "http://127.0.0.1:1/v1" });

        var updates = await generator.StreamAsync("How long are backups of the customer database kept?", Hits, default).ToListAsync();

        var final = updates[^1].Final!;
        Assert.StartsWith("extractive (LLM streaming-stub fallback: error)", final.GeneratedBy, StringComparison.Ordinal);
        Assert.Contains("35 days", final.Text, StringComparison.Ordinal);
    }

    /// <summary>Streams the given pieces; a null piece throws, as a dropped connection does.</summary>
    private sealed class StreamingChat(IReadOnlyList<string?> pieces, TokenUsage? usage) : IChatModel
    {
        public string Name => "streaming-stub";

        public Task<string> CompleteAsync(string systemPrompt, string userMessage, CancellationToken cancellationToken) =>
            Task.FromResult(string.Concat(pieces));

        public async IAsyncEnumerable<ChatDelta> StreamAsync(string systemPrompt, string userMessage, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            for (var i = 0; i < pieces.Count; i++)
            {
                await Task.Yield();
                yield return new ChatDelta(pieces[i] ?? throw new HttpRequestException("connection reset"), i == pieces.Count - 1 ? usage : null);
            }
        }
    }
}
