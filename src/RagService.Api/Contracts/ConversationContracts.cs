using System.ComponentModel;
using RagService.Api.Conversations;
using RagService.Core.Answers;
using RagService.Core.Search;

namespace RagService.Api.Contracts;

public sealed record ConversationMessageRequest
{
    [Description("The question; a follow-up (\"And for interns?\") is rewritten into a standalone question from the earlier turns before retrieval.")]
    public string? Question { get; init; }

    [Description("Answer as text/event-stream (sources, delta and done events), as /ask does.")]
    public bool Stream { get; init; }

    [Description("Retrieved chunks the answer may draw on, 1–50 (default 8).")]
    public int TopK { get; init; } = 8;

    [Description("bm25, dense or hybrid (default).")]
    public string? Mode { get; init; }

    [Description("Return the retrieved sources and the search trace, whose first step is the follow-up rewrite.")]
    public bool Trace { get; init; }
}

/// <param name="RewrittenQuestion">The standalone question retrieval ran with; null when the question was taken as asked.</param>
public sealed record ConversationTurnDto(
    int Turn,
    string Question,
    string? RewrittenQuestion,
    string RewriteMethod,
    string Answer,
    bool NoAnswer,
    IReadOnlyList<Citation> Citations,
    string GeneratedBy,
    DateTimeOffset CreatedAt)
{
    public static ConversationTurnDto From(StoredTurn t) => new(
        t.Turn, t.Question, t.StandaloneQuestion == t.Question ? null : t.StandaloneQuestion, t.RewriteMethod,
        t.Answer, t.NoAnswer, t.Citations, t.GeneratedBy, t.CreatedAt);
}

public sealed record ConversationDto(string Id, string Index, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, IReadOnlyList<ConversationTurnDto> Turns)
{
    public static ConversationDto From(Conversation c) => new(c.Id, c.Index, c.CreatedAt, c.ExpiresAt, c.Turns.Select(ConversationTurnDto.From).ToList());
}

public sealed record ConversationAnswerDto(
    string ConversationId,
    ConversationTurnDto Turn,
    DateTimeOffset ExpiresAt,
    IReadOnlyList<SearchHitDto>? Sources,
    SearchTrace? Trace,
    double ElapsedMs);
