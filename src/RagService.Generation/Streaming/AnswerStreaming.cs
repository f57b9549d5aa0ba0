using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using RagService.Core.Answers;
using RagService.Core.Search;

namespace RagService.Generation.Streaming;

/// <summary>Streams any <see cref="IAnswerGenerator"/>: natively when it can, otherwise sentence by sentence once it is done.</summary>
public static partial class AnswerStreaming
{
    public static IAsyncEnumerable<AnswerUpdate> StreamAsync(this IAnswerGenerator generator, string question, IReadOnlyList<SearchHit> hits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(generator);
        return generator is IStreamingAnswerGenerator streaming
            ? streaming.StreamAsync(question, hits, cancellationToken)
            : BySentence(generator, question, hits, cancellationToken);
    }

    /// <summary>
    /// The answer's text cut after each citation group ("sentence [1] ", "sentence [2][3]"): an extractive
    /// answer arrives one quoted sentence at a time. The pieces concatenate to the text exactly.
    /// </summary>
    public static IEnumerable<string> Pieces(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return PiecePattern().Matches(text).Select(m => m.Value).Where(p => p.Length > 0);
    }

    private static async IAsyncEnumerable<AnswerUpdate> BySentence(IAnswerGenerator generator, string question, IReadOnlyList<SearchHit> hits, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var answer = await generator.GenerateAsync(question, hits, cancellationToken).ConfigureAwait(false);
        foreach (var piece in Pieces(answer.Text))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return AnswerUpdate.Text(piece);
        }

        yield return AnswerUpdate.Done(answer);
    }

    [GeneratedRegex(@".*?(?:\[\d+\])+\s*|.+$", RegexOptions.Singleline)]
    private static partial Regex PiecePattern();
}
