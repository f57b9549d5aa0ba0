namespace RagService.Api.Conversations;

/// <summary>Conversations (section "Conversations"): how long they live and how much history they keep.</summary>
public sealed class ConversationOptions
{
    public const string Section = "Conversations";

    /// <summary>A conversation expires this long after its last message (or its creation); then it is gone (404).</summary>
    public TimeSpan TimeToLive { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Messages a conversation accepts; past it the caller starts a new one (409).</summary>
    public int MaxTurns { get; set; } = 100;

    /// <summary>Earlier turns given to the follow-up rewriter (the rule rewriter reads only the last).</summary>
    public int HistoryTurns { get; set; } = 4;
}
