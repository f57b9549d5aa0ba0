using RagService.Core.Options;

namespace RagService.Api.Hosting.Validation;

/// <summary>The "Chunking" section: the chunk budget new indexes are created with.</summary>
internal sealed class ChunkingOptionsValidator(IConfiguration? configuration = null)
    : SectionValidator<ChunkingOptions>(Section, configuration)
{
    public const string Section = "Chunking";

    protected override void Check(ChunkingOptions options, SettingChecks checks)
    {
        checks.Positive(options.MaxTokens);
        checks.NotNegative(options.MaxSentenceTokens);
        checks.NotNegative(options.OverlapTokens);
        if (options.MaxTokens > 0 && options.OverlapTokens >= options.MaxTokens)
        {
            checks.Fail(nameof(options.OverlapTokens), $"must be below {checks.Key(nameof(options.MaxTokens))} ({options.MaxTokens}) (was {options.OverlapTokens})");
        }

        if (!Enum.IsDefined(options.Strategy))
        {
            checks.Fail(nameof(options.Strategy), $"must be one of {string.Join(", ", Enum.GetNames<ChunkingStrategy>())} (was {options.Strategy})");
        }

        // A cosine similarity.
        checks.Between(options.SemanticThreshold, -1, 1);
        checks.NotNegative(options.MinTopicTokens);
    }
}
