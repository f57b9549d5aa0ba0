using System.Text.RegularExpressions;
using RagService.Ingestion.Parsing.Ocr;

namespace RagService.Api.Hosting.Validation;

/// <summary>The "Ocr" section: Tesseract languages and data, concurrency, and the limits that protect the service from hostile images.</summary>
internal sealed partial class OcrOptionsValidator(IConfiguration? configuration = null)
    : SectionValidator<OcrOptions>(Section, configuration)
{
    public const string Section = "Ocr";

    protected override void Check(OcrOptions options, SettingChecks checks)
    {
        if (!string.Equals(options.Languages, "auto", StringComparison.OrdinalIgnoreCase))
        {
            LanguageSet(options.Languages, checks, nameof(options.Languages), "'auto' or ");
        }

        LanguageSet(options.LatinLanguages, checks, nameof(options.LatinLanguages), "");
        LanguageSet(options.HanLanguages, checks, nameof(options.HanLanguages), "");
        if (!string.IsNullOrEmpty(options.AccentedLatinLanguages))
        {
            LanguageSet(options.AccentedLatinLanguages, checks, nameof(options.AccentedLatinLanguages), "empty or ");
        }

        checks.Between(options.AccentedRereadShare, 0, 1);
        checks.ExistingFolderOrUnset(options.TessdataPath);
        checks.Positive(options.MaxEngines);
        checks.PositiveOrUnset(options.MaxConcurrentPages);
        checks.Between(options.Dpi, 50, 1200);
        checks.Positive(options.MaxPages);
        checks.Positive(options.MaxPixelsPerPage);
        checks.Positive(options.PageTimeout);
        checks.Positive(options.RasteriseTimeout);
        checks.Between(options.LowConfidenceThreshold, 0, 100);
        checks.NotNegative(options.MinOrientationConfidence);
    }

    private static void LanguageSet(string? value, SettingChecks checks, string setting, string alternative)
    {
        if (value is null || !LanguageSetPattern().IsMatch(value))
        {
            checks.Fail(setting, $"must be {alternative}Tesseract language codes joined by '+', e.g. 'eng' or 'chi_sim+eng' (was {SettingChecks.Quote(value)})");
        }
    }

    [GeneratedRegex("^[A-Za-z_]+(\\+[A-Za-z_]+)*$")]
    private static partial Regex LanguageSetPattern();
}
