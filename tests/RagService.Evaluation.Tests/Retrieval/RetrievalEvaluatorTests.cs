using System.Text.Json;
using RagService.Core.Search;
using RagService.Evaluation.Retrieval;
using RagService.Retrieval;

namespace RagService.Evaluation.Tests.Retrieval;

public sealed class RetrievalEvaluatorTests
{
    [Fact]
    public void A_document_ranks_where_its_best_chunk_ranks_and_encoded_ids_come_back_as_beir_ids()
    {
        var encoded = EvalDocumentIds.ToDocumentId("doc/1 é");
        Assert.StartsWith("b64-", encoded, StringComparison.Ordinal);
        Assert.Equal("doc/1 é", EvalDocumentIds.ToBeirId(encoded));

        var run = RetrievalEvaluator.ToDocumentRun([Hit("a"), Hit(encoded), Hit("a"), Hit("c")]);

        Assert.Equal(["a", "doc/1 é", "c"], run.Select(r => r.DocumentId));
        Assert.Equal([1.0, 0.5, 0.25], run.Select(r => r.Score));
    }

    [Fact]
    public async Task Evaluation_scores_every_query_reports_progress_dumps_candidates_and_drops_per_query_settings()
    {
        var set = new EvalQuerySet(
            [new BeirQuery("q1", "first"), new BeirQuery("q2", "second")],
            new Dictionary<string, IReadOnlyDictionary<string, int>>
            {
                ["q1"] = new Dictionary<string, int> { ["d1"] = 1 },
                ["q2"] = new Dictionary<string, int> { ["d3"] = 1 },
            });
        var searcher = new FixedSearcher(new Dictionary<string, string[]> { ["first"] = ["d1", "d2"], ["second"] = ["d2", "d3"] });
        var done = new List<int>();
        var dump = Path.Combine(Path.GetTempPath(), $"eval-dump-{Guid.NewGuid():N}");

        var result = await RetrievalEvaluator.EvaluateAsync(searcher, new AblationStep("Hybrid RRF", SearchMode.Hybrid, null), set, dump, new ListProgress(done), CancellationToken.None);

        Assert.Equal("Hybrid RRF", result.Mode);
        Assert.Equal(2, result.Metrics.QueryCount);
        Assert.Equal(0.75, result.Metrics.At(10).Mrr, 12);
        Assert.Equal(0.5, result.Metrics.At(1).Hit, 12);
        Assert.Equal(2, result.Latency.Count);
        Assert.Equal([1, 2], done);
        var setting = Assert.Single(result.Settings);
        Assert.Equal(("fusion", "rrf"), (setting.Key, setting.Value));

        // Each judged query's outcome: where its relevant document ranked, and what came first.
        Assert.NotNull(result.PerQuery);
        var outcomes = result.PerQuery.ToDictionary(q => q.Id);
        Assert.Equal(["q1", "q2"], outcomes.Keys.Order());
        Assert.Equal([new RelevantRank("d1", 1, 1)], outcomes["q1"].Relevant);
        Assert.Equal((1.0, 1.0), (outcomes["q1"].Ndcg10, outcomes["q1"].ReciprocalRank10));
        Assert.Equal([new RelevantRank("d3", 1, 2)], outcomes["q2"].Relevant);
        Assert.Equal(0.5, outcomes["q2"].ReciprocalRank10, 12);
        Assert.Equal(1 / Math.Log2(3), outcomes["q2"].Ndcg10, 12);
        Assert.Equal(["d2", "d3"], outcomes["q2"].Top);
        Assert.Equal(2, outcomes["q2"].Retrieved);
        Assert.Equal(result.Metrics.At(10).Ndcg, result.PerQuery.Average(q => q.Ndcg10), 12);

        // Ten warm-up calls at most (two queries here), then each query once at top 200.
        Assert.Equal([100, 100, 200, 200], searcher.TopKs);
        var lines = await File.ReadAllLinesAsync(dump + ".hybrid-rrf.tsv");
        File.Delete(dump + ".hybrid-rrf.tsv");
        Assert.Equal(4, lines.Length);
        Assert.Equal(["q2", "d3", "2"], lines[3].Split('\t')[..3]);
    }

    [Fact]
    public void The_json_report_keeps_the_property_names_the_regression_tests_read()
    {
        var metrics = new RetrievalEvaluation(1, [.. new[] { 1, 5, 10, 100 }.Select(k => new MetricsAtK(k, 0.5, 0.5, 1, 0.1, 1))]);
        var report = new EvalReport("scifact", "/d", "test", 1, "idx", "minilm", 256, true, "in-process SearchService", null, 3, 4, null,
            [new ModeResult("hybrid", metrics, LatencySummary.FromMilliseconds([1.0]), new Dictionary<string, string>())], DateTimeOffset.UnixEpoch, 2);

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(report, new JsonSerializerOptions(JsonSerializerDefaults.Web)));

        Assert.Equal("in-process SearchService", json.RootElement.GetProperty("transport").GetString());
        var mode = json.RootElement.GetProperty("modes")[0];
        Assert.Equal("hybrid", mode.GetProperty("mode").GetString());
        var at10 = mode.GetProperty("metrics").GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("k").GetInt32() == 10);
        Assert.Equal(0.5, at10.GetProperty("ndcg").GetDouble());
        Assert.Contains("| hybrid | 0.5000 |", EvalReportMarkdown.Render(report), StringComparison.Ordinal);
    }

    [Fact]
    public void The_ablation_adds_a_rerank_row_only_when_a_reranker_is_configured_and_ends_with_the_default_variants()
    {
        var plain = AblationPlan.For(new RetrievalOptions());
        var withReranker = AblationPlan.For(new RetrievalOptions { RerankerModelPath = "/models/reranker" });

        Assert.DoesNotContain(plain, s => s.Name == "+ rerank");
        Assert.Contains(withReranker, s => s.Name == "+ rerank");
        Assert.Equal(["bm25", "dense"], plain.Take(2).Select(s => s.Name));
        var last = plain.SkipWhile(s => s.Name != "default configuration").ToList();
        Assert.Equal(6, last.Count);
        Assert.Null(last[0].Stages);
    }

    private static EvalHit Hit(string documentId) => new(documentId, 1, null, null, null);

    private sealed class FixedSearcher(IReadOnlyDictionary<string, string[]> answers) : IEvalSearcher
    {
        public List<int> TopKs { get; } = [];

        public string Transport => "fixed";

        public Task<EvalSearchResult> SearchAsync(string query, int topK, SearchMode mode, SearchStages? stages, bool trace, CancellationToken ct)
        {
            TopKs.Add(topK);
            var hits = answers[query].Select(d => new EvalHit(d, 1, null, null, null)).ToList();
            var settings = new Dictionary<string, string> { ["fusion"] = "rrf", ["topK"] = topK.ToString(System.Globalization.CultureInfo.InvariantCulture), ["staleDropped"] = "0" };
            return Task.FromResult(new EvalSearchResult(hits, trace ? new SearchTrace { Mode = "hybrid", Settings = settings } : null));
        }
    }

    private sealed class ListProgress(List<int> values) : IProgress<int>
    {
        public void Report(int value) => values.Add(value);
    }
}
