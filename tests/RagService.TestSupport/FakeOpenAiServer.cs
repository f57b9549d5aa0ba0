using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RagService.TestSupport;

/// <summary>
/// A tiny OpenAI-compatible HTTP server on 127.0.0.1 and a free port, started by a test. No model
/// weights exist on our machines, so the LLM paths are tested against this: it answers
/// <c>POST /v1/chat/completions</c> with canned JSON that the test's <c>respond</c> function computes
/// from the request (the system prompt and the last user message). A null reply answers HTTP 500, and
/// <see cref="UpcomingFailures"/> scripts error statuses before the replies.
/// A request with <c>"stream": true</c> gets the reply as OpenAI's server-sent chunks, one word each,
/// <see cref="StreamDelay"/> apart, then a usage chunk when the client asked for it, then <c>[DONE]</c>.
/// Every request is recorded.
/// </summary>
public sealed class FakeOpenAiServer : IDisposable
{
    private readonly LoopbackHttpServer server;
    private readonly Func<string, string, string?> respond;

    /// <param name="respond">(system prompt, user message) → assistant content, or null for a 500.</param>
    public FakeOpenAiServer(Func<string, string, string?> respond)
    {
        this.respond = respond;
        server = new LoopbackHttpServer(HandleAsync);
        Endpoint = server.BaseAddress + "/v1";
    }

    /// <summary>The base URL to give as Llm:Endpoint.</summary>
    public string Endpoint { get; }

    public List<(string System, string User)> Requests { get; } = [];

    /// <summary>Status codes answered, one per request and in order, before replies resume (e.g. 429 then 503).</summary>
    public System.Collections.Concurrent.ConcurrentQueue<int> UpcomingFailures { get; } = new();

    /// <summary>Every chat-completion request received, failed ones included.</summary>
    public int Attempts => Volatile.Read(ref attempts);

    private int attempts;

    /// <summary>Pause before each streamed chunk, so a test can disconnect mid-answer.</summary>
    public TimeSpan StreamDelay { get; set; }

    /// <summary>Streamed replies whose client went away before the last chunk (the write failed).</summary>
    public int AbortedStreams => abortedStreams;

    /// <summary>Streamed replies sent to the end.</summary>
    public int CompletedStreams => completedStreams;

    /// <summary>The usage every reply reports: prompt 10, completion 10.</summary>
    public const int PromptTokens = 10;

    public const int CompletionTokens = 10;

    private int abortedStreams;
    private int completedStreams;

    public void Dispose() => server.Dispose();

    private async Task HandleAsync(HttpListenerContext context)
    {
        var response = context.Response;
        if (!context.Request.Url!.AbsolutePath.EndsWith("/chat/completions", StringComparison.Ordinal))
        {
            response.StatusCode = 404;
            return;
        }

        Interlocked.Increment(ref attempts);
        if (UpcomingFailures.TryDequeue(out var failure))
        {
            response.StatusCode = failure;
            response.Headers["Retry-After"] = "0";
            var error = Encoding.UTF8.GetBytes("""{"error":{"message":"scripted failure","type":"server_error"}}""");
            response.ContentType = "application/json";
            response.ContentLength64 = error.Length;
            response.OutputStream.Write(error);
            return;
        }

        using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
        var request = JsonNode.Parse(reader.ReadToEnd())!;
        var messages = request["messages"]!.AsArray();
        var system = messages.Where(m => (string?)m!["role"] == "system").Select(m => Content(m!)).FirstOrDefault() ?? string.Empty;
        var user = messages.Where(m => (string?)m!["role"] == "user").Select(m => Content(m!)).LastOrDefault() ?? string.Empty;
        lock (Requests)
        {
            Requests.Add((system, user));
        }

        var content = respond(system, user);
        if (content is not null && (bool?)request["stream"] == true)
        {
            await StreamAsync(response, (string?)request["model"] ?? "test-model", content, (bool?)request["stream_options"]?["include_usage"] == true);
            return;
        }

        byte[] body;
        if (content is null)
        {
            response.StatusCode = 500;
            body = Encoding.UTF8.GetBytes("""{"error":{"message":"canned failure","type":"server_error"}}""");
        }
        else
        {
            var reply = new JsonObject
            {
                ["id"] = "chatcmpl-test",
                ["object"] = "chat.completion",
                ["created"] = 1_700_000_000,
                ["model"] = (string?)request["model"] ?? "test-model",
                ["choices"] = new JsonArray(new JsonObject
                {
                    ["index"] = 0,
                    ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content },
                    ["finish_reason"] = "stop",
                }),
                ["usage"] = Usage(),
            };
            body = Encoding.UTF8.GetBytes(reply.ToJsonString());
        }

        response.ContentType = "application/json";
        response.ContentLength64 = body.Length;
        await response.OutputStream.WriteAsync(body);
    }

    private async Task StreamAsync(HttpListenerResponse response, string model, string content, bool includeUsage)
    {
        response.ContentType = "text/event-stream";
        response.SendChunked = true;
        var words = System.Text.RegularExpressions.Regex.Matches(content, @"\S+\s*").Select(m => m.Value).ToList();
        var chunks = words.Select(w => Chunk(model, new JsonObject { ["content"] = w }, null))
            .Prepend(Chunk(model, new JsonObject { ["role"] = "assistant", ["content"] = string.Empty }, null))
            .Append(Chunk(model, new JsonObject(), "stop"))
            .ToList();
        if (includeUsage)
        {
            var usage = Chunk(model, null, null);
            usage["usage"] = Usage();
            chunks.Add(usage);
        }

        try
        {
            foreach (var chunk in chunks)
            {
                await Task.Delay(StreamDelay);
                await WriteEventAsync(response, chunk.ToJsonString());
            }

            await WriteEventAsync(response, "[DONE]");
            Interlocked.Increment(ref completedStreams);
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
        {
            Interlocked.Increment(ref abortedStreams);
        }
    }

    private static async Task WriteEventAsync(HttpListenerResponse response, string data)
    {
        var bytes = Encoding.UTF8.GetBytes("data: " + data + "\n\n");
        await response.OutputStream.WriteAsync(bytes);
        await response.OutputStream.FlushAsync();
    }

    /// <summary>A <c>chat.completion.chunk</c>; a null delta gives the usage chunk's empty choices.</summary>
    private static JsonObject Chunk(string model, JsonObject? delta, string? finishReason) => new()
    {
        ["id"] = "chatcmpl-test",
        ["object"] = "chat.completion.chunk",
        ["created"] = 1_700_000_000,
        ["model"] = model,
        ["choices"] = delta is null
            ? new JsonArray()
            : new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finishReason }),
    };

    private static JsonObject Usage() => new() { ["prompt_tokens"] = PromptTokens, ["completion_tokens"] = CompletionTokens, ["total_tokens"] = PromptTokens + CompletionTokens };

    /// <summary>Message content as a string, or its text parts joined when sent as an array.</summary>
    private static string Content(JsonNode message) => message["content"] switch
    {
        JsonValue value => value.GetValue<string>(),
        JsonArray parts => string.Concat(parts.Select(p => (string?)p!["text"])),
        _ => string.Empty,
    };
}
