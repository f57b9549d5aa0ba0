using RagService.Core.Text;

namespace RagService.Core.Models;

/// <summary>
/// The languages a model was trained on (codes as <see cref="LanguageDetector"/> gives them, "en", "zh" …),
/// or every language ("*") for a multilingual model. A model run on a language it does not cover turns text
/// into near-noise vectors or scores, which is why legs and stages ask <see cref="LanguageCoverageRule"/> first.
/// </summary>
public sealed record LanguageCoverage
{
    private const string AnyLanguage = "*";

    public LanguageCoverage(IReadOnlyList<string> languages)
    {
        ArgumentNullException.ThrowIfNull(languages);
        if (languages.Count == 0 || languages.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("A model covers at least one language, and each is a code such as \"en\", \"zh\" or \"*\" (all).", nameof(languages));
        }

        Languages = languages.Select(l => l.Trim().ToLowerInvariant()).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>English (and other Latin-script text, which the detector counts as "en").</summary>
    public static LanguageCoverage English { get; } = new(["en"]);

    /// <summary>A multilingual model: every language.</summary>
    public static LanguageCoverage All { get; } = new([AnyLanguage]);

    public IReadOnlyList<string> Languages { get; }

    public bool Covers(string language) => Languages.Contains(AnyLanguage) || Languages.Contains(language);

    /// <summary>The share of <paramref name="text"/>'s word units in covered languages; 1 for a text without letters.</summary>
    public double CoveredShare(TextLanguage text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Shares.Count == 0 ? 1.0 : text.Shares.Where(s => Covers(s.Key)).Sum(s => s.Value);
    }

    /// <summary>"all", or the codes joined by commas, for traces and listings.</summary>
    public override string ToString() => Languages.Contains(AnyLanguage) ? "all" : string.Join(",", Languages);
}

/// <summary>What <see cref="LanguageCoverageRule"/> decided for one model and one text.</summary>
/// <param name="Factor">The weight multiplier: 1 covered, the covered share when partly covered, 0 when skipped.</param>
/// <param name="Note">The rule's outcome in words, for the trace ("minilm does not cover zh").</param>
public readonly record struct CoverageDecision(double Factor, string Note)
{
    public bool Skipped => Factor <= 0;
}

/// <summary>
/// One rule for queries and chunks alike, not a weight tuned on a data set: a model's signal counts in
/// proportion to the share of the text it covers, and not at all when it covers less than half of it
/// (<see cref="MinimumShare"/>): then the text is mostly made of what the model embeds as noise. Languages
/// under <see cref="TextLanguage.MixedShare"/> of the text are not held against the model: a Greek letter
/// in an English abstract ("TNF-α") is a symbol, not Greek.
/// </summary>
public static class LanguageCoverageRule
{
    /// <summary>Below this covered share the model is skipped (a chunk is indexed lexically only).</summary>
    public const double MinimumShare = 0.5;

    public static CoverageDecision Decide(string modelName, LanguageCoverage coverage, TextLanguage text)
    {
        ArgumentNullException.ThrowIfNull(coverage);
        ArgumentNullException.ThrowIfNull(text);
        var share = coverage.CoveredShare(text);
        var uncovered = text.Shares.Keys.Where(l => !coverage.Covers(l)).Order(StringComparer.Ordinal).ToList();
        if (uncovered.Count == 0 || 1 - share < TextLanguage.MixedShare)
        {
            return new CoverageDecision(1.0, $"{modelName} covers {text.Code}");
        }

        var missing = string.Join(",", uncovered);
        return share < MinimumShare
            ? new CoverageDecision(0, $"{modelName} does not cover {missing}")
            : new CoverageDecision(share, FormattableString.Invariant($"{modelName} covers {share:P0} of the text, not {missing}: weight ×{share:0.##}"));
    }
}
