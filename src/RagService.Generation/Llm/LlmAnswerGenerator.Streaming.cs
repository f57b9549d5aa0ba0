using System.Runtime.CompilerServices;
using System.Text;
using RagService.Core.Answers;
using RagService.Core.Search;
using RagService.Generation.Extractive;

namespace RagService.Generation.Llm;

public sealed partial class LlmAnswerGenerator
{
    /// <summary>
    /// The model's tokens as they arrive, then the answer built from the whole reply exactly as
    /// <see cref="GenerateAsync"/> builds it (verified citations, or the extractive fallback), with the
    /// server's token usage. Text that could still become <see cref="CannotAnswerToken"/> is held back, so a
    /// client never sees the token; cancelling <paramref name="cancellationToken"/> aborts the LLM call.
    /// </summary>
    public async IAsyncEnumerable<AnswerUpdate> StreamAsync(string question, IReadOnlyList<SearchHit> hits, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(hits);
        var sources = hits.Take(options.MaxSources).ToList();
        if (sources.Count == 0)
        {
            yield return AnswerUpdate.Done(ExtractiveAnswerGenerator.NoAnswer);
            yield break;
        }

        var reply = new StringBuilder();
        TokenUsage? usage = null;
        Exception? failure = null;
        var released = 0;
        var (system, user) = Prompt(question, sources);
        await using (var pieces = chat.StreamAsync(system, user, cancellationToken).GetAsyncEnumerator(cancellationToken))
        {
            while (true)
            {
                try
                {
                    if (!await pieces.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    failure = e;
                    break;
                }

                reply.Append(pieces.Current.Text);
                usage = pieces.Current.Usage ?? usage;
                var text = reply.ToString();
                if (text.Length > released && !CannotAnswerToken.StartsWith(text.TrimStart(), StringComparison.Ordinal))
                {
                    yield return AnswerUpdate.Text(text[released..]);
                    released = text.Length;
                }
            }
        }

        var answer = failure is null
            ? await FromReplyAsync(question, hits, sources, reply.ToString(), cancellationToken).ConfigureAwait(false)
            : await FailureFallback(question, hits, failure, cancellationToken).ConfigureAwait(false);
        yield return AnswerUpdate.Done(answer, usage);
    }
}
