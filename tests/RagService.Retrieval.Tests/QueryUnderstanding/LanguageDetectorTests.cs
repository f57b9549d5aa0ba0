using RagService.Core.Models;
using RagService.Core.Text;

namespace RagService.Retrieval.Tests.QueryUnderstanding;

public sealed class LanguageDetectorTests
{
    [Theory]
    [InlineData("How long are backups kept?", "en")]
    [InlineData("备份保留多少天？", "zh")]
    [InlineData("備份保留多少天？", "zh")]
    [InlineData("API 网关", "zh-en")]
    [InlineData("K8s 集群怎么扩容", "zh")]
    [InlineData("How do I scale a K8s 集群", "en-zh")]
    [InlineData("バックアップの保存期間", "ja")]
    [InlineData("백업 보존 기간", "ko")]
    [InlineData("Сколько хранятся копии", "ru")]
    [InlineData("2024-03-01 12:00", "und")]
    [InlineData("ＡＰＩ　网关", "zh-en")]
    [InlineData("Deletion of αvβ8 does not cause inflammation", "en")]
    public void Detects_languages_by_script_including_mixed_chinese_english(string text, string expected)
    {
        Assert.Equal(expected, LanguageDetector.Detect(text).Code);
    }

    [Fact]
    public void Shares_count_a_han_character_and_a_latin_word_as_one_unit_each()
    {
        var language = LanguageDetector.Detect("K8s 集群");

        Assert.Equal(1.0 / 3, language.Shares["en"], 6);
        Assert.Equal(2.0 / 3, language.Shares["zh"], 6);
        Assert.True(language.IsMixed);
    }

    [Fact]
    public void The_coverage_rule_skips_below_half_scales_in_between_and_keeps_what_is_covered()
    {
        var english = LanguageCoverage.English;

        var chinese = LanguageCoverageRule.Decide("minilm", english, LanguageDetector.Detect("备份保留多少天"));
        var mostlyEnglish = LanguageCoverageRule.Decide("minilm", english, LanguageDetector.Detect("how to scale the K8s 集群"));
        var plain = LanguageCoverageRule.Decide("minilm", english, LanguageDetector.Detect("backup retention"));
        var numbers = LanguageCoverageRule.Decide("minilm", english, LanguageDetector.Detect("12345"));
        var symbols = LanguageCoverageRule.Decide("minilm", english, LanguageDetector.Detect("TNF-α levels rise in pancreatic β cells after infection"));
        var multilingual = LanguageCoverageRule.Decide("bge-m3", LanguageCoverage.All, LanguageDetector.Detect("备份保留多少天"));

        Assert.True(chinese.Skipped);
        Assert.Equal("minilm does not cover zh", chinese.Note);
        Assert.Equal(5.0 / 7, mostlyEnglish.Factor, 6);
        Assert.Equal(1.0, plain.Factor);
        Assert.Equal(1.0, numbers.Factor);
        Assert.Equal(1.0, symbols.Factor);
        Assert.Equal(1.0, multilingual.Factor);
    }
}
