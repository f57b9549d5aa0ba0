using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RagService.Api.EvalRuns;
using RagService.Api.Hosting;
using RagService.Api.Ingestion;
using RagService.Api.Querying;
using RagService.Core.Search;
using RagService.Evaluation.Hosting;
using RagService.Evaluation.Retrieval;
using RagService.Indexing;
using RagService.Ingestion.Jobs;
using Spectre.Console;

namespace RagService.Cli.Commands;

/// <summary>
/// <c>rag eval</c>: ingests a BEIR dataset through the real pipeline (once; later runs reuse the
/// index), runs its queries through the same search service as the API, and reports nDCG@10,
/// MRR@10, Recall@10/100 and latency percentiles as a table, JSON and Markdown. The harness itself
/// (ingestion, the query loop, metrics, the report) is <see cref="RetrievalEvaluator"/> and its neighbours.
/// </summary>
public static class EvalCommand
{
    public static async Task<int> RunAsync(CommandLine line, CancellationToken ct)
    {
        var datasetPath = line.Require("dataset");
        if (!File.Exists(Path.Combine(datasetPath, "corpus.jsonl")))
        {
            throw new UsageException($"'{datasetPath}' is not a BEIR folder (corpus.jsonl, queries.jsonl, qrels/<split>.tsv).");
        }

        var dataset = new BeirDataset(datasetPath);
        var split = line.Get("split") ?? "test";
        if (!File.Exists(dataset.QrelsPath(split)))
        {
            throw new UsageException($"The dataset has no qrels/{split}.tsv.");
        }

        var modes = (line.Get("mode") ?? "all") switch
        {
            "all" => new[] { SearchMode.Bm25, SearchMode.Dense, SearchMode.Hybrid },
            var m => [QueryCommands.ParseMode(m)],
        };

        var url = line.Get("url");
        var selfHosted = line.Has("http");
        if (url is not null && selfHosted)
        {
            throw new UsageException("Use --url (a running service) or --http (start one over --data), not both.");
        }

        ServiceProvider? services = CliHost.Create(line);
        LoopbackApiServer? server = null;
        HttpClient? http = null;
        try
        {
            var options = services.GetRequiredService<IOptions<RagOptions>>().Value;
            var retrieval = services.GetRequiredService<SearchService>().Options;
            var models = services.GetRequiredService<EmbeddingModelProvider>();
            var model = line.Get("model") ?? options.DefaultEmbeddingModel;
            var datasetName = Path.GetFileName(Path.GetFullPath(datasetPath).TrimEnd(Path.DirectorySeparatorChar));
            var settings = models.NewIndexSettings(model, line.Get("chunk-tokens") is null ? null : line.GetInt("chunk-tokens", 0), line.Get("header") is { } h ? bool.Parse(h) : null);
            var indexName = line.Get("index") ?? EvalDocumentIds.IndexName(datasetName, settings);

            IngestionStats? ingestion = null;
            IndexSummary index;
            IEvalSearcher searcher;
            if (url is null)
            {
                var registry = services.GetRequiredService<IndexRegistry>();
                if (line.Has("rebuild"))
                {
                    registry.Delete(indexName);
                }

                var store = registry.Create(indexName, settings).Store;
                ingestion = await IngestCorpusAsync(registry, services.GetRequiredService<DocumentIngestor>(), store, dataset, options, ct);
                index = IndexSummary.Of(settings, store);
                searcher = new InProcessSearcher(services.GetRequiredService<SearchService>(), store);
            }
            else
            {
                http = RemoteService.CreateClient(line);
                var info = await new SearchApiClient(http).GetIndexAsync(indexName, ct)
                    ?? throw new UsageException($"The service at {url} has no index '{indexName}': build it first (rag eval --data DIR, then serve DIR), or name it with --index.");
                index = IndexSummary.Of(info);
                searcher = new HttpSearcher(new SearchApiClient(http), indexName, url);
            }

            if (selfHosted)
            {
                // The in-process container holds the index's writers: release them before the API opens the same folder.
                var configuration = CliHost.Configuration(line);
                await services.DisposeAsync();
                services = null;
                server = await LoopbackApiServer.StartAsync(configuration, new Dictionary<string, string?>
                {
                    ["Rag:DataDirectory"] = Path.GetFullPath(options.DataDirectory),
                    ["Logging:LogLevel:Default"] = "Warning",
                }, ct);
                http = RemoteService.CreateClient(server.BaseAddress, line.Get("api-key") ?? server.AdminKey);
                searcher = new HttpSearcher(new SearchApiClient(http), indexName, server.BaseAddress.ToString());
                AnsiConsole.MarkupLineInterpolated($"Serving the API over {options.DataDirectory} at {server.BaseAddress}; queries go over HTTP.");
            }

            var querySet = await RetrievalEvaluator.LoadQueriesAsync(dataset, split, line.Get("max-queries") is null ? null : line.GetInt("max-queries", 0), ct);
            var results = new List<ModeResult>();
            var stagesRun = line.Has("ablation") ? AblationPlan.For(retrieval) : modes.Select(m => new AblationStep(m.ToString().ToLowerInvariant(), m, null)).ToList();
            var dump = line.Get("dump");
            foreach (var step in stagesRun)
            {
                await AnsiConsole.Progress().AutoClear(true).StartAsync(async progress =>
                {
                    var task = progress.AddTask($"Queries ({step.Mode})", maxValue: querySet.Queries.Count);
                    results.Add(await RetrievalEvaluator.EvaluateAsync(searcher, step, querySet, dump, new ProgressTaskValue(task), ct));
                });
            }

            var report = new EvalReport(
                datasetName, Path.GetFullPath(datasetPath), split, querySet.Queries.Count, indexName, index.EmbeddingModel,
                index.ChunkMaxTokens, index.ContextualHeader, searcher.Transport, url is null ? retrieval : null, index.Vectors,
                index.Bytes, ingestion, results, DateTimeOffset.UtcNow, Environment.ProcessorCount, EvalReport.TextsOf(querySet));
            Print(report);
            var stem = await EvalRunFiles.WriteAsync(report, line.Get("out") ?? options.Evaluation.RunsDirectory, ct);
            AblationChart.Save(stem + ".png", $"{datasetName} / {split}: nDCG@10 and Recall@10 by stage", results.Select(r => (r.Mode, r.Metrics.At(10).Ndcg, r.Metrics.At(10).Recall)).ToList());
            AnsiConsole.MarkupLineInterpolated($"Wrote {stem}.json, {stem}.md and {stem}.png");
            return 0;
        }
        finally
        {
            http?.Dispose();
            if (server is not null)
            {
                await server.DisposeAsync();
            }

            if (services is not null)
            {
                await services.DisposeAsync();
            }
        }
    }

