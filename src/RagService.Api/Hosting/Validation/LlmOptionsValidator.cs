using RagService.Generation.Llm;

namespace RagService.Api.Hosting.Validation;

/// <summary>The "Llm" section: a provider the service knows, an endpoint that is a URL, and sane budgets.</summary>
internal sealed class LlmOptionsValidator(IConfiguration? configuration = null)
    : SectionValidator<LlmOptions>(LlmOptions.Section, configuration)
{
    private static readonly string[] Providers = ["openai", "azure", "openai-compatible"];

    protected override void Check(LlmOptions options, SettingChecks checks)
    {
        LlmProvider? provider = null;
        try
        {
            provider = options.ParsedProvider;
        }
        catch (InvalidOperationException)
        {
            checks.Fail(nameof(options.Provider), $"must be one of {string.Join(", ", Providers.Select(p => $"'{p}'"))} (was {SettingChecks.Quote(options.Provider)})");
        }

        checks.HttpUrlOrUnset(options.Endpoint);
        if (provider == LlmProvider.Azure && options.IsConfigured && string.IsNullOrWhiteSpace(options.Endpoint))
        {
            checks.Fail(nameof(options.Endpoint), "must be set for the azure provider (the resource's URL)");
        }

        checks.Required(options.Model);
        checks.Between(options.Temperature, 0, 2);
        checks.Positive(options.MaxTokens);
        checks.Positive(options.Timeout);
        checks.Between(options.MaxRetries, 0, 10);
        checks.Positive(options.RetryDelay);
        checks.Positive(options.AttemptTimeout);
        if (options.AttemptTimeout > options.Timeout)
        {
            checks.Fail(nameof(options.AttemptTimeout), $"must not exceed {checks.Key(nameof(options.Timeout))} ({options.Timeout}) (was {options.AttemptTimeout})");
        }

        checks.Positive(options.MaxSources);
        checks.Positive(options.MaxSourceChars);
    }
}
