using RagService.Evaluation.Answers;
using RagService.Evaluation.Hosting;

namespace RagService.Evaluation.Tests.Answers;

/// <summary>
/// The answer-quality guard: the team's generated set (eval/answers: PDF, DOCX and OCR'd scans, English and
/// Chinese) ingested through the real API on Kestrel, every test-split question asked through <c>/ask</c>,
/// and the extractive default held close to the figures in docs/benchmarks.md. Also the citation shape a
/// client sees: DOCX citations carry no page, PDF and scan citations do, and the DOCX copy of the travel
/// policy lists its PDF twin with that twin's page. A few minutes: OCR of the scan, embedding, 80 questions.
/// </summary>
public sealed class AnswerQualityRegressionTests : IDisposable
{
    private readonly string work = Directory.CreateTempSubdirectory("rag-answer-regression-").FullName;

    [Fact]
    public async Task The_extractive_default_answers_the_test_split_within_its_measured_quality()
    {
        var root = Path.Combine(AppContext.BaseDirectory, "answers");
        var documents = AnswerCorpus.Load(Path.Combine(root, "documents.json"));
        var questions = AnswerQuestion.Load(Path.Combine(root, "questions.jsonl")).Where(q => q.Split == "test").ToList();
        await using var server = await LoopbackApiServer.StartAsync(null, new Dictionary<string, string?>
        {
            ["Rag:DataDirectory"] = Path.Combine(work, "data"),
            ["Logging:LogLevel:Default"] = "Warning",
        }, default);
        using var http = server.CreateClient();
        var evaluator = new AnswerEvaluator(http, "answers");

        var (files, _) = await evaluator.IngestAsync(documents, Path.Combine(work, "files"), default);
        var outcomes = await evaluator.AskAllAsync(documents, files, questions, null, default);
        var metrics = AnswerMetrics.Of(outcomes);

        Assert.True(metrics.Accuracy >= 0.90, $"accuracy {metrics.Accuracy:0.000}");
        Assert.True(metrics.CitationPrecision >= 0.95, $"citation precision {metrics.CitationPrecision:0.000}");
        Assert.True(metrics.NoAnswerF1 >= 0.85, $"noAnswer F1 {metrics.NoAnswerF1:0.000}");
        Assert.True(metrics.MedianAnswerChars < 150, $"median answer {metrics.MedianAnswerChars} chars");
        Assert.All(outcomes.Where(o => o.Kind == "follow-up"), o => Assert.Equal(o.Asked, questions.Single(q => q.Id == o.Id).Standalone));

        var client = new AnswerApiClient(http);
        var mileage = await client.AskAsync("answers", "What is the mileage rate for using my own car?", default);
        var docx = Assert.Single(mileage.Citations);
        Assert.Equal("travel-policy-docx", docx.DocumentId);
        Assert.Null(docx.PageStart);
        var twin = Assert.Single(docx.Copies);
        Assert.Equal("travel-policy-pdf", twin.DocumentId);
        Assert.True(twin.PageStart >= 1, "the PDF copy names its page");
        var scan = await client.AskAsync("answers", "How long are file server backups kept?", default);
        Assert.Equal(2, Assert.Single(scan.Citations).PageStart);
    }

    public void Dispose() => Directory.Delete(work, recursive: true);
}
