using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Cjk;
using Lucene.Net.Analysis.Cn.Smart;
using Lucene.Net.Util;

namespace RagService.Indexing.Lexical.Lucene;

/// <summary>
/// The Chinese fields of the lexical index and how each is analysed: SmartCn words ("smartcn"), overlapping
/// character bigrams ("bigram", CJKAnalyzer), or both as separate fields ("both"): words match what
/// SmartCn's dictionary segments well, bigrams match names and terms it splits wrongly. Every field's text is
/// normalised first (<see cref="ChineseTextNormalizer"/>: full-width forms, Traditional characters).
/// </summary>
internal static class ChineseAnalysis
{
    public const string WordField = "text_zh";
    public const string BigramField = "text_zh_bigram";

    /// <summary>The fields a setting of <c>Lexical:ChineseAnalyzer</c> indexes and searches.</summary>
    public static IReadOnlyList<string> FieldsFor(string setting) => setting.ToLowerInvariant() switch
    {
        "smartcn" => [WordField],
        "bigram" => [BigramField],
        "both" => [WordField, BigramField],
        _ => throw new ArgumentException($"Unknown Chinese analyzer '{setting}'; expected 'smartcn', 'bigram' or 'both'.", nameof(setting)),
    };

    /// <summary>The normalising analyzer of each Chinese field.</summary>
    public static Dictionary<string, Analyzer> Analyzers(LuceneVersion version) => new()
    {
        [WordField] = new NormalizingAnalyzer(new SmartChineseAnalyzer(version)),
        [BigramField] = new NormalizingAnalyzer(new CJKAnalyzer(version)),
    };

    /// <summary>Runs the wrapped analyzer on the normalised text.</summary>
    private sealed class NormalizingAnalyzer(Analyzer inner) : AnalyzerWrapper(inner.Strategy)
    {
        protected override Analyzer GetWrappedAnalyzer(string fieldName) => inner;

        protected override TextReader WrapReader(string fieldName, TextReader reader) => ChineseTextNormalizer.Wrap(reader);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
