using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using RagService.Core.Answers;
using RagService.Core.Chunks;
using RagService.Core.Llm;
using RagService.Core.Search;
using RagService.Core.Text;
using RagService.Generation.Citations;
using RagService.Generation.Extractive;
using RagService.Generation.Text;

namespace RagService.Generation.Llm;

/// <summary>
/// Answers with an LLM from the top hits given as numbered sources. The model is told to use only the
/// sources, to put [n] after every claim, and to reply <see cref="CannotAnswerToken"/> when the sources do
/// not answer. The reply's markers are mapped to <see cref="Citation"/>s and checked by the
/// <see cref="CitationVerifier"/>, which drops every marker whose source does not support its sentence.
/// When the call fails or times out, or no supported citation is left, the extractive generator answers
/// instead and <see cref="Answer.GeneratedBy"/> says why.
/// </summary>
public sealed partial class LlmAnswerGenerator(
    IChatModel chat,
    LlmOptions options,
    ExtractiveAnswerGenerator? fallback = null,
    CitationVerifier? verifier = null,
    Microsoft.Extensions.Logging.ILogger<LlmAnswerGenerator>? logger = null) : IStreamingAnswerGenerator
{
    public const string CannotAnswerToken = "CANNOT_ANSWER";

    public const string SystemPrompt =
        "You answer questions for a company using only the numbered sources you are given.\n" +
        "Rules:\n" +
        "- Use only facts stated in the sources; never use outside knowledge.\n" +
        "- After every sentence that states a fact, put the number of the source that supports it in square brackets, e.g. [1] or [1][3].\n" +
        "- Be concise: a few sentences.\n" +
        "- If the sources do not contain the answer, reply exactly " + CannotAnswerToken + " and nothing else.";

    private readonly ExtractiveAnswerGenerator fallback = fallback ?? new ExtractiveAnswerGenerator();
    private readonly CitationVerifier verifier = verifier ?? new CitationVerifier();

    public async Task<Answer> GenerateAsync(string question, IReadOnlyList<SearchHit> hits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(hits);
        var sources = hits.Take(options.MaxSources).ToList();
        if (sources.Count == 0)
        {
            return ExtractiveAnswerGenerator.NoAnswer;
        }

        string reply;
        try
        {
            var (system, user) = Prompt(question, sources);
            reply = await chat.CompleteAsync(system, user, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return await FailureFallback(question, hits, e, cancellationToken).ConfigureAwait(false);
        }

        return await FromReplyAsync(question, hits, sources, reply, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The system prompt and user message for a question and its sources; streamed and whole answers share it.</summary>
    private (string System, string User) Prompt(string question, IReadOnlyList<SearchHit> sources) =>
        (SystemPrompt, BuildUserMessage(question, sources, options.MaxSourceChars));

    /// <summary>The model's whole reply as a verified answer: no-answer, cited and verified, or the extractive fallback.</summary>
    private async Task<Answer> FromReplyAsync(string question, IReadOnlyList<SearchHit> hits, List<SearchHit> sources, string reply, CancellationToken cancellationToken)
    {
        reply = reply.Trim();
        if (reply.Length == 0)
        {
            return await Fallback(question, hits, "empty reply", cancellationToken).ConfigureAwait(false);
        }

        if (reply.Contains(CannotAnswerToken, StringComparison.Ordinal))
        {
            return ExtractiveAnswerGenerator.NoAnswer with { GeneratedBy = chat.Name };
        }

        var answer = ToAnswer(reply, sources, chat.Name);
        var verified = verifier.Verify(answer, sources.SelectMany(h => h.Passage.Append(h.Chunk)).ToList()).Answer;
        if (verified.Citations.Count == 0)
        {
            return await Fallback(question, hits, "no supported citation", cancellationToken).ConfigureAwait(false);
        }

        return verified;
    }

    /// <summary>The question and the sources, numbered from 1 in rank order, with title, section path and pages.</summary>
    public static string BuildUserMessage(string question, IReadOnlyList<SearchHit> sources, int maxSourceChars)
    {
        var builder = new StringBuilder();
        builder.AppendLine("Sources:");
        for (var i = 0; i < sources.Count; i++)
        {
            var chunk = sources[i].Chunk;
            builder.Append(CultureInfo.InvariantCulture, $"[{i + 1}] {chunk.Title ?? chunk.FileName ?? chunk.DocumentId}");
            if (chunk.SectionPath.Count > 0)
            {
                builder.Append(" — ").Append(string.Join(" > ", chunk.SectionPath));
            }

            if (chunk.PageStart > 0)
            {
                builder.Append(chunk.PageEnd > chunk.PageStart
                    ? string.Create(CultureInfo.InvariantCulture, $" (pages {chunk.PageStart}–{chunk.PageEnd})")
                    : string.Create(CultureInfo.InvariantCulture, $" (page {chunk.PageStart})"));
            }

            builder.AppendLine();
            // Small-to-big: the model reads the hit with the context the retriever widened it to (its section or
            // neighbours, in document order); the citation still names the hit's own chunk.
            var passage = string.Join("\n\n", sources[i].Passage.Select(c => c.Text.Trim()));
            var text = passage.Length > maxSourceChars ? passage[..maxSourceChars] + " …" : passage;
            builder.AppendLine(text.Trim());
            builder.AppendLine();
        }

        builder.Append("Question: ").AppendLine(question.Trim());
        return builder.ToString();
    }

    /// <summary>Markers [n] that name a source become citations numbered n; markers naming no source are left for the verifier to drop.</summary>
    private static Answer ToAnswer(string reply, IReadOnlyList<SearchHit> sources, string model)
    {
        var used = new SortedSet<int>();
        foreach (Match match in MarkerPattern().Matches(reply))
        {
            var n = int.Parse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture);
            if (n >= 1 && n <= sources.Count)
            {
                used.Add(n);
            }
        }

        var sentences = SentenceSegmenter.Sentences(reply);
        var citations = used.Select(n =>
        {
            var hit = sources[n - 1];
            var chunk = BestSupportingChunk(hit, sentences.Where(s => s.Contains($"[{n}]", StringComparison.Ordinal)));
            var text = chunk.Text;
            return Citation.FromHit(n, hit with { Chunk = chunk }, text.Length > 300 ? text[..300] + " …" : text);
        }).ToList();
        return new Answer { Text = reply, Citations = citations, NoAnswer = false, GeneratedBy = model };
    }

    /// <summary>
    /// The model read each source as its hit widened to a section or neighbours; a marker is cited to the
    /// chunk of that passage that holds most of the content words of the sentences carrying it (the hit
    /// itself on a tie), so document, section and page are those of the text the claim came from.
    /// </summary>
    private static Chunk BestSupportingChunk(SearchHit hit, IEnumerable<string> citingSentences)
    {
        if (hit.Context.Count == 0)
        {
            return hit.Chunk;
        }

        var terms = ContentTerms.Distinct(string.Join(" ", citingSentences));
        var best = hit.Chunk;
        var bestCount = terms.Count(ContentTerms.Distinct(hit.Chunk.Text).Contains);
        foreach (var chunk in hit.Context)
        {
            var count = terms.Count(ContentTerms.Distinct(chunk.Text).Contains);
            if (count > bestCount)
            {
                (best, bestCount) = (chunk, count);
            }
        }

        return best;
    }

    private Task<Answer> FailureFallback(string question, IReadOnlyList<SearchHit> hits, Exception e, CancellationToken cancellationToken)
    {
        Microsoft.Extensions.Logging.LoggerExtensions.LogWarning(logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger<LlmAnswerGenerator>.Instance, e, "LLM call failed; answering extractively");
        return Fallback(question, hits, e is TimeoutException ? "timeout" : "error", cancellationToken);
    }

    private async Task<Answer> Fallback(string question, IReadOnlyList<SearchHit> hits, string reason, CancellationToken cancellationToken)
    {
        var answer = await fallback.GenerateAsync(question, hits, cancellationToken).ConfigureAwait(false);
        return answer with { GeneratedBy = $"{ExtractiveAnswerGenerator.GeneratorName} (LLM {chat.Name} fallback: {reason})" };
    }

    [GeneratedRegex(@"\[(\d{1,4})\]")]
    private static partial Regex MarkerPattern();
}
