using RagService.Core.Answers;
using RagService.Core.Search;
using RagService.Core.Text;
using RagService.Generation.Text;

namespace RagService.Generation.Extractive;

/// <summary>
/// Answers without an LLM by quoting the sources: the 1–3 sentences of the top hits that best match the
/// question, each verbatim and followed by its citation marker [n]. It never writes a word that is not
/// in a source (the markers and the fixed no-answer sentence aside), so it cannot hallucinate; the price
/// is that it cannot synthesise. Weak evidence gives <see cref="Answer.NoAnswer"/> instead of a guess.
/// A hit widened with its section or neighbours (<see cref="SearchHit.Context"/>) offers their sentences
/// too, each cited to the chunk it was read from, so a citation names that chunk's section and pages.
/// </summary>
public sealed class ExtractiveAnswerGenerator : IAnswerGenerator
{
    public const string NoAnswerText = "The indexed documents do not answer this question.";

    public const string GeneratorName = "extractive";

    private readonly ExtractiveAnswerOptions options;

    public ExtractiveAnswerGenerator(ExtractiveAnswerOptions? options = null)
    {
        this.options = options ?? new ExtractiveAnswerOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(this.options.MaxHits);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(this.options.MaxSentences);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(this.options.MinSharedTerms);
    }

    public static Answer NoAnswer { get; } = new()
    {
        Text = NoAnswerText,
        Citations = [],
        NoAnswer = true,
        GeneratedBy = GeneratorName,
    };

