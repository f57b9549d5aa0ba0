using RagService.Indexing.Lexical.Lucene;

namespace RagService.Api.Hosting.Validation;

/// <summary>The "Lexical" section: BM25 parameters and the Chinese analyzer of the Lucene index.</summary>
internal sealed class LexicalOptionsValidator(IConfiguration? configuration = null)
    : SectionValidator<LuceneLexicalIndexOptions>(Section, configuration)
{
    public const string Section = "Lexical";

    private static readonly string[] ChineseAnalyzers = ["smartcn", "bigram", "both"];

    protected override void Check(LuceneLexicalIndexOptions options, SettingChecks checks)
    {
        checks.NotNegative(options.K1);
        checks.Between(options.B, 0, 1);
        checks.Positive(options.MaxClauseCount);
        checks.OneOf(options.ChineseAnalyzer, ChineseAnalyzers);
        checks.NotNegative(options.PhraseBoost);
    }
}
