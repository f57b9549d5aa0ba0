using System.Net;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using RagService.TestSupport;

namespace RagService.Api.Tests;

/// <summary>
/// <c>POST /v1/indexes/{i}/ask</c> with <c>"stream": true</c>, read by a real SSE parser over real HTTP
/// (Kestrel on loopback); the LLM is <see cref="FakeOpenAiServer"/>, which streams OpenAI chunks.
/// </summary>
public sealed class AskStreamingTests
{
    private const string MealSentence = "Interns receive a daily meal allowance of 40 euros";

    [Fact]
    public async Task Extractive_answer_streams_sources_then_sentences_then_the_final_answer()
    {
        await using var host = await FrontDoorHost.StartAsync();

        var events = await StreamAskAsync(host.Http, new { question = "What is the daily meal allowance for interns?", stream = true });

        Assert.Equal("sources", events[0].EventType);
        var sources = events[0].Data.GetProperty("sources");
        Assert.Equal("travel", sources[0].GetProperty("chunk").GetProperty("documentId").GetString());
        Assert.Equal("done", events[^1].EventType);
        var deltas = events.Where(e => e.EventType == "delta").Select(e => e.Data.GetProperty("text").GetString()).ToList();
        Assert.NotEmpty(deltas);
        var done = events[^1].Data;
        Assert.False(done.GetProperty("noAnswer").GetBoolean());
        Assert.Equal(done.GetProperty("answer").GetString(), string.Concat(deltas));
        Assert.Contains("40 euros", done.GetProperty("answer").GetString(), StringComparison.Ordinal);
        Assert.Equal("travel", done.GetProperty("citations")[0].GetProperty("documentId").GetString());
        Assert.Equal("extractive", done.GetProperty("generatedBy").GetString());
        Assert.True(done.GetProperty("timings").GetProperty("totalMs").GetDouble() > 0);
        Assert.Equal(JsonValueKind.Null, done.GetProperty("usage").ValueKind);
    }

    [Fact]
    public async Task Llm_answer_streams_token_by_token_and_ends_with_the_verified_answer_and_usage()
    {
        using var llm = new FakeOpenAiServer((_, user) => $"{MealSentence} [{FrontDoorHost.SourceNumber(user, MealSentence)}].");
        await using var host = await FrontDoorHost.StartAsync(llm.Endpoint);

        var events = await StreamAskAsync(host.Http, new { question = "What is the daily meal allowance for interns?", stream = true });

        var deltas = events.Where(e => e.EventType == "delta").Select(e => e.Data.GetProperty("text").GetString()).ToList();
        Assert.True(deltas.Count >= 8, $"expected one delta per word, got {deltas.Count}");
        var done = events.Single(e => e.EventType == "done").Data;
        Assert.Equal(string.Concat(deltas), done.GetProperty("answer").GetString());
        Assert.StartsWith(MealSentence, done.GetProperty("answer").GetString(), StringComparison.Ordinal);
        Assert.Equal("fake-model", done.GetProperty("generatedBy").GetString());
        Assert.Equal("travel", Assert.Single(done.GetProperty("citations").EnumerateArray()).GetProperty("documentId").GetString());
        Assert.Equal(FakeOpenAiServer.PromptTokens, done.GetProperty("usage").GetProperty("promptTokens").GetInt32());
        Assert.Equal(FakeOpenAiServer.CompletionTokens, done.GetProperty("usage").GetProperty("completionTokens").GetInt32());
        Assert.Equal(1, llm.CompletedStreams);
    }

    [Fact]
    public async Task Cannot_answer_is_never_streamed_and_ends_as_no_answer()
    {
        using var llm = new FakeOpenAiServer((_, _) => "CANNOT_ANSWER");
        await using var host = await FrontDoorHost.StartAsync(llm.Endpoint);

        var events = await StreamAskAsync(host.Http, new { question = "Who founded the company?", stream = true });

        Assert.DoesNotContain(events, e => e.EventType == "delta");
        Assert.True(events.Single(e => e.EventType == "done").Data.GetProperty("noAnswer").GetBoolean());
    }

    [Fact]
    public async Task Client_disconnect_cancels_the_llm_call()
    {
        var longReply = string.Join(' ', Enumerable.Repeat("Interns receive forty euros a day [1].", 10));
        using var llm = new FakeOpenAiServer((_, _) => longReply) { StreamDelay = TimeSpan.FromMilliseconds(150) };
        await using var host = await FrontDoorHost.StartAsync(llm.Endpoint);

        using (var request = new HttpRequestMessage(HttpMethod.Post, "/v1/indexes/kb/ask") { Content = JsonContent.Create(new { question = "meal allowance for interns", stream = true }) })
        using (var response = await host.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            await using var body = await response.Content.ReadAsStreamAsync();
            await foreach (var item in SseParser.Create(body).EnumerateAsync())
            {
                if (item.EventType == "delta")
                {
                    break; // the first token arrived: hang up mid-answer
                }
            }
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (llm.AbortedStreams == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Equal(1, llm.AbortedStreams);
        Assert.Equal(0, llm.CompletedStreams);
    }

    [Fact]
    public async Task Streaming_bad_input_is_a_problem_not_a_stream()
    {
        await using var host = await FrontDoorHost.StartAsync();

        var empty = await host.Http.PostAsJsonAsync("/v1/indexes/kb/ask", new { question = " ", stream = true });
        var unknown = await host.Http.PostAsJsonAsync("/v1/indexes/nope/ask", new { question = "x", stream = true });

        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal("application/problem+json", empty.Content.Headers.ContentType?.MediaType);
        Assert.Contains("question", await empty.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    /// <summary>Posts the request and reads the whole event stream with the framework's SSE parser.</summary>
    internal static async Task<List<(string EventType, JsonElement Data)>> StreamAskAsync(HttpClient http, object request, string path = "/v1/indexes/kb/ask")
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(request) };
        using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        await using var body = await response.Content.ReadAsStreamAsync();
        var events = new List<(string, JsonElement)>();
        await foreach (var item in SseParser.Create(body).EnumerateAsync())
        {
            events.Add((item.EventType, JsonDocument.Parse(Encoding.UTF8.GetBytes(item.Data)).RootElement.Clone()));
        }

        return events;
    }
}