    /// <summary>The corpus into the index (<see cref="BeirCorpusIngestion"/>) under two progress bars; null when nothing was left to ingest.</summary>
    private static async Task<IngestionStats?> IngestCorpusAsync(
        IndexRegistry registry, DocumentIngestor ingestor, IndexStore store, BeirDataset dataset, RagOptions options, CancellationToken ct)
    {
        IngestionStats? stats = null;
        await AnsiConsole.Progress().AutoClear(false).StartAsync(async progress =>
        {
            var admit = progress.AddTask("Storing corpus documents");
            admit.IsIndeterminate = true;
            var corpusSize = await BeirCorpusIngestion.StoreCorpusAsync(registry, store, dataset, options.MaxUploadBytes, null, ct);
            admit.IsIndeterminate = false;
            admit.MaxValue = admit.Value = Math.Max(1, corpusSize);
            var pending = (await store.Jobs.UnfinishedAsync(ct)).Count;
            if (pending == 0)
            {
                return;
            }

            var ingest = progress.AddTask($"Parsing, embedding, indexing {pending} documents", maxValue: pending);
            stats = await BeirCorpusIngestion.IngestPendingAsync(ingestor, store, options, new Progress<IngestionBatchReport>(r => ingest.Value = r.Ready + r.Failed), ct);
            ingest.Value = ingest.MaxValue;
        });
        return stats;
    }

    private static void Print(EvalReport r)
    {
        var table = new Table().Title($"{r.Dataset} / {r.Split} ({r.Queries} queries, model {r.EmbeddingModel}, chunk {r.ChunkMaxTokens} tokens, {r.Transport})")
            .AddColumns("stage", "nDCG@10", "MRR@10", "R@10", "R@100", "P@5", "hit@1", "p50 ms", "p95 ms", "p99 ms");
        foreach (var m in r.Modes)
        {
            table.AddRow(m.Mode, F(m.Metrics.At(10).Ndcg), F(m.Metrics.At(10).Mrr), F(m.Metrics.At(10).Recall), F(m.Metrics.At(100).Recall),
                F(m.Metrics.At(5).Precision), F(m.Metrics.At(1).Hit), Ms(m.Latency.P50Ms), Ms(m.Latency.P95Ms), Ms(m.Latency.P99Ms));
        }

        AnsiConsole.Write(table);
        if (r.Ingestion is { } i)
        {
            AnsiConsole.MarkupLineInterpolated($"Ingested {i.Documents} documents ({i.Failed} failed), {i.Chunks} chunks in {i.Seconds:0.0} s: {i.ChunksPerSecond:0.0} chunks/s; embedding {i.EmbeddingShare:P0} of the time.");
        }

        static string F(double v) => EvalReportMarkdown.Score(v);

        static string Ms(double v) => EvalReportMarkdown.Milliseconds(v);
    }

    /// <summary>A progress bar that shows the count it is given, set on the reporting thread (no posting, so it is current when the bar closes).</summary>
    private sealed class ProgressTaskValue(ProgressTask task) : IProgress<int>
    {
        public void Report(int value) => task.Value = value;
    }
}
