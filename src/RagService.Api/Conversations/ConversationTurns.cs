using System.Diagnostics;
using Microsoft.Extensions.Options;
using RagService.Core.Search;
using RagService.Retrieval.FollowUps;

namespace RagService.Api.Conversations;

/// <summary>
/// The follow-up step shared by conversations and the OpenAI-compatible route: a question asked after
/// earlier turns is rewritten into a standalone one (by the LLM when configured, else by rules) before
/// retrieval, and the rewrite is shown in the search trace.
/// </summary>
public sealed class ConversationTurns(IFollowUpRewriter rewriter, IOptions<ConversationOptions> options)
{
    public const string TraceStage = "follow-up-rewrite";

    private readonly RuleFollowUpRewriter rules = new();

    /// <summary>The rewrite of <paramref name="question"/> after the last <see cref="ConversationOptions.HistoryTurns"/> of <paramref name="history"/>, timed.</summary>
    public async Task<(FollowUpRewrite Rewrite, double Ms)> RewriteAsync(IReadOnlyList<ConversationTurn> history, string question, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(history);
        var clock = Stopwatch.StartNew();
        var recent = history.Skip(Math.Max(0, history.Count - options.Value.HistoryTurns)).ToList();
        var rewrite = await rewriter.RewriteAsync(recent, question, ct).ConfigureAwait(false);
        return (rewrite, clock.Elapsed.TotalMilliseconds);
    }

    /// <summary>
    /// A chat transcript's earlier user questions made standalone one by one (by rules: local and instant),
    /// each paired with the assistant reply that followed it, so a chain of follow-ups keeps its subject.
    /// </summary>
    public async Task<IReadOnlyList<ConversationTurn>> HistoryAsync(IReadOnlyList<(string Question, string? Answer)> transcript, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(transcript);
        var turns = new List<ConversationTurn>();
        foreach (var (question, answer) in transcript)
        {
            var standalone = await rules.RewriteAsync(turns, question, ct).ConfigureAwait(false);
            turns.Add(new ConversationTurn(standalone.Question, answer));
        }

        return turns;
    }

    /// <summary>The trace with the rewrite as its first step, so a caller sees which question retrieval ran with.</summary>
    public static SearchTrace? WithRewrite(SearchTrace? trace, string asked, FollowUpRewrite rewrite, double ms) =>
        trace is null
            ? null
            : trace with { Steps = [new SearchTraceStep(TraceStage, rewrite.Rewritten, ms, $"{rewrite.Method}: \"{asked.Trim()}\" → \"{rewrite.Question}\""), .. trace.Steps] };
}
