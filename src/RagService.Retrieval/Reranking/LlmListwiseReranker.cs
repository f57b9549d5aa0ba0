using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using RagService.Core.Llm;
using RagService.Core.Models;

namespace RagService.Retrieval.Reranking;

/// <summary>The LLM's reply named no usable passage: the caller keeps its previous order.</summary>
public sealed class MalformedRerankReplyException(string message) : FormatException(message);

/// <summary>
/// Listwise reranking with an LLM in one call: the query and the numbered passages go in, the model
/// replies with the passage numbers from most to least relevant ("[3] > [1] > [2]"). Parsing is lenient
/// about the format (brackets or a bare list of numbers, any separators) and strict about the content:
/// numbers out of range and repeats are ignored, passages the model left out keep their previous order
/// below the ones it ranked, and a reply naming no passage at all is malformed
/// (<see cref="MalformedRerankReplyException"/>), which the retriever turns into "kept the previous
/// order", never a failed search. One call for all candidates rather than one per candidate (pointwise):
/// the latency is one round trip, and the model compares the candidates with each other.
/// In the service the chat model is Semantic Kernel's (<c>SemanticKernelChatModel</c>); the tests run it
/// against a local fake OpenAI-compatible server, since no model weights exist on our machines.
/// </summary>
public sealed partial class LlmListwiseReranker(IChatModel chat, int maxPassageChars = 600) : IReranker
{
    public const string SystemPrompt =
        "You rank passages by how well they answer a search query.\n" +
        "Reply with the passage numbers only, most relevant first, separated by ' > ', e.g. [2] > [3] > [1].\n" +
        "List every passage number exactly once. Do not explain.";

    public string Name => "llm:" + chat.Name;

    /// <summary>A chat model reads any language the service detects.</summary>
    public LanguageCoverage Languages => LanguageCoverage.All;

    /// <summary>
    /// One score per passage: the model's order as descending scores in (0, 1] (first = 1), passages it left
    /// out below 0 in their given order.
    /// </summary>
    public async Task<float[]> ScoreAsync(string query, IReadOnlyList<string> passages, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(query);
        ArgumentNullException.ThrowIfNull(passages);
        if (passages.Count == 0)
        {
            return [];
        }

        var reply = await chat.CompleteAsync(SystemPrompt, BuildUserMessage(query, passages, maxPassageChars), cancellationToken).ConfigureAwait(false);
        var order = ParseOrder(reply, passages.Count)
            ?? throw new MalformedRerankReplyException($"the reply names none of passages 1–{passages.Count}: \"{Shorten(reply)}\"");
        return ToScores(order, passages.Count);
    }

    public static string BuildUserMessage(string query, IReadOnlyList<string> passages, int maxPassageChars)
    {
        ArgumentNullException.ThrowIfNull(passages);
        var builder = new StringBuilder();
        builder.Append("Query: ").AppendLine(query.Trim()).AppendLine().AppendLine("Passages:");
        for (var i = 0; i < passages.Count; i++)
        {
            var text = Whitespace().Replace(passages[i], " ").Trim();
            if (text.Length > maxPassageChars)
            {
                text = text[..maxPassageChars] + " …";
            }

            builder.Append(CultureInfo.InvariantCulture, $"[{i + 1}] ").AppendLine(text);
        }

        builder.AppendLine().Append(CultureInfo.InvariantCulture, $"Rank all {passages.Count} passages.");
        return builder.ToString();
    }

    /// <summary>
    /// The 0-based passage indexes the reply ranks, in its order, or null when it names none. Bracketed
    /// numbers count ("[2] > [1]", "Passage [2] is best, then [1]"); without brackets, only a reply that is
    /// nothing but numbers and separators ("2, 1, 3" or "2 > 1 > 3") counts, so numbers in prose ("in 2023
    /// passage 3 …") are not read as ranks.
    /// </summary>
    public static IReadOnlyList<int>? ParseOrder(string? reply, int count)
    {
        if (string.IsNullOrWhiteSpace(reply) || count <= 0)
        {
            return null;
        }

        var matches = Bracketed().Matches(reply);
        IEnumerable<string> numbers = matches.Count > 0
            ? matches.Select(m => m.Groups[1].Value)
            : BareList().IsMatch(reply) ? Number().Matches(reply).Select(m => m.Value) : [];
        var order = new List<int>();
        var seen = new HashSet<int>();
        foreach (var number in numbers)
        {
            if (int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= count && seen.Add(n - 1))
            {
                order.Add(n - 1);
            }
        }

        return order.Count == 0 ? null : order;
    }

    private static float[] ToScores(IReadOnlyList<int> order, int count)
    {
        var scores = new float[count];
        var ranked = new bool[count];
        for (var position = 0; position < order.Count; position++)
        {
            scores[order[position]] = (float)(count - position) / count;
            ranked[order[position]] = true;
        }

        var below = 0;
        for (var i = 0; i < count; i++)
        {
            if (!ranked[i])
            {
                scores[i] = -(float)++below / count;
            }
        }

        return scores;
    }

    private static string Shorten(string? reply)
    {
        var text = Whitespace().Replace(reply ?? string.Empty, " ").Trim();
        return text.Length > 80 ? text[..80] + "…" : text;
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"\[\s*(\d{1,4})\s*\]")]
    private static partial Regex Bracketed();

    [GeneratedRegex(@"^[\s\d,;>|.\-–]+$")]
    private static partial Regex BareList();

    [GeneratedRegex(@"\d{1,4}")]
    private static partial Regex Number();
}