    public Task<Answer> GenerateAsync(string question, IReadOnlyList<SearchHit> hits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(hits);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Generate(question, hits));
    }

    private Answer Generate(string question, IReadOnlyList<SearchHit> hits)
    {
        var questionTerms = ContentTerms.Distinct(question);
        var candidates = CandidateSentences(hits);
        if (questionTerms.Count == 0 || candidates.Count == 0)
        {
            return NoAnswer;
        }

        var idf = InverseDocumentFrequencies(questionTerms, candidates);
        var questionWeight = questionTerms.Sum(t => idf[t]);
        var requiredShared = Math.Min(options.MinSharedTerms, questionTerms.Count);
        var qualified = new List<ScoredSentence>();
        foreach (var candidate in candidates)
        {
            var shared = questionTerms.Where(candidate.Terms.Contains).ToList();
            var coverage = shared.Sum(t => idf[t]) / questionWeight;
            if (shared.Count >= requiredShared && coverage >= options.MinCoverage)
            {
                var contextFactor = candidate.FromContext ? options.ContextSentenceFactor : 1.0;
                qualified.Add(new ScoredSentence(candidate, contextFactor * coverage / (1 + options.RankDecay * (candidate.HitRank - 1))));
            }
        }

        if (qualified.Count == 0)
        {
            return NoAnswer;
        }

        return Compose(Select(qualified));
    }

    private List<CandidateSentence> CandidateSentences(IReadOnlyList<SearchHit> hits)
    {
        var candidates = new List<CandidateSentence>();
        var read = new HashSet<string>(StringComparer.Ordinal);
        for (var rank = 1; rank <= hits.Count && rank <= options.MaxHits; rank++)
        {
            var hit = hits[rank - 1];
            var order = 0;
            // The hit's own chunk first, then the context assembled around it (small-to-big).
            foreach (var chunk in hit.Passage.OrderBy(c => c.Id == hit.Chunk.Id ? 0 : 1))
            {
                if (!read.Add(chunk.Id))
                {
                    continue;
                }

                var text = chunk.Text;
                foreach (var span in SentenceSegmenter.Split(text))
                {
                    if (span.Length > options.MaxSentenceChars)
                    {
                        continue;
                    }

                    var sentence = span.Of(text);
                    var terms = ContentTerms.Distinct(sentence);
                    if (terms.Count > 0)
                    {
                        // A sentence read from the context is cited to the chunk it is in, with the hit's score.
                        var source = chunk.Id == hit.Chunk.Id ? hit : hit with { Chunk = chunk, Context = [] };
                        candidates.Add(new CandidateSentence(sentence, terms, source, rank, order++, chunk.Id != hit.Chunk.Id));
                    }
                }
            }
        }

        return candidates;
    }

    /// <summary>
    /// BM25-style IDF over the candidate sentences: a question term found in few of them separates
    /// evidence from noise; one found everywhere (the topic itself) says little. Always positive.
    /// </summary>
    private static Dictionary<string, double> InverseDocumentFrequencies(HashSet<string> questionTerms, List<CandidateSentence> candidates)
    {
        var n = candidates.Count;
        var idf = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var term in questionTerms)
        {
            var df = candidates.Count(c => c.Terms.Contains(term));
            idf[term] = Math.Log(1 + (n - df + 0.5) / (df + 0.5));
        }

        return idf;
    }

    private List<ScoredSentence> Select(List<ScoredSentence> qualified)
    {
        var ordered = qualified
            .OrderByDescending(s => s.Score)
            .ThenBy(s => s.Sentence.HitRank)
            .ThenBy(s => s.Sentence.Order)
            .ToList();
        var best = ordered[0];
        var selected = new List<ScoredSentence> { best };
        var remaining = ordered.Skip(1).Where(s => s.Score >= options.SupportingSentenceRatio * best.Score).ToList();
        while (selected.Count < options.MaxSentences)
        {
            ScoredSentence? next = null;
            var nextScore = double.NegativeInfinity;
            foreach (var candidate in remaining)
            {
                if (selected.Any(s => IsNearDuplicate(s.Sentence, candidate.Sentence)))
                {
                    continue;
                }

                var sameChunk = selected.Any(s => s.Sentence.Hit.Chunk.Id == candidate.Sentence.Hit.Chunk.Id);
                var adjusted = candidate.Score * (sameChunk ? options.SameChunkFactor : 1.0);
                if (adjusted > nextScore)
                {
                    next = candidate;
                    nextScore = adjusted;
                }
            }

            if (next is null)
            {
                break;
            }

            selected.Add(next);
            remaining.Remove(next);
        }

        return selected;
    }

    private bool IsNearDuplicate(CandidateSentence a, CandidateSentence b)
    {
        if (string.Equals(a.Text, b.Text, StringComparison.Ordinal))
        {
            return true;
        }

        var intersection = a.Terms.Count(b.Terms.Contains);
        var union = a.Terms.Count + b.Terms.Count - intersection;
        return union > 0 && (double)intersection / union >= options.NearDuplicateJaccard;
    }

    private static Answer Compose(List<ScoredSentence> selected)
    {
        // Markers number the distinct cited chunks in order of first use.
        var markers = new Dictionary<string, int>(StringComparer.Ordinal);
        var supporting = new List<(SearchHit Hit, List<string> Sentences)>();
        var parts = new List<string>(selected.Count);
        foreach (var scored in selected)
        {
            var chunkId = scored.Sentence.Hit.Chunk.Id;
            if (!markers.TryGetValue(chunkId, out var marker))
            {
                marker = markers.Count + 1;
                markers[chunkId] = marker;
                supporting.Add((scored.Sentence.Hit, []));
            }

            supporting[marker - 1].Sentences.Add(scored.Sentence.Text);
            parts.Add($"{scored.Sentence.Text} [{marker}]");
        }

        var citations = supporting.Select((s, i) => ToCitation(i + 1, s.Hit, s.Sentences)).ToList();
        return new Answer
        {
            Text = string.Join(" ", parts),
            Citations = citations,
            NoAnswer = false,
            GeneratedBy = GeneratorName,
        };
    }

    // The quoted sentences of this chunk, in the order the answer uses them.
    private static Citation ToCitation(int marker, SearchHit hit, List<string> sentences) =>
        Citation.FromHit(marker, hit, string.Join(" ", sentences));

    /// <param name="Hit">The hit the sentence is cited to: the retrieved hit, or for a context sentence the same hit re-pointed at the chunk it came from.</param>
    private sealed record CandidateSentence(string Text, HashSet<string> Terms, SearchHit Hit, int HitRank, int Order, bool FromContext = false);

    private sealed record ScoredSentence(CandidateSentence Sentence, double Score);
}
