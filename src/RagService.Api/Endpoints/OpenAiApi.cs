using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using RagService.Api.Contracts;
using RagService.Api.Conversations;
using RagService.Api.OpenAi;
using RagService.Api.Querying;
using RagService.Api.Security;
using RagService.Core.Answers;
using RagService.Core.Search;
using RagService.Indexing;

namespace RagService.Api.Endpoints;

/// <summary>
/// The OpenAI-compatible front door: <c>GET /v1/models</c> lists the indexes as models <c>rag:&lt;index&gt;</c>,
/// <c>POST /v1/chat/completions</c> answers the last user message from that index, streaming or not, the
/// earlier messages taken as the conversation (follow-ups rewritten as in conversations). Any tool that
/// speaks OpenAI's protocol can use the service; errors are OpenAI-shaped.
/// </summary>
public static class OpenAiApi
{
    public static RouteGroupBuilder MapOpenAiApi(this RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("/").WithTags("OpenAI-compatible").RequireAuthorization(RagPolicies.Reader);
        group.MapGet("/models", Models).WithSummary("OpenAI-compatible: the indexes as models rag:<index>");
        group.MapPost("/chat/completions", ChatCompletions)
            .WithSummary("OpenAI-compatible chat completion answered from the index named by the model, with [n] markers and citations")
            .Accepts<OpenAiChatRequest>("application/json");
        return v1;
    }

    internal static IResult Models(HttpContext http, IndexRegistry registry)
    {
        var data = new JsonArray();
        var tenant = http.GetCaller().Tenant;
        foreach (var name in registry.Names(tenant))
        {
            if (registry.Open(name, tenant) is { } store)
            {
                data.Add(OpenAiWire.Model(name, store.Settings.CreatedAt));
            }
        }

        return Results.Json(new JsonObject { ["object"] = "list", ["data"] = data });
    }

    internal static async Task<IResult> ChatCompletions(
        HttpContext http,
        IndexRegistry registry,
        ConversationTurns turns,
        AskService asker,
        CancellationToken ct)
    {
        // The body is read here rather than bound by the framework, so a client of this route gets OpenAI's error shape for a
        // malformed body too. (A body that is not JSON at all is refused by routing, through .Accepts, with a 415 ProblemDetails.)
        OpenAiChatRequest? request;
        try
        {
            request = await http.Request.ReadFromJsonAsync<OpenAiChatRequest>(ct);
        }
        catch (JsonException e)
        {
            return Error(StatusCodes.Status400BadRequest, $"The request body is not a valid chat completion request: {e.Message}", e.Path, "invalid_json");
        }

        if (request is null)
        {
            return Error(StatusCodes.Status400BadRequest, "The request body is empty: send a chat completion request.", null, "invalid_json");
        }

        var model = request.Model?.Trim() ?? string.Empty;
        if (!model.StartsWith(OpenAiWire.ModelPrefix, StringComparison.Ordinal) || registry.OpenFor(http, model[OpenAiWire.ModelPrefix.Length..]) is not { } store)
        {
            return Error(StatusCodes.Status404NotFound, $"The model '{model}' does not exist. Models are rag:<index>; GET /v1/models lists them.", "model", "model_not_found");
        }

        var messages = request.Messages ?? [];
        var last = messages.Select((m, i) => (Message: m, Index: i)).LastOrDefault(m => m.Message.Role == "user");
        if (last.Message is null)
        {
            return Error(StatusCodes.Status400BadRequest, "'messages' must contain a message with role 'user': its text is the question.", "messages", null);
        }

        var question = last.Message.Text.Trim();
        if (question.Length is 0 or > 4000)
        {
            return Error(StatusCodes.Status400BadRequest, "The last user message must have 1 to 4000 characters of text.", $"messages[{last.Index}].content", null);
        }

        var history = await turns.HistoryAsync(Transcript(messages.Take(last.Index).ToList()), ct);
        var (rewrite, _) = await turns.RewriteAsync(history, question, ct);
        var retrieved = await asker.RetrieveAsync(store, new SearchRequest { Query = rewrite.Question, TopK = 8 }, http.GetAccessScope(), null, null, ct);
        var id = OpenAiWire.CompletionId();
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var rewritten = rewrite.Rewritten ? rewrite.Question : null;
        if (request.Stream)
        {
            return TypedResults.ServerSentEvents(StreamAsync(asker.StreamAsync(retrieved, ct), id, created, model, rewritten, request.StreamOptions?.IncludeUsage == true, ct));
        }

        var final = await asker.StreamAsync(retrieved, ct).LastAsync(ct);
        return Results.Json(OpenAiWire.Completion(id, created, model, final.Final!, final.Usage, rewritten));
    }

    /// <summary>The user messages before the question, each with the assistant reply that followed it.</summary>
    private static List<(string Question, string? Answer)> Transcript(IReadOnlyList<OpenAiMessage> messages)
    {
        var transcript = new List<(string Question, string? Answer)>();
        foreach (var message in messages)
        {
            if (message.Role == "user" && message.Text.Trim() is { Length: > 0 } text)
            {
                transcript.Add((text, null));
            }
            else if (message.Role == "assistant" && transcript.Count > 0 && transcript[^1].Answer is null)
            {
                transcript[^1] = (transcript[^1].Question, message.Text);
            }
        }

        return transcript;
    }

    private static async IAsyncEnumerable<string> StreamAsync(
        IAsyncEnumerable<AnswerUpdate> updates, string id, long created, string model, string? rewritten, bool includeUsage, [EnumeratorCancellation] CancellationToken ct)
    {
        yield return OpenAiWire.Chunk(id, created, model, new JsonObject { ["role"] = "assistant", ["content"] = string.Empty }, null).ToJsonString();
        await foreach (var update in updates.WithCancellation(ct))
        {
            if (update.Delta is { } delta)
            {
                yield return OpenAiWire.Chunk(id, created, model, new JsonObject { ["content"] = delta }, null).ToJsonString();
            }
            else if (update.Final is { } answer)
            {
                yield return OpenAiWire.FinalChunk(id, created, model, answer, rewritten).ToJsonString();
                if (includeUsage)
                {
                    yield return OpenAiWire.UsageChunk(id, created, model, update.Usage).ToJsonString();
                }
            }
        }

        yield return "[DONE]";
    }

    private static IResult Error(int status, string message, string? param, string? code) =>
        Results.Json(OpenAiWire.Error(message, status == StatusCodes.Status404NotFound ? "not_found_error" : "invalid_request_error", param, code), statusCode: status);
}
