using RagService.Evaluation.FollowUps;

namespace RagService.Evaluation.Tests;

/// <summary>The committed follow-up set (eval/followups) that <c>rag eval-followups</c> measures is well-formed.</summary>
public sealed class FollowUpSetTests
{
    [Fact]
    public void Every_pair_names_a_document_of_the_set_whose_text_holds_its_evidence()
    {
        var dataset = Path.Combine(RepositoryRoot(), "eval", "followups");
        var pairs = FollowUpEvaluation.Read(Path.Combine(dataset, "followups.jsonl"));

        Assert.True(pairs.Count >= 40, $"{pairs.Count} pairs");
        Assert.Equal(pairs.Count, pairs.Select(p => p.Id).Distinct().Count());
        Assert.Equal(["en", "zh"], pairs.Select(p => p.Lang).Distinct().Order());
        Assert.All(pairs, p =>
        {
            var document = Path.Combine(dataset, "docs", p.Doc + ".md");
            Assert.True(File.Exists(document), $"{p.Id}: no {document}");
            Assert.Contains(p.Evidence, File.ReadAllText(document), StringComparison.Ordinal);
            Assert.All(new[] { p.First, p.FollowUp, p.Standalone }, q => Assert.False(string.IsNullOrWhiteSpace(q), p.Id));
        });
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RagService.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("RagService.sln not found above " + AppContext.BaseDirectory);
    }
}
