using RagService.Core.Options;

namespace RagService.Api.Hosting.Validation;

/// <summary>The "Deduplication" section: exact and near-duplicate detection of new indexes.</summary>
internal sealed class DeduplicationOptionsValidator(IConfiguration? configuration = null)
    : SectionValidator<DeduplicationOptions>(Section, configuration)
{
    public const string Section = "Deduplication";

    protected override void Check(DeduplicationOptions options, SettingChecks checks)
    {
        // A Jaccard similarity; 0 would make every chunk a duplicate of every other.
        if (!(options.NearDuplicateJaccard > 0 && options.NearDuplicateJaccard <= 1))
        {
            checks.Fail(nameof(options.NearDuplicateJaccard), $"must be > 0 and <= 1 (was {options.NearDuplicateJaccard.ToString(System.Globalization.CultureInfo.InvariantCulture)})");
        }

        checks.NotNegative(options.MinWords);
    }
}
