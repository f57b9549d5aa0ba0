using RagService.Generation.Extractive;

namespace RagService.Api.Hosting.Validation;

/// <summary>The "ExtractiveAnswer" section: how the extractive generator picks and quotes evidence.</summary>
internal sealed class ExtractiveAnswerOptionsValidator(IConfiguration? configuration = null)
    : SectionValidator<ExtractiveAnswerOptions>(Section, configuration)
{
    public const string Section = "ExtractiveAnswer";

    protected override void Check(ExtractiveAnswerOptions options, SettingChecks checks)
    {
        checks.Positive(options.MaxHits);
        checks.Positive(options.MaxSentences);
        checks.NotNegative(options.MinSharedTerms);
        checks.Between(options.MinCoverage, 0, 1);
        checks.Between(options.SupportingSentenceRatio, 0, 1);
        checks.Between(options.OtherChunkSupportRatio, 0, 1);
        checks.Between(options.QuantityFactor, 1, 3);
        checks.Between(options.ContextSentenceFactor, 0, 1);
        checks.NotNegative(options.RankDecay);
        checks.Between(options.NearDuplicateJaccard, 0, 1);
        checks.Positive(options.MaxSentenceChars);
    }
}
