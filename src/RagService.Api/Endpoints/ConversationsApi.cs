using System.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using RagService.Api.Contracts;
using RagService.Api.Conversations;
using RagService.Api.Hosting;
using RagService.Api.Querying;
using RagService.Api.Security;
using RagService.Core.Answers;
using RagService.Indexing;
using RagService.Retrieval.FollowUps;

namespace RagService.Api.Endpoints;

/// <summary>
/// Conversations: <c>/v1/indexes/{index}/conversations</c>. Each belongs to its caller (tenant and user or
/// key) and expires; a follow-up is rewritten into a standalone question before retrieval.
/// </summary>
public static class ConversationsApi
{
    public static RouteGroupBuilder MapConversationsApi(this RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("/indexes/{index}/conversations").WithTags("Conversations").RequireAuthorization(RagPolicies.Reader);
        group.MapPost("/", Create).WithSummary("Start a conversation over the index, owned by the caller");
        group.MapGet("/{id}", Get).WithSummary("A conversation's turns, each with its rewritten question and citations");
        group.MapDelete("/{id}", Delete).WithSummary("Delete a conversation");
        group.MapPost("/{id}/messages", Message)
            .WithSummary("Ask in a conversation: a follow-up is rewritten into a standalone question first; \"stream\": true answers as text/event-stream");
        return v1;
    }

    internal static Results<Created<ConversationDto>, NotFound<ProblemDetails>> Create(string index, HttpContext http, IndexRegistry registry, ConversationStore store)
    {
        if (registry.OpenFor(http, index) is null)
        {
            return Problems.IndexNotFound(index);
        }

        var conversation = store.Create(index, ConversationOwner.Of(http.GetCaller()));
        return TypedResults.Created($"/v1/indexes/{index}/conversations/{conversation.Id}", ConversationDto.From(conversation));
    }

    internal static Results<Ok<ConversationDto>, NotFound<ProblemDetails>> Get(string index, string id, HttpContext http, ConversationStore store) =>
        Find(store, index, id, http) is { } conversation ? TypedResults.Ok(ConversationDto.From(conversation)) : ConversationNotFound(index, id);

    internal static Results<NoContent, NotFound<ProblemDetails>> Delete(string index, string id, HttpContext http, ConversationStore store) =>
        Find(store, index, id, http) is not null && store.Delete(id, ConversationOwner.Of(http.GetCaller()))
            ? TypedResults.NoContent()
            : ConversationNotFound(index, id);

    internal static async Task<Results<Ok<ConversationAnswerDto>, ServerSentEventsResult<object>, NotFound<ProblemDetails>, ValidationProblem, Conflict<ProblemDetails>>> Message(
        string index,
        string id,
        ConversationMessageRequest request,
        HttpContext http,
        IndexRegistry registry,
        ConversationStore store,
        ConversationTurns turns,
        AskService asker,
        IOptions<ConversationOptions> options,
        IOptions<RagOptions> limits,
        CancellationToken ct)
    {
        if (registry.OpenFor(http, index) is not { } indexStore)
        {
            return Problems.IndexNotFound(index);
        }

        if (Find(store, index, id, http) is not { } conversation)
        {
            return ConversationNotFound(index, id);
        }

        if (!QueryApi.TryBuild(request.Question, request.TopK, 50, request.Mode, null, request.Trace, "question", limits.Value.Limits.MaxQueryChars, out var searchRequest, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (conversation.Turns.Count >= options.Value.MaxTurns)
        {
            return TypedResults.Conflict(Problems.Create(StatusCodes.Status409Conflict, "Conversation is full",
                $"Conversation '{id}' has reached Conversations:MaxTurns ({options.Value.MaxTurns}) messages; start a new one."));
        }

        var clock = Stopwatch.StartNew();
        var asked = searchRequest.Query;
        var history = conversation.Turns.Select(t => new ConversationTurn(t.StandaloneQuestion, t.Answer)).ToList();
        var (rewrite, rewriteMs) = await turns.RewriteAsync(history, asked, ct);
        var retrieved = await asker.RetrieveAsync(indexStore, searchRequest with { Query = rewrite.Question }, http.GetAccessScope(), null, null, ct);
        var trace = ConversationTurns.WithRewrite(retrieved.Trace, asked, rewrite, rewriteMs);
        var number = conversation.Turns.Count + 1;
        StoredTurn Turn(Answer answer) => new(number, asked, rewrite.Question, rewrite.Method, answer.Text, answer.NoAnswer, answer.Citations, answer.GeneratedBy, store.Now);

        if (request.Stream)
        {
            var sources = new AskSourcesEvent(asked, rewrite.Rewritten ? rewrite.Question : null, QueryApi.ToDtos(retrieved.Hits), trace);
            return TypedResults.ServerSentEvents(AskEvents.StreamAsync(sources, retrieved, asker.StreamAsync(retrieved, ct), (answer, _) =>
            {
                store.Append(id, Turn(answer));
                return Task.CompletedTask;
            }, ct));
        }

        var stored = Turn(await asker.AnswerAsync(retrieved, ct));
        var expires = store.Append(id, stored);
        return TypedResults.Ok(new ConversationAnswerDto(id, ConversationTurnDto.From(stored), expires,
            request.Trace ? QueryApi.ToDtos(retrieved.Hits) : null, trace, clock.Elapsed.TotalMilliseconds));
    }

    private static Conversation? Find(ConversationStore store, string index, string id, HttpContext http) =>
        store.Get(id, ConversationOwner.Of(http.GetCaller())) is { } conversation && conversation.Index == index ? conversation : null;

    // The same answer for a conversation that never existed, expired, or belongs to another caller: no existence leak.
    private static NotFound<ProblemDetails> ConversationNotFound(string index, string id) =>
        TypedResults.NotFound(Problems.Create(StatusCodes.Status404NotFound, "Conversation not found",
            $"Index '{index}' has no conversation '{id}' of yours (it may have expired)."));
}
