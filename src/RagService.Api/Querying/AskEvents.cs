using System.Diagnostics;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using RagService.Api.Contracts;
using RagService.Core.Answers;
using RagService.Core.Search;

namespace RagService.Api.Querying;

/// <summary>
/// The <c>text/event-stream</c> of a streamed answer: one <c>sources</c> event (what retrieval found), a
/// <c>delta</c> event per piece of answer text, and one <c>done</c> event with the verified answer, its
/// citations, timings and token usage. The done answer is authoritative: a client that rendered the deltas
/// replaces them with it (the citation verifier may have dropped a marker an LLM streamed).
/// </summary>
public static class AskEvents
{
    public const string Sources = "sources";
    public const string Delta = "delta";
    public const string Done = "done";

    /// <param name="onAnswered">Runs with the final answer before the done event is sent (a conversation stores its turn).</param>
    public static async IAsyncEnumerable<SseItem<object>> StreamAsync(
        AskSourcesEvent sources,
        Retrieved retrieved,
        IAsyncEnumerable<AnswerUpdate> updates,
        Func<Answer, CancellationToken, Task>? onAnswered,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        double? firstDeltaMs = null;
        yield return new SseItem<object>(sources, Sources);
        await foreach (var update in updates.WithCancellation(ct).ConfigureAwait(false))
        {
            if (update.Delta is { } delta)
            {
                firstDeltaMs ??= clock.Elapsed.TotalMilliseconds;
                yield return new SseItem<object>(new AskDeltaEvent(delta), Delta);
            }
            else if (update.Final is { } answer)
            {
                if (onAnswered is not null)
                {
                    await onAnswered(answer, ct).ConfigureAwait(false);
                }

                var generationMs = clock.Elapsed.TotalMilliseconds;
                yield return new SseItem<object>(new AskDoneEvent(
                    answer.Text,
                    answer.NoAnswer,
                    answer.Citations,
                    answer.GeneratedBy,
                    new AskTimings(retrieved.RetrievalMs, firstDeltaMs, generationMs, retrieved.RetrievalMs + generationMs),
                    update.Usage), Done);
            }
        }
    }
}

/// <param name="RewrittenQuestion">In a conversation, the standalone question retrieval ran with when the follow-up was rewritten.</param>
public sealed record AskSourcesEvent(string Question, string? RewrittenQuestion, IReadOnlyList<SearchHitDto> Sources, SearchTrace? Trace);

public sealed record AskDeltaEvent(string Text);

public sealed record AskDoneEvent(string Answer, bool NoAnswer, IReadOnlyList<Citation> Citations, string GeneratedBy, AskTimings Timings, TokenUsage? Usage);

/// <param name="FirstDeltaMs">From the end of retrieval to the first piece of answer text; null when none was sent.</param>
public sealed record AskTimings(double RetrievalMs, double? FirstDeltaMs, double GenerationMs, double TotalMs);
