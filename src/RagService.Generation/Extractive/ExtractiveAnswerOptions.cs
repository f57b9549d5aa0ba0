namespace RagService.Generation.Extractive;

/// <summary>
/// How the extractive generator picks evidence. The evidence threshold: a sentence can answer only if it
/// shares at least <see cref="MinSharedTerms"/> distinct content terms with the question (all of them when
/// the question has fewer) and covers at least <see cref="MinCoverage"/> of the question's IDF weight.
/// When no sentence passes, the answer is "no answer" rather than a guess.
/// </summary>
public sealed record ExtractiveAnswerOptions
{
    /// <summary>How many of the top hits are read for sentences.</summary>
    public int MaxHits { get; init; } = 5;

    /// <summary>At most this many sentences are quoted (1–3 is the useful range).</summary>
    public int MaxSentences { get; init; } = 3;

    public int MinSharedTerms { get; init; } = 2;

    /// <summary>Fraction (0..1) of the question's IDF-weighted content terms a sentence must contain.</summary>
    public double MinCoverage { get; init; } = 0.3;

    /// <summary>A second or third sentence is quoted only if it scores at least this fraction of the best one.</summary>
    public double SupportingSentenceRatio { get; init; } = 0.6;

    /// <summary>
    /// A supporting sentence from a chunk not yet quoted must score at least this fraction of the best one:
    /// the fact usually sits in one place, and a sentence elsewhere that merely shares words dilutes the
    /// answer and its citations.
    /// </summary>
    public double OtherChunkSupportRatio { get; init; } = 0.85;

    /// <summary>
    /// Multiplies the score of a unit stating a quantity (a number) when the question asks for one
    /// ("how much", "how long", "多少"): it states the fact rather than talking about the topic.
    /// </summary>
    public double QuantityFactor { get; init; } = 1.15;

    /// <summary>
    /// Multiplies the score of a sentence read from a hit's context rather than the hit itself: retrieval
    /// chose the hit, so on equal evidence its own sentence wins.
    /// </summary>
    public double ContextSentenceFactor { get; init; } = 0.9;

    /// <summary>A sentence from the hit at rank r scores relevance / (1 + RankDecay · (r − 1)).</summary>
    public double RankDecay { get; init; } = 0.1;

    /// <summary>Two sentences whose content-term sets overlap at least this much (Jaccard) are near-duplicates.</summary>
    public double NearDuplicateJaccard { get; init; } = 0.8;

    /// <summary>Longer "sentences" (unpunctuated tables, lists) are not quoted.</summary>
    public int MaxSentenceChars { get; init; } = 1000;
}
