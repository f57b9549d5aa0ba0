using RagService.Core.Answers;
using RagService.Core.Search;
using RagService.Core.Text;
using RagService.Generation.Text;

namespace RagService.Generation.Extractive;

/// <summary>
/// Answers without an LLM by quoting the sources: the 1–3 sentences — or, from a table, the header and
/// the matching rows (<see cref="EvidenceUnit"/>) — of the top hits that best match the question, each
/// verbatim and followed by its citation marker [n]. A further unit is quoted only when it brings a
/// question term the chosen ones lack, so the neighbour that merely shares words stays out. It never writes a word that is not
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

    /// <summary>
    /// The context an LLM prompt is fed with, chosen as this generator chooses its evidence: the hits among the
    /// first <see cref="ExtractiveAnswerOptions.MaxHits"/> whose text (with its widened context) holds a unit
    /// sharing at least <see cref="ExtractiveAnswerOptions.MinSharedTerms"/> of the question's content terms,
    /// in rank order. The coverage threshold is left out: it is tuned for one quoted sentence and would drop
    /// the half of a compound question that another source answers. Empty when no hit shares enough.
    /// </summary>
    public IReadOnlyList<SearchHit> SelectContext(string question, IReadOnlyList<SearchHit> hits)
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(hits);
        var questionTerms = ContentTerms.Distinct(question);
        var required = Math.Min(options.MinSharedTerms, questionTerms.Count);
        return Candidates(hits)
            .Where(c => questionTerms.Count > 0 && Shared(questionTerms, c.Terms) is { Count: > 0 } own
                && own.Union(Shared(questionTerms, c.ContextTerms.ToHashSet(StringComparer.Ordinal))).Count() >= required)
            .Select(c => c.HitRank)
            .Distinct()
            .Order()
            .Select(rank => hits[rank - 1])
            .ToList();
    }

    private Answer Generate(string question, IReadOnlyList<SearchHit> hits)
    {
        var questionTerms = ContentTerms.Distinct(question);
        var candidates = Candidates(hits);
        if (questionTerms.Count == 0 || candidates.Count == 0)
        {
            return NoAnswer;
        }

        var idf = InverseDocumentFrequencies(questionTerms, candidates);
        var questionWeight = questionTerms.Sum(t => idf[t]);
        var requiredShared = Math.Min(options.MinSharedTerms, questionTerms.Count);
        var asksQuantity = QuestionShapes.AsksForQuantity(question);
        var qualified = new List<ScoredSentence>();
        foreach (var candidate in candidates)
        {
            var own = Shared(questionTerms, candidate.Terms);
            // A unit answers only through its own words; its heading (and a row's table header) says what they are about.
            if (own.Count == 0)
            {
                continue;
            }

            var shared = own.Union(Shared(questionTerms, candidate.ContextTerms.ToHashSet(StringComparer.Ordinal))).ToHashSet(StringComparer.Ordinal);
            var coverage = shared.Sum(t => idf[t]) / questionWeight;
            if (shared.Count >= requiredShared && coverage >= options.MinCoverage)
            {
                var factor = (candidate.FromContext ? options.ContextSentenceFactor : 1.0)
                    * (asksQuantity && QuestionShapes.StatesQuantity(candidate.Text) ? options.QuantityFactor : 1.0);
                qualified.Add(new ScoredSentence(candidate, shared, factor * coverage / (1 + options.RankDecay * (candidate.HitRank - 1))));
            }
        }

        if (qualified.Count == 0)
        {
            return NoAnswer;
        }

        return Compose(Select(qualified));
    }

    /// <summary>The question terms a unit's terms contain, a term also meeting a longer or shorter form of itself ("approve" and "approval").</summary>
    private static HashSet<string> Shared(HashSet<string> questionTerms, HashSet<string> terms)
    {
        var shared = new HashSet<string>(StringComparer.Ordinal);
        foreach (var term in questionTerms)
        {
            if (terms.Contains(term) || terms.Any(t => ContentTerms.AreVariants(term, t)))
            {
                shared.Add(term);
            }
        }

        return shared;
    }

    private List<EvidenceUnit> Candidates(IReadOnlyList<SearchHit> hits)
    {
        var candidates = new List<EvidenceUnit>();
        var read = new HashSet<string>(StringComparer.Ordinal);
        for (var rank = 1; rank <= hits.Count && rank <= options.MaxHits; rank++)
        {
            var hit = hits[rank - 1];
            // The hit's own chunk first, then the context assembled around it (small-to-big).
            foreach (var chunk in hit.Passage.OrderBy(c => c.Id == hit.Chunk.Id ? 0 : 1))
            {
                if (read.Add(chunk.Id))
                {
                    // A unit read from the context is cited to the chunk it is in, with the hit's score.
                    var own = chunk.Id == hit.Chunk.Id;
                    candidates.AddRange(EvidenceUnit.Read(chunk, own ? hit : hit with { Chunk = chunk, Context = [] }, rank, !own, options.MaxSentenceChars));
                }
            }
        }

        return candidates;
    }

    /// <summary>
    /// BM25-style IDF over the candidate units: a question term found in few of them separates
    /// evidence from noise; one found everywhere (the topic itself) says little. Always positive.
    /// A heading or a table header is one more text among the units, counted once however many units it covers.
    /// </summary>
    private static Dictionary<string, double> InverseDocumentFrequencies(HashSet<string> questionTerms, List<EvidenceUnit> candidates)
    {
        var contexts = candidates.SelectMany(c => new[] { c.HeadingTerms, c.TableHeaderTerms })
            .Where(t => t.Count > 0)
            .Distinct(ReferenceEqualityComparer.Instance)
            .Cast<HashSet<string>>()
            .ToList();
        var n = candidates.Count + contexts.Count;
        var idf = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var term in questionTerms)
        {
            var df = candidates.Count(c => c.Terms.Contains(term)) + contexts.Count(t => t.Contains(term));
            idf[term] = Math.Log(1 + (n - df + 0.5) / (df + 0.5));
        }

        return idf;
    }

    /// <summary>
    /// The best unit, then up to <see cref="ExtractiveAnswerOptions.MaxSentences"/> − 1 more that each bring a
    /// question term the chosen ones lack (a neighbour repeating the same words adds length, not evidence),
    /// score at least <see cref="ExtractiveAnswerOptions.SupportingSentenceRatio"/> of the best, and, from
    /// another chunk, at least <see cref="ExtractiveAnswerOptions.OtherChunkSupportRatio"/>.
    /// </summary>
    private List<ScoredSentence> Select(List<ScoredSentence> qualified)
    {
        var ordered = qualified
            .OrderByDescending(s => s.Score)
            .ThenBy(s => s.Sentence.HitRank)
            .ThenBy(s => s.Sentence.Order)
            .ToList();
        var best = ordered[0];
        var selected = new List<ScoredSentence> { best };
        var covered = new HashSet<string>(best.Shared, StringComparer.Ordinal);
        foreach (var candidate in ordered.Skip(1))
        {
            if (selected.Count >= options.MaxSentences)
            {
                break;
            }

            var sameChunk = selected.Any(s => s.Sentence.Hit.Chunk.Id == candidate.Sentence.Hit.Chunk.Id);
            var ratio = sameChunk ? options.SupportingSentenceRatio : options.OtherChunkSupportRatio;
            if (candidate.Score < ratio * best.Score
                || candidate.Shared.All(covered.Contains)
                || selected.Any(s => IsNearDuplicate(s.Sentence, candidate.Sentence)))
            {
                continue;
            }

            selected.Add(candidate);
            covered.UnionWith(candidate.Shared);
        }

        return selected;
    }

    private bool IsNearDuplicate(EvidenceUnit a, EvidenceUnit b)
    {
        if (string.Equals(a.Text, b.Text, StringComparison.Ordinal))
        {
            return true;
        }

        var intersection = a.Terms.Count(b.Terms.Contains);
        var union = a.Terms.Count + b.Terms.Count - intersection;
        return union > 0 && (double)intersection / union >= options.NearDuplicateJaccard;
    }

    /// <summary>
    /// The answer in the order of the sources (by chunk, then by position in it), so sentences read as the
    /// document tells them; the rows chosen from one table are quoted once, under the table's header.
    /// </summary>
    private static Answer Compose(List<ScoredSentence> selected)
    {
        // Markers number the distinct cited chunks in order of first use.
        var markers = new Dictionary<string, int>(StringComparer.Ordinal);
        var supporting = new List<(SearchHit Hit, List<string> Sentences)>();
        var parts = new List<string>(selected.Count);
        var units = selected.Select(s => s.Sentence).ToList();
        var firstUse = units.Select(u => u.Hit.Chunk.Id).Distinct().Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i, StringComparer.Ordinal);
        foreach (var group in units
            .OrderBy(u => firstUse[u.Hit.Chunk.Id])
            .ThenBy(u => u.Order)
            .GroupBy(u => (u.Hit.Chunk.Id, u.TableHeader ?? "\0" + u.Order)))
        {
            var first = group.First();
            var chunkId = first.Hit.Chunk.Id;
            if (!markers.TryGetValue(chunkId, out var marker))
            {
                marker = markers.Count + 1;
                markers[chunkId] = marker;
                supporting.Add((first.Hit, []));
            }

            var quote = first.IsTableRow
                ? string.Join('\n', new[] { first.TableHeader! }.Where(h => h.Length > 0).Concat(group.Select(u => u.Text)))
                : first.Text;
            supporting[marker - 1].Sentences.Add(quote);
            parts.Add(first.IsTableRow ? $"{quote}\n[{marker}]" : $"{quote} [{marker}]");
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

    /// <param name="Shared">The question terms the unit (with a row's header) contains.</param>
    private sealed record ScoredSentence(EvidenceUnit Sentence, HashSet<string> Shared, double Score);
}
