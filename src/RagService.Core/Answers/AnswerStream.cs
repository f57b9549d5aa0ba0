using RagService.Core.Search;

namespace RagService.Core.Answers;

/// <summary>Tokens an LLM call consumed and produced, as the server reported them.</summary>
public sealed record TokenUsage(int PromptTokens, int CompletionTokens)
{
    public int TotalTokens => PromptTokens + CompletionTokens;
}

/// <summary>
/// One step of an answer as it is produced: a <see cref="Delta"/> of text to append, or, last, the
/// <see cref="Final"/> verified answer. The final answer is authoritative: an LLM's streamed text can lose
/// unsupported markers to the citation verifier or be replaced by the extractive fallback.
/// </summary>
public sealed record AnswerUpdate
{
    public string? Delta { get; init; }

    public Answer? Final { get; init; }

    /// <summary>Set with <see cref="Final"/> when an LLM wrote the answer and its server reported usage.</summary>
    public TokenUsage? Usage { get; init; }

    public static AnswerUpdate Text(string delta) => new() { Delta = delta };

    public static AnswerUpdate Done(Answer answer, TokenUsage? usage = null) => new() { Final = answer, Usage = usage };
}

/// <summary>
/// A generator that can stream its answer. Generators without it are streamed sentence by sentence
/// after they finish (<c>AnswerStreaming.StreamAsync</c> in Generation).
/// </summary>
public interface IStreamingAnswerGenerator : IAnswerGenerator
{
    /// <summary>Deltas as the answer is produced, then exactly one update with <see cref="AnswerUpdate.Final"/>.</summary>
    IAsyncEnumerable<AnswerUpdate> StreamAsync(string question, IReadOnlyList<SearchHit> hits, CancellationToken cancellationToken);
}
