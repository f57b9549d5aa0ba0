using RagService.Evaluation.Chunking;

namespace RagService.Evaluation.Tests.Chunking;

public sealed class ChunkEvaluationTests
{
    [Fact]
    public void Discovery_pairs_each_source_with_its_ground_truth_and_skips_sources_without_one()
    {
        var root = Directory.CreateTempSubdirectory("chunk-eval-").FullName;
        try
        {
            Write(root, "docling/pdf/sources/b.pdf", "docling/pdf/sources/a.pdf", "docling/pdf/groundtruth/a.md", "docling/pdf/groundtruth/b.md",
                "docling/docx/sources/c d.docx", "docling/docx/groundtruth/c d.docx.md", "docling/docx/sources/orphan.docx");

            var docs = ChunkEvaluation.Discover(root);

            Assert.Equal(["a.pdf", "b.pdf", "c d.docx"], docs.Select(d => d.FileName));
            Assert.Equal(["pdf", "pdf", "docx"], docs.Select(d => d.Kind));
            Assert.Equal("c-d", docs[2].DocumentId);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Questions_without_a_kind_ask_for_a_section()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(path,
            [
                """{"id":"q1","file":"a.pdf","question":"Who?","section":"Intro","evidence":"Someone"}""",
                "",
                """{"id":"q2","file":"a.pdf","question":"What?","section":"Table 1","evidence":"42","kind":"table"}""",
            ]);

            var questions = ChunkEvaluation.ReadQuestions(path);

            Assert.Equal(["section", "table"], questions.Select(q => q.Kind));
            Assert.Equal("Who?", questions[0].Text);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Rates_show_the_share_and_the_counts_and_a_missing_check_shows_a_dash()
    {
        var split = ChunkEvalReportMarkdown.Failed(new QualityCount(3, 4));

        Assert.Equal(new QualityCount(1, 4), split);
        Assert.Equal("-", ChunkEvalReportMarkdown.OptionalRate(null));
        Assert.EndsWith("(3/4)", ChunkEvalReportMarkdown.Rate(new QualityCount(3, 4)), StringComparison.Ordinal);
        Assert.Equal("0.667", ChunkEvalReportMarkdown.Score(2 / 3.0));
    }

    private static void Write(string root, params string[] files)
    {
        foreach (var file in files)
        {
            var path = Path.Combine(root, file);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, "x");
        }
    }
}
