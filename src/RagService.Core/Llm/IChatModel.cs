using System.Runtime.CompilerServices;
using RagService.Core.Answers;

namespace RagService.Core.Llm;

/// <summary>
/// One chat completion: a system prompt and a user message in, the assistant's text out. The small
/// seam that answer generation and query rewriting share, so Retrieval needs no LLM SDK; the
/// implementation (Generation's <c>SemanticKernelChatModel</c>) goes through Semantic Kernel.
/// </summary>
public interface IChatModel
{
    /// <summary>The model id, reported in answers and traces.</summary>
    string Name { get; }

    Task<string> CompleteAsync(string systemPrompt, string userMessage, CancellationToken cancellationToken);

    /// <summary>
    /// The same completion as it is produced: text pieces in order, the last one possibly carrying the
    /// token usage. A model that cannot stream answers in one piece.
    /// </summary>
    async IAsyncEnumerable<ChatDelta> StreamAsync(string systemPrompt, string userMessage, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        yield return new ChatDelta(await CompleteAsync(systemPrompt, userMessage, cancellationToken).ConfigureAwait(false), null);
    }
}

/// <summary>A piece of a streamed completion; <see cref="Usage"/> is set on the piece the server reported it with.</summary>
public sealed record ChatDelta(string Text, TokenUsage? Usage);
