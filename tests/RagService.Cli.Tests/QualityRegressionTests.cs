using System.CommandLine;
using System.Text.Json;
using RagService.Cli;
using RagService.TestSupport;
using Xunit.Abstractions;

namespace RagService.Cli.Tests;

/// <summary>
/// Guards the retrieval figures of docs/benchmarks.md with the very commands that recorded them (<c>rag eval</c>,
/// through the real API on a loopback port, on a fresh data folder), so a change that costs retrieval quality
/// fails CI. Each threshold sits about 0.01 under its recorded figure. They run where ../shared/data is (CI,
/// developers) and say they are skipped elsewhere. One class: the runs share the two cores one after another.
/// </summary>
[Collection(CliConsole.Name)]
public sealed class QualityRegressionTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rag-quality-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // A model or index file still mapped by a finalising handle; the temp folder is cleaned by the OS later.
        }
    }

    // Recorded: SciFact test, default stages, through HTTP, nDCG@10 0.7446 (docs/benchmarks.md).
    [SharedDataFact("retrieval/beir-scifact")]
    public async Task SciFact_test_through_the_search_api_keeps_its_ndcg_at_10()
    {
        var ndcg = await EvaluateAsync("beir-scifact", "hybrid");
        Assert.True(ndcg["hybrid"] >= 0.735, $"SciFact test hybrid nDCG@10 {ndcg["hybrid"]:0.0000} (recorded 0.7446)");
    }

    // Recorded on CMRC 2018 dev (Chinese), default stages, SmartCn words + bigrams ("both"): BM25 nDCG@10 0.9921, hybrid
    // 0.9921. The English-only models do not cover Chinese, so the hybrid search is its lexical leg (issue 14); it
    // was 0.8753 while their noise was fused in. The guard holds the hybrid at its lexical leg's level.
    [SharedDataFact("retrieval/zh-cmrc2018-dev-beir")]
    public async Task Chinese_cmrc_through_the_search_api_keeps_its_ndcg_at_10()
    {
        var ndcg = await EvaluateAsync("zh-cmrc2018-dev-beir", "all");
        Assert.True(ndcg["bm25"] >= 0.985, $"CMRC bm25 nDCG@10 {ndcg["bm25"]:0.0000} (recorded 0.9921)");
        Assert.True(ndcg["hybrid"] >= 0.985, $"CMRC hybrid nDCG@10 {ndcg["hybrid"]:0.0000} (recorded 0.9921)");
        Assert.True(ndcg["hybrid"] >= ndcg["bm25"] - 1e-9, $"CMRC hybrid {ndcg["hybrid"]:0.0000} below its lexical leg {ndcg["bm25"]:0.0000}");
    }

    private async Task<Dictionary<string, double>> EvaluateAsync(string dataset, string mode)
    {
        var runs = Path.Combine(_dir, dataset + "-runs");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await RagCommandLine.RunAsync(
            ["eval", "--dataset", SharedData.PathOf("retrieval/" + dataset)!, "--split", "test", "--mode", mode, "--http",
             "--data", Path.Combine(_dir, dataset + "-data"), "--out", runs],
            new InvocationConfiguration { Output = stdout, Error = stderr },
            CancellationToken.None);
        output.WriteLine(stdout.ToString());
        output.WriteLine(stderr.ToString());
        Assert.Equal(0, exit);

        var report = Directory.EnumerateFiles(runs, "*.json").Single();
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
        Assert.Equal("http", json.RootElement.GetProperty("transport").GetString()?.Split(' ')[0], ignoreCase: true);
        return json.RootElement.GetProperty("modes").EnumerateArray().ToDictionary(
            m => m.GetProperty("mode").GetString()!,
            m => m.GetProperty("metrics").GetProperty("metrics").EnumerateArray()
                .Single(k => k.GetProperty("k").GetInt32() == 10).GetProperty("ndcg").GetDouble());
    }
}
