using RagService.Api.LoadShedding;

namespace RagService.Api.Hosting.Validation;

/// <summary>The "LoadShedding" section: at least one slot per route, bounded queues, a sensible Retry-After.</summary>
internal sealed class LoadSheddingOptionsValidator(IConfiguration? configuration = null)
    : SectionValidator<LoadSheddingOptions>(LoadSheddingOptions.Section, configuration)
{
    protected override void Check(LoadSheddingOptions options, SettingChecks checks)
    {
        checks.Between(options.SearchConcurrency, 1, 4096);
        checks.Between(options.SearchQueue, 0, 100_000);
        checks.Between(options.AskConcurrency, 1, 4096);
        checks.Between(options.AskQueue, 0, 100_000);
        checks.Between(options.RetryAfterSeconds, 1, 3600);
    }
}
