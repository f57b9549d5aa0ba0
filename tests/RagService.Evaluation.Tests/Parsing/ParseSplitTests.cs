using RagService.Evaluation.Parsing;

namespace RagService.Evaluation.Tests.Parsing;

public sealed class ParseSplitTests
{
    [Theory]
    [InlineData("ocr_test.pdf", "ocr_test_rotated_90.pdf")]
    [InlineData("ocr_test.pdf", "ocr_test_rotated_270.pdf")]
    [InlineData("phototest.png", "phototest-rotated-180.png")]
    [InlineData("phototest.png", "phototest-rotated-L.png")]
    public void A_turned_copy_lands_in_its_originals_half(string original, string turned) =>
        Assert.Equal(ParseSplit.Of(original), ParseSplit.Of(turned));

    [Fact]
    public void The_half_follows_from_the_name_alone_and_both_halves_are_used()
    {
        var names = Enumerable.Range(0, 200).Select(i => $"document-{i}.pdf").ToList();
        var halves = names.Select(ParseSplit.Of).ToList();

        Assert.Equal(halves, names.Select(n => ParseSplit.Of("/some/other/folder/" + n)));
        Assert.All(halves, h => Assert.Contains(h, new[] { ParseSplit.Dev, ParseSplit.Test }));
        var dev = halves.Count(h => h == ParseSplit.Dev);
        Assert.InRange(dev, 70, 130);
    }

    [Fact]
    public void Known_files_keep_their_recorded_half()
    {
        // docs/benchmarks.md lists the halves; a change to the rule would silently move decisions onto test files.
        Assert.Equal(ParseSplit.Dev, ParseSplit.Of("redp5110_sampled.pdf"));
        Assert.Equal(ParseSplit.Test, ParseSplit.Of("2305.03393v1-pg9.pdf"));
        Assert.Equal(ParseSplit.Dev, ParseSplit.Of("unit_test_headers.docx"));
        Assert.Equal(ParseSplit.Test, ParseSplit.Of("word_tables.docx"));
    }

    [Fact]
    public void Split_all_or_none_includes_every_case_and_a_half_only_its_own()
    {
        var devCase = new ParseCase("PDF", "/x/redp5110_sampled.pdf", "/x/gt.md", new ScoringMode());
        var testCase = devCase with { SourcePath = "/x/2305.03393v1-pg9.pdf" };

        Assert.True(ParseSplit.Includes(null, devCase));
        Assert.True(ParseSplit.Includes("all", testCase));
        Assert.True(ParseSplit.Includes("dev", devCase));
        Assert.False(ParseSplit.Includes("dev", testCase));
        Assert.True(ParseSplit.Includes("test", testCase));
    }
}
