using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using RagService.Core.Answers;
using RagService.Core.Chunks;
using RagService.Core.Text;
using RagService.Generation.Text;

namespace RagService.Generation.Citations;

public enum CitationIssueKind
{
    /// <summary>A sentence carries no marker at all. It is kept, and flagged.</summary>
    MissingMarker,

    /// <summary>A marker names no cited chunk. It is dropped.</summary>
    UnknownMarker,

    /// <summary>The marked chunk does not contain most of the sentence's content words. The marker is dropped.</summary>
    UnsupportedMarker,
}

/// <param name="Sentence">The sentence as written, markers included.</param>
/// <param name="Support">For <see cref="CitationIssueKind.UnsupportedMarker"/>: the fraction of the sentence's content terms found in the chunk.</param>
public sealed record CitationIssue(CitationIssueKind Kind, int SentenceIndex, string Sentence, int? Marker, double? Support);

/// <param name="Text">The answer with dropped markers removed.</param>
/// <param name="SupportedMarkers">The markers still in <paramref name="Text"/>, ascending.</param>
public sealed record CitationCheck(string Text, IReadOnlyList<CitationIssue> Issues, IReadOnlyList<int> SupportedMarkers)
{
    public bool IsClean => Issues.Count == 0;
}

public sealed record VerifiedAnswer(Answer Answer, IReadOnlyList<CitationIssue> Issues);

public sealed record CitationVerifierOptions
{
    /// <summary>
    /// A marker stands when its chunk contains at least this fraction of the sentence's distinct content
    /// terms. "Mostly supported": a paraphrase keeps most content words; an invented claim does not.
    /// </summary>
    public double MinSupport { get; init; } = 0.6;
}

/// <summary>
/// Checks an answer's citations against the cited chunks: every sentence should carry a marker [n],
/// and each marker must point at a chunk that supports the sentence. Unsupported or unknown markers are
/// removed (so the reader never sees a citation that does not back the claim); unmarked sentences are
/// flagged. A sentence with several markers may split its claim across them: a marker then also stands
/// when the marked chunks together reach the threshold and its own chunk supports some of the sentence.
/// </summary>
public sealed partial class CitationVerifier(CitationVerifierOptions? options = null)
{
    private readonly CitationVerifierOptions options = options ?? new CitationVerifierOptions();

    /// <param name="sources">Marker number → the chunk it cites.</param>
    public CitationCheck Verify(string answerText, IReadOnlyDictionary<int, Chunk> sources)
    {
        ArgumentNullException.ThrowIfNull(answerText);
        ArgumentNullException.ThrowIfNull(sources);
        var chunkTerms = new Dictionary<int, HashSet<string>>();
        var issues = new List<CitationIssue>();
        var dropped = new List<Match>();
        var kept = new SortedSet<int>();
        var sentences = Sentences(answerText);
        for (var index = 0; index < sentences.Count; index++)
        {
            var (span, markers) = sentences[index];
            var sentence = span.Of(answerText);
            if (markers.Count == 0)
            {
                issues.Add(new CitationIssue(CitationIssueKind.MissingMarker, index, sentence, null, null));
                continue;
            }

            var terms = ContentTerms.Distinct(MarkerPattern().Replace(sentence, " "));
            var support = new Dictionary<Match, double>();
            var union = new HashSet<string>(StringComparer.Ordinal);
            foreach (var marker in markers)
            {
                var number = MarkerNumber(marker);
                if (!sources.TryGetValue(number, out var chunk))
                {
                    continue;
                }

                if (!chunkTerms.TryGetValue(number, out var known))
                {
                    known = ContentTerms.Distinct(chunk.Text);
                    chunkTerms[number] = known;
                }

                var found = terms.Where(known.Contains).ToList();
                union.UnionWith(found);
                support[marker] = terms.Count == 0 ? 1.0 : (double)found.Count / terms.Count;
            }

            var together = terms.Count == 0 ? 1.0 : (double)union.Count / terms.Count;
            foreach (var marker in markers)
            {
                var number = MarkerNumber(marker);
                if (!support.TryGetValue(marker, out var alone))
                {
                    issues.Add(new CitationIssue(CitationIssueKind.UnknownMarker, index, sentence, number, null));
                    dropped.Add(marker);
                }
                else if (alone >= options.MinSupport || (markers.Count > 1 && alone > 0 && together >= options.MinSupport))
                {
                    kept.Add(number);
                }
                else
                {
                    issues.Add(new CitationIssue(CitationIssueKind.UnsupportedMarker, index, sentence, number, alone));
                    dropped.Add(marker);
                }
            }
        }

        return new CitationCheck(Remove(answerText, dropped), issues, kept.ToList());
    }

