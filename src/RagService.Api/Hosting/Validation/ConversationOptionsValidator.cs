using RagService.Api.Conversations;

namespace RagService.Api.Hosting.Validation;

/// <summary>The "Conversations" section: expiry and history sizes.</summary>
internal sealed class ConversationOptionsValidator(IConfiguration? configuration = null)
    : SectionValidator<ConversationOptions>(ConversationOptions.Section, configuration)
{
    protected override void Check(ConversationOptions options, SettingChecks checks)
    {
        checks.Positive(options.TimeToLive);
        checks.Positive(options.MaxTurns);
        checks.Positive(options.HistoryTurns);
    }
}
