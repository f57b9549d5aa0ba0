using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace RagService.Api.Contracts;

/// <summary>The part of OpenAI's chat-completions request this route reads; other members (temperature, tools…) are accepted and ignored.</summary>
public sealed record OpenAiChatRequest
{
    [Description("rag:<index>, as listed by GET /v1/models.")]
    public string? Model { get; init; }

    [Description("The conversation: the last user message is the question, earlier user and assistant messages its history.")]
    public IReadOnlyList<OpenAiMessage>? Messages { get; init; }

    public bool Stream { get; init; }

    [JsonPropertyName("stream_options")]
    public OpenAiStreamOptions? StreamOptions { get; init; }
}

/// <param name="Content">A string, or an array of parts whose "text" parts are joined.</param>
public sealed record OpenAiMessage(string? Role, JsonElement Content)
{
    public string Text => Content.ValueKind switch
    {
        JsonValueKind.String => Content.GetString() ?? string.Empty,
        JsonValueKind.Array => string.Concat(Content.EnumerateArray()
            .Where(p => p.ValueKind == JsonValueKind.Object && p.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String)
            .Select(p => p.GetProperty("text").GetString())),
        _ => string.Empty,
    };
}

public sealed record OpenAiStreamOptions
{
    [JsonPropertyName("include_usage")]
    public bool IncludeUsage { get; init; }
}
