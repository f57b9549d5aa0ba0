using System.Text.Json;
using System.Text.Json.Nodes;
using RagService.Core.Answers;

namespace RagService.Api.OpenAi;

/// <summary>
/// OpenAI's chat-completions wire format (snake_case JSON): completions, stream chunks, usage, model lists
/// and errors. The service's additions ride in extra members that OpenAI clients ignore: <c>citations</c>
/// (what each [n] marker in the answer cites) and <c>rag</c> (the rewritten question, noAnswer, generator).
/// </summary>
public static class OpenAiWire
{
    public const string ModelPrefix = "rag:";

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    public static string CompletionId() => "chatcmpl-" + Guid.NewGuid().ToString("N");

    public static JsonObject Completion(string id, long created, string model, Answer answer, TokenUsage? usage, string? rewrittenQuestion) => new()
    {
        ["id"] = id,
        ["object"] = "chat.completion",
        ["created"] = created,
        ["model"] = model,
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = answer.Text },
            ["logprobs"] = null,
            ["finish_reason"] = "stop",
        }),
        ["usage"] = Usage(usage),
        ["citations"] = Citations(answer),
        ["rag"] = Extras(answer, rewrittenQuestion),
    };

    /// <summary>A <c>chat.completion.chunk</c>: a delta, or (with <paramref name="finishReason"/>) the last one.</summary>
    public static JsonObject Chunk(string id, long created, string model, JsonObject delta, string? finishReason) =>
        ChunkOf(id, created, model, new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["logprobs"] = null, ["finish_reason"] = finishReason }));

    /// <summary>The last chunk: finish reason "stop", and the verified answer's citations.</summary>
    public static JsonObject FinalChunk(string id, long created, string model, Answer answer, string? rewrittenQuestion)
    {
        var chunk = Chunk(id, created, model, new JsonObject(), "stop");
        chunk["citations"] = Citations(answer);
        chunk["rag"] = Extras(answer, rewrittenQuestion);
        return chunk;
    }

    /// <summary>The usage chunk OpenAI sends after the last one when asked (<c>stream_options.include_usage</c>): no choices.</summary>
    public static JsonObject UsageChunk(string id, long created, string model, TokenUsage? usage)
    {
        var chunk = ChunkOf(id, created, model, new JsonArray());
        chunk["usage"] = Usage(usage);
        return chunk;
    }

    private static JsonObject ChunkOf(string id, long created, string model, JsonArray choices) => new()
    {
        ["id"] = id,
        ["object"] = "chat.completion.chunk",
        ["created"] = created,
        ["model"] = model,
        ["choices"] = choices,
    };

    public static JsonObject Model(string index, DateTimeOffset created) => new()
    {
        ["id"] = ModelPrefix + index,
        ["object"] = "model",
        ["created"] = created.ToUnixTimeSeconds(),
        ["owned_by"] = "ragservice",
    };

    public static JsonObject Error(string message, string type, string? param, string? code) => new()
    {
        ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = param, ["code"] = code },
    };

    /// <summary>Token counts of the LLM that wrote the answer; zeros for an extractive answer.</summary>
    private static JsonObject Usage(TokenUsage? usage) => new()
    {
        ["prompt_tokens"] = usage?.PromptTokens ?? 0,
        ["completion_tokens"] = usage?.CompletionTokens ?? 0,
        ["total_tokens"] = usage?.TotalTokens ?? 0,
    };

    private static JsonNode Citations(Answer answer) => JsonSerializer.SerializeToNode(answer.Citations, Web)!;

    private static JsonObject Extras(Answer answer, string? rewrittenQuestion) => new()
    {
        ["rewritten_question"] = rewrittenQuestion,
        ["no_answer"] = answer.NoAnswer,
        ["generated_by"] = answer.GeneratedBy,
    };
}