    /// <summary>
    /// Faithfulness of an answer text: the share of its sentences that keep at least one supported marker
    /// after verification (1 for a text without sentences). What <c>rag eval-answers</c> reports for LLM answers.
    /// </summary>
    public double Faithfulness(string answerText, IReadOnlyDictionary<int, Chunk> sources)
    {
        var verified = Verify(answerText, sources).Text;
        var sentences = Sentences(verified).Count(s => MarkerPattern().Replace(s.Span.Of(verified), " ").Any(char.IsLetterOrDigit));
        if (sentences == 0)
        {
            return 1.0;
        }

        // On the verified text every marker left is supported, so the only issues are sentences left without one.
        var unsupported = Verify(verified, sources).Issues.Where(i => i.Kind == CitationIssueKind.MissingMarker).Select(i => i.SentenceIndex).Distinct().Count();
        return (double)(sentences - unsupported) / sentences;
    }

    /// <summary>
    /// Verifies an answer against its cited chunks (matched by chunk id) and returns it with dropped
    /// markers removed and the citations no longer referenced left out. Markers keep their numbers.
    /// </summary>
    public VerifiedAnswer Verify(Answer answer, IReadOnlyCollection<Chunk> citedChunks)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(citedChunks);
        if (answer.NoAnswer)
        {
            return new VerifiedAnswer(answer, []);
        }

        var byId = citedChunks.GroupBy(c => c.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var sources = new Dictionary<int, Chunk>();
        foreach (var citation in answer.Citations)
        {
            if (byId.TryGetValue(citation.ChunkId, out var chunk))
            {
                sources[citation.Marker] = chunk;
            }
        }

        var check = Verify(answer.Text, sources);
        if (ReferenceEquals(check.Text, answer.Text) && answer.Citations.All(c => check.SupportedMarkers.Contains(c.Marker)))
        {
            return new VerifiedAnswer(answer, check.Issues);
        }

        var verified = answer with
        {
            Text = check.Text,
            Citations = answer.Citations.Where(c => check.SupportedMarkers.Contains(c.Marker)).ToList(),
        };
        return new VerifiedAnswer(verified, check.Issues);
    }

    /// <summary>
    /// Sentences with the markers that belong to them. A marker written after the full stop
    /// ("… electricity. [1]") opens the next segment when split, so leading markers move back to the
    /// sentence before.
    /// </summary>
    private static List<(SentenceSpan Span, List<Match> Markers)> Sentences(string text)
    {
        var all = MarkerPattern().Matches(text);
        var sentences = new List<(SentenceSpan Span, List<Match> Markers)>();
        foreach (var span in SentenceSegmenter.Split(text))
        {
            var start = span.Start;
            if (sentences.Count > 0)
            {
                var lead = LeadingMarkers().Match(text, span.Start, span.Length);
                if (lead.Success && lead.Length > 0)
                {
                    var previous = sentences[^1];
                    var extended = new SentenceSpan(previous.Span.Start, span.Start + lead.Length - previous.Span.Start);
                    sentences[^1] = (TrimEnd(text, extended), previous.Markers);
                    start = span.Start + lead.Length;
                }
            }

            var rest = TrimStart(text, new SentenceSpan(start, span.End - start));
            if (rest.Length > 0)
            {
                sentences.Add((rest, []));
            }
        }

        foreach (Match marker in all)
        {
            foreach (var (span, markers) in sentences)
            {
                if (marker.Index >= span.Start && marker.Index < span.End)
                {
                    markers.Add(marker);
                    break;
                }
            }
        }

        return sentences;
    }

    private static string Remove(string text, List<Match> dropped)
    {
        if (dropped.Count == 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        var position = 0;
        foreach (var marker in dropped.OrderBy(m => m.Index))
        {
            // Take the space before the marker with it, so "claim. [2]" becomes "claim." and not "claim. ".
            var start = marker.Index;
            while (start > position && text[start - 1] is ' ' or '\t')
            {
                start--;
            }

            builder.Append(text, position, start - position);
            position = marker.Index + marker.Length;
        }

        builder.Append(text, position, text.Length - position);
        return builder.ToString();
    }

    private static int MarkerNumber(Match marker) => int.Parse(marker.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture);

    private static SentenceSpan TrimStart(string text, SentenceSpan span)
    {
        var start = span.Start;
        while (start < span.End && char.IsWhiteSpace(text[start]))
        {
            start++;
        }

        return new SentenceSpan(start, span.End - start);
    }

    private static SentenceSpan TrimEnd(string text, SentenceSpan span)
    {
        var end = span.End;
        while (end > span.Start && char.IsWhiteSpace(text[end - 1]))
        {
            end--;
        }

        return new SentenceSpan(span.Start, end - span.Start);
    }

    [GeneratedRegex(@"\[(\d{1,4})\]")]
    private static partial Regex MarkerPattern();

    [GeneratedRegex(@"\G(?:\s*\[\d{1,4}\])+")]
    private static partial Regex LeadingMarkers();
}
