namespace RagService.Evaluation.Answers;

/// <summary>How one question was answered and how the answer scored.</summary>
/// <param name="Correct">Answerable, answered, and a gold string is in the answer.</param>
/// <param name="PreciseCitations">Citations whose chunk contains a gold string (answerable questions only).</param>
/// <param name="CitationHit">At least one citation's chunk contains a gold string.</param>
/// <param name="SectionHit">At least one citation names the gold section.</param>
/// <param name="Faithfulness">Share of the answer's sentences the citation verifier finds supported by their cited chunk; null for no-answers.</param>
public sealed record AnswerOutcome(
    string Id,
    string Kind,
    string Split,
    string Language,
    string Question,
    string Asked,
    bool Unanswerable,
    bool NoAnswer,
    bool Correct,
    int Citations,
    int PreciseCitations,
    bool CitationHit,
    bool SectionHit,
    int AnswerChars,
    double ClientMs,
    double ServerMs,
    double? Faithfulness,
    string Answer,
    string GeneratedBy);
