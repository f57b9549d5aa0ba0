using RagService.Core.Answers;
using RagService.Generation.Citations;
using RagService.Generation.Extractive;

namespace RagService.Generation.Tests.Citations;

public sealed class CitationVerifierTests
{
    private static readonly RagService.Core.Chunks.Chunk Solar = TestHits.Chunk(
        "solar", "Solar panels convert sunlight into electricity using photovoltaic cells. They need little maintenance.");

    private static readonly RagService.Core.Chunks.Chunk Wind = TestHits.Chunk(
        "wind", "Wind turbines convert the kinetic energy of wind into electricity.");

    private static readonly Dictionary<int, RagService.Core.Chunks.Chunk> Sources = new() { [1] = Solar, [2] = Wind };

    private readonly CitationVerifier verifier = new();

    [Fact]
    public void A_paraphrase_backed_by_its_chunk_keeps_its_marker()
    {
        var check = verifier.Verify("Solar panels turn sunlight into electricity [1]. Wind turbines convert wind into electricity. [2]", Sources);

        Assert.True(check.IsClean);
        Assert.Equal([1, 2], check.SupportedMarkers);
        Assert.Equal("Solar panels turn sunlight into electricity [1]. Wind turbines convert wind into electricity. [2]", check.Text);
    }

    [Fact]
    public void A_marker_on_a_claim_its_chunk_does_not_contain_is_dropped()
    {
        var check = verifier.Verify("Bananas grow on tall palms in Ecuador. [1] Wind turbines convert wind into electricity. [2]", Sources);

        Assert.Equal("Bananas grow on tall palms in Ecuador. Wind turbines convert wind into electricity. [2]", check.Text);
        var issue = Assert.Single(check.Issues);
        Assert.Equal((CitationIssueKind.UnsupportedMarker, 0, 1), (issue.Kind, issue.SentenceIndex, issue.Marker));
        Assert.Equal(0.0, issue.Support);
        Assert.Equal([2], check.SupportedMarkers);
    }

    [Fact]
    public void A_marker_citing_the_wrong_chunk_is_dropped()
    {
        var check = verifier.Verify("Wind turbines convert wind into electricity. [1]", Sources);

        Assert.Equal(CitationIssueKind.UnsupportedMarker, Assert.Single(check.Issues).Kind);
        Assert.Equal("Wind turbines convert wind into electricity.", check.Text);
    }

    [Fact]
    public void Unmarked_sentences_are_flagged_and_unknown_markers_dropped()
    {
        var check = verifier.Verify("Solar panels need little maintenance. Wind turbines convert wind into electricity. [7]", Sources);

        Assert.Equal(
            [(CitationIssueKind.MissingMarker, 0, (int?)null), (CitationIssueKind.UnknownMarker, 1, 7)],
            check.Issues.Select(i => (i.Kind, i.SentenceIndex, i.Marker)));
        Assert.Equal("Solar panels need little maintenance. Wind turbines convert wind into electricity.", check.Text);
    }

    [Fact]
    public void A_claim_split_across_two_markers_keeps_both()
    {
        var check = verifier.Verify("Photovoltaic cells and kinetic turbines both produce electricity. [1][2]", Sources);

        Assert.True(check.IsClean, string.Join("; ", check.Issues));
        Assert.Equal([1, 2], check.SupportedMarkers);
    }

    [Fact]
    public async Task An_extractive_answer_verifies_clean_and_a_tampered_one_loses_its_citation()
    {
        var hits = TestHits.Ranked(Solar, Wind);
        var answer = await new ExtractiveAnswerGenerator().GenerateAsync("How do solar panels and wind turbines produce electricity?", hits, CancellationToken.None);

        var verified = verifier.Verify(answer, [Solar, Wind]);
        Assert.Empty(verified.Issues);
        Assert.Equal(answer.Text, verified.Answer.Text);
        Assert.Equal(answer.Citations, verified.Answer.Citations);

        var tampered = answer with { Text = answer.Text.Replace("Wind turbines convert the kinetic energy of wind", "Nuclear reactors split uranium atoms", StringComparison.Ordinal) };
        var checkedTampered = verifier.Verify(tampered, [Solar, Wind]);
        Assert.Equal(CitationIssueKind.UnsupportedMarker, Assert.Single(checkedTampered.Issues).Kind);
        Assert.Equal(["solar"], checkedTampered.Answer.Citations.Select(c => c.ChunkId));
        Assert.DoesNotContain("[2]", checkedTampered.Answer.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_chinese_extractive_answer_verifies_clean()
    {
        var chunk = TestHits.Chunk("cn", "长城位于中国北方。长城全长约两万一千公里！故宫在北京。");
        var answer = await new ExtractiveAnswerGenerator().GenerateAsync("长城全长是多少公里？", TestHits.Ranked(chunk), CancellationToken.None);

        var verified = verifier.Verify(answer, [chunk]);

        Assert.Empty(verified.Issues);
        Assert.Same(answer, verified.Answer);
        Assert.NotEmpty(verifier.Verify("故宫全长约两万一千公里！ [1]", new Dictionary<int, RagService.Core.Chunks.Chunk> { [1] = TestHits.Chunk("x", "故宫在北京。") }).Issues);
    }

    [Fact]
    public void A_no_answer_passes_untouched()
    {
        var verified = verifier.Verify(ExtractiveAnswerGenerator.NoAnswer, []);

        Assert.Same(ExtractiveAnswerGenerator.NoAnswer, verified.Answer);
        Assert.Empty(verified.Issues);
    }
}
