using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RagService.Api.EvalRuns;
using RagService.Api.Hosting;

namespace RagService.Cli.Tests;

/// <summary>
/// <c>rag eval</c> writes a run the service's runs store (<c>/v1/eval/runs</c>, the dashboard's evaluation page) reads:
/// the metrics, each query's outcome and the query texts, from a BEIR folder written here.
/// </summary>
[Collection(CliConsole.Name)]
public sealed class EvalRunsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rag-evalruns-").FullName;

    [Fact]
    public async Task Rag_eval_writes_a_run_with_per_query_outcomes_that_the_runs_store_reads()
    {
        var dataset = Path.Combine(_dir, "tiny");
        Directory.CreateDirectory(Path.Combine(dataset, "qrels"));
        await File.WriteAllLinesAsync(Path.Combine(dataset, "corpus.jsonl"),
        [
            """{"_id": "d1", "title": "Backups", "text": "Encrypted backups of the customer database are retained for ninety days."}""",
            """{"_id": "d2", "title": "Holidays", "text": "Employees receive twenty-five days of paid holiday a year."}""",
            """{"_id": "d3", "title": "Canteen", "text": "The canteen serves lunch between noon and two o'clock."}""",
        ]);
        await File.WriteAllLinesAsync(Path.Combine(dataset, "queries.jsonl"),
        [
            """{"_id": "q1", "text": "how long are database backups retained"}""",
            """{"_id": "q2", "text": "paid holiday for employees"}""",
        ]);
        await File.WriteAllLinesAsync(Path.Combine(dataset, "qrels", "test.tsv"), ["query-id\tcorpus-id\tscore", "q1\td1\t1", "q2\td2\t1", "q2\td3\t1"]);
        var runs = Path.Combine(_dir, "runs");

        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await RagCommandLine.RunAsync(
            ["eval", "--dataset", dataset, "--split", "test", "--mode", "bm25", "--data", Path.Combine(_dir, "data"), "--out", runs],
            new InvocationConfiguration { Output = stdout, Error = stderr }, CancellationToken.None);
        Assert.True(exit == 0, stderr.ToString());

        var store = new EvalRunStore(Options.Create(new RagOptions { Evaluation = { RunsDirectory = runs } }), NullLogger<EvalRunStore>.Instance);
        var summary = Assert.Single(store.List());
        Assert.Null(summary.Error);
        Assert.Equal(("tiny", "test", 2, true), (summary.Dataset, summary.Split, summary.Queries, summary.PerQuery));
        Assert.True(File.Exists(Path.Combine(runs, summary.Name + ".md")));

        var run = store.Find(summary.Name)!;
        var bm25 = Assert.Single(run.Modes);
        Assert.Equal("bm25", bm25.Mode);
        var outcomes = bm25.PerQuery!.ToDictionary(q => q.Id);
        Assert.Equal("paid holiday for employees", run.QueryTexts!["q2"]);
        Assert.Equal(1, Assert.Single(outcomes["q1"].Relevant!).Rank);
        // q2's second relevant document shares no word with it: BM25 does not retrieve it.
        Assert.Equal([("d2", (int?)1), ("d3", (int?)null)], outcomes["q2"].Relevant!.Select(r => (r.DocumentId, r.Rank)));
        Assert.Equal(bm25.At(10)!.Ndcg, outcomes.Values.Average(q => q.Ndcg10), 12);

        // The JSON names the regression tests read are still there.
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(runs, summary.Name + ".json")));
        Assert.Equal("bm25", json.RootElement.GetProperty("modes")[0].GetProperty("mode").GetString());
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // An index file still mapped by a finalising handle; the temp folder is cleaned by the OS later.
        }
    }
}
