using RagService.Retrieval.Context;

namespace RagService.Api.Hosting.Validation;

/// <summary>The "AnswerContext" section: how far hits are widened for the answer generator.</summary>
internal sealed class AnswerContextOptionsValidator(IConfiguration? configuration = null)
    : SectionValidator<AnswerContextOptions>(AnswerContextOptions.Section, configuration)
{
    protected override void Check(AnswerContextOptions options, SettingChecks checks)
    {
        if (!Enum.IsDefined(options.Expansion))
        {
            checks.Fail(nameof(options.Expansion), $"must be one of {string.Join(", ", Enum.GetNames<ContextExpansion>())} (was {options.Expansion})");
        }

        checks.NotNegative(options.MaxTokens);
    }
}
