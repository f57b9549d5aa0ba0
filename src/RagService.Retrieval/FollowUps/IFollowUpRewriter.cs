namespace RagService.Retrieval.FollowUps;

/// <summary>An earlier turn of a conversation: its standalone question (after rewriting) and the answer given.</summary>
public sealed record ConversationTurn(string Question, string? Answer);

/// <param name="Question">The standalone question retrieval runs with (the follow-up itself when nothing was rewritten).</param>
/// <param name="Rewritten">Whether <paramref name="Question"/> differs from the follow-up as asked.</param>
/// <param name="Method">"none" (first turn or already standalone), "rules", or "llm:&lt;model&gt;".</param>
public sealed record FollowUpRewrite(string Question, bool Rewritten, string Method);

/// <summary>
/// Turns a follow-up ("And for interns?", "那这个怎么申请？") into a question that stands on its own, so
/// retrieval, which sees one question at a time, finds what the conversation is about.
/// </summary>
public interface IFollowUpRewriter
{
    /// <param name="history">The earlier turns, oldest first.</param>
    Task<FollowUpRewrite> RewriteAsync(IReadOnlyList<ConversationTurn> history, string followUp, CancellationToken cancellationToken);
}
