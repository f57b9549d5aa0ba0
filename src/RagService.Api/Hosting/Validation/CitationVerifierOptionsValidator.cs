using RagService.Generation.Citations;

namespace RagService.Api.Hosting.Validation;

/// <summary>The "CitationVerifier" section: how much of a sentence its cited chunk must support.</summary>
internal sealed class CitationVerifierOptionsValidator(IConfiguration? configuration = null)
    : SectionValidator<CitationVerifierOptions>(Section, configuration)
{
    public const string Section = "CitationVerifier";

    protected override void Check(CitationVerifierOptions options, SettingChecks checks) =>
        checks.Between(options.MinSupport, 0, 1);
}
