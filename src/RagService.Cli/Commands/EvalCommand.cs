using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RagService.Api.Hosting;
using RagService.Api.Ingestion;
using RagService.Ingestion.Jobs;
using RagService.Api.Querying;
using RagService.Core.Search;
using RagService.Indexing;
using RagService.Evaluation.Hosting;
using RagService.Evaluation.Retrieval;
using Spectre.Console;

namespace RagService.Cli.Commands;

/// <summary>
/// <c>rag eval</c>: ingests a BEIR dataset through the real pipeline (once; later runs reuse the
/// index), runs its queries through the same search service as the API, and reports nDCG@10,
/// MRR@10, Recall@10/100 and latency percentiles as a table, JSON and Markdown.
/// </summary>
public static class EvalCommand
{
    private static readonly int[] Cutoffs = [1, 5, 10, 100];
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

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
            var indexName = line.Get("index") ?? Sanitize($"eval-{datasetName}-{model}-{settings.Chunking.MaxTokens}{(settings.Chunking.ContextualHeader ? "" : "-nohdr")}");

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
                ingestion = await IngestCorpusAsync(services, store, dataset, options, ct);
                index = new IndexSummary(settings.EmbeddingModel, settings.Chunking.MaxTokens, settings.Chunking.ContextualHeader, store.Vectors.Count, store.SizeOnDiskBytes());
                searcher = new InProcessSearcher(services.GetRequiredService<SearchService>(), store);
            }
            else
            {
                http = RemoteService.CreateClient(line);
                var info = await new SearchApiClient(http).GetIndexAsync(indexName, ct)
                    ?? throw new UsageException($"The service at {url} has no index '{indexName}': build it first (rag eval --data DIR, then serve DIR), or name it with --index.");
                index = new IndexSummary(info.EmbeddingModel, info.ChunkMaxTokens, info.ContextualHeader, info.VectorCount, info.SizeOnDiskBytes);
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
                http = RemoteService.CreateClient(server.BaseAddress, line.Get("api-key"));
                searcher = new HttpSearcher(new SearchApiClient(http), indexName, server.BaseAddress.ToString());
                AnsiConsole.MarkupLineInterpolated($"Serving the API over {options.DataDirectory} at {server.BaseAddress}; queries go over HTTP.");
            }

            var qrels = await dataset.ReadQrelsAsync(split, ct);
            var queries = (await dataset.ReadQueriesAsync(ct)).Where(q => qrels.ContainsKey(q.Id)).ToList();
            if (line.Get("max-queries") is not null)
            {
                queries = queries.Take(line.GetInt("max-queries", queries.Count)).ToList();
                var kept = queries.Select(q => q.Id).ToHashSet(StringComparer.Ordinal);
                qrels = qrels.Where(kv => kept.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
            }

            var results = new List<ModeResult>();
            var stagesRun = line.Has("ablation") ? AblationPlan.For(retrieval) : modes.Select(m => new AblationStep(m.ToString().ToLowerInvariant(), m, null)).ToList();
            var dump = line.Get("dump");
            foreach (var step in stagesRun)
            {
                results.Add(await EvaluateModeAsync(searcher, step, queries, qrels, dump, ct));
            }

            var report = new EvalReport(
                datasetName, Path.GetFullPath(datasetPath), split, queries.Count, indexName, index.EmbeddingModel,
                index.ChunkMaxTokens, index.ContextualHeader, searcher.Transport, url is null ? retrieval : null, index.Vectors,
                index.Bytes, ingestion, results, DateTimeOffset.UtcNow, Environment.ProcessorCount);
            Print(report);
            var outDir = line.Get("out") ?? Path.Combine("eval", "runs");
            Directory.CreateDirectory(outDir);
            var stem = Path.Combine(outDir, $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{datasetName}-{split}-{index.EmbeddingModel}");
            await File.WriteAllTextAsync(stem + ".json", JsonSerializer.Serialize(report, Json), ct);
            await File.WriteAllTextAsync(stem + ".md", ToMarkdown(report), ct);
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

    private static async Task<IngestionStats?> IngestCorpusAsync(IServiceProvider services, IndexStore store, BeirDataset dataset, RagOptions options, CancellationToken ct)
    {
        var registry = services.GetRequiredService<IndexRegistry>();
        var ingestor = services.GetRequiredService<DocumentIngestor>();
        var known = await store.Jobs.CountAsync(ct);
        var corpusSize = 0;
        var admitted = 0;
        var clock = Stopwatch.StartNew();
        IngestionBatchReport? totals = null;
        await AnsiConsole.Progress().AutoClear(false).StartAsync(async progress =>
        {
            var admit = progress.AddTask("Storing corpus documents");
            admit.IsIndeterminate = true;
            await foreach (var doc in dataset.ReadCorpusAsync(ct))
            {
                corpusSize++;
                var id = EvalDocumentIds.ToDocumentId(doc.Id);
                if (known > 0 && await store.Jobs.GetAsync(id, ct) is { State: Core.Jobs.DocumentState.Ready })
                {
                    continue;
                }

                // Title as the document's heading, text as its body: the Markdown parser makes the
                // title the document title, so the contextual header carries it into BM25 and the embedding.
                var markdown = string.IsNullOrWhiteSpace(doc.Title) ? doc.Text : $"# {doc.Title.ReplaceLineEndings(" ")}\n\n{doc.Text}";
                using var stream = new MemoryStream(Encoding.UTF8.GetBytes(markdown));
                var received = await BlobStore.StoreAsync(stream, doc.Id + ".md", registry.BlobFolder(store.Name), options.MaxUploadBytes, ct);
                if ((await DocumentIntake.AdmitAsync(store, received, id, new Dictionary<string, string>(), options.MaxUploadBytes, ct)).Enqueued)
                {
                    admitted++;
                }
            }

            admit.IsIndeterminate = false;
            admit.MaxValue = admit.Value = Math.Max(1, corpusSize);
            var pending = (await store.Jobs.UnfinishedAsync(ct)).Count;
            if (pending == 0)
            {
                return;
            }

            var ingest = progress.AddTask($"Parsing, embedding, indexing {pending} documents", maxValue: pending);
            clock.Restart();
            totals = await ingestor.DrainAsync(store, options.MaxDocumentsPerCommit, options.IngestionParallelism,
                new Progress<IngestionBatchReport>(r => ingest.Value = r.Ready + r.Failed), ct);
            ingest.Value = ingest.MaxValue;
        });

        if (totals is null)
        {
            return null;
        }

        var seconds = clock.Elapsed.TotalSeconds;
        return new IngestionStats(
            totals.Ready, totals.Failed, totals.Chunks, seconds, totals.Chunks / Math.Max(seconds, 1e-9),
            totals.Ready / Math.Max(seconds, 1e-9), totals.Parse.TotalSeconds, totals.Embed.TotalSeconds, totals.Write.TotalSeconds,
            totals.Embed.TotalSeconds / Math.Max(seconds, 1e-9), totals.SecondEmbedded, totals.SecondEmbed.TotalSeconds);
    }

    private static async Task<ModeResult> EvaluateModeAsync(
        IEvalSearcher search, AblationStep step, IReadOnlyList<BeirQuery> queries,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> qrels, string? dumpPath, CancellationToken ct)
    {
        var mode = step.Mode;

        // Warm up JIT, caches and the ONNX session before timing.
        foreach (var q in queries.Take(10))
        {
            await search.SearchAsync(q.Text, 100, mode, step.Stages, trace: false, ct);
        }

        var dump = dumpPath is null ? null : new StreamWriter(dumpPath + "." + Sanitize(step.Name) + ".tsv");
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);

        var run = new Dictionary<string, IReadOnlyList<RunEntry>>(StringComparer.Ordinal);
        var latencies = new List<double>(queries.Count);
        await AnsiConsole.Progress().AutoClear(true).StartAsync(async progress =>
        {
            var task = progress.AddTask($"Queries ({mode})", maxValue: queries.Count);
            foreach (var q in queries)
            {
                var clock = Stopwatch.StartNew();
                var response = await search.SearchAsync(q.Text, 200, mode, step.Stages, trace: dump is not null || settings.Count == 0, ct);
                latencies.Add(clock.Elapsed.TotalMilliseconds);
                run[q.Id] = ToDocumentRun(response.Hits);
                if (settings.Count == 0 && response.Trace is { } trace)
                {
                    foreach (var (k, v) in trace.Settings)
                    {
                        settings[k] = v;
                    }
                }

                if (dump is not null)
                {
                    WriteDump(dump, q.Id, response.Hits);
                }

                task.Increment(1);
            }
        });

        dump?.Dispose();
        var evaluation = RetrievalMetrics.Evaluate(run, qrels, Cutoffs);
        settings.Remove("topK");
        settings.Remove("staleDropped");
        return new ModeResult(step.Name, evaluation, LatencySummary.FromMilliseconds(latencies), settings);
    }

    /// <summary>Per-candidate signals for offline tuning: query, document, rank, fused score and every stage score.</summary>
    private static void WriteDump(StreamWriter dump, string queryId, IReadOnlyList<EvalHit> hits)
    {
        for (var i = 0; i < hits.Count; i++)
        {
            var h = hits[i];
            var stage = h.StageScores;
            dump.WriteLine(string.Join('\t',
                queryId, EvalDocumentIds.ToBeirId(h.DocumentId), (i + 1).ToString(CultureInfo.InvariantCulture),
                h.FusedScore.ToString("R", CultureInfo.InvariantCulture),
                h.Bm25Rank?.ToString(CultureInfo.InvariantCulture) ?? "",
                h.DenseRank?.ToString(CultureInfo.InvariantCulture) ?? "",
                Stage(stage, "bm25-exact"), Stage(stage, "dense-exact"), Stage(stage, "second-dense")));
        }

        static string Stage(IReadOnlyDictionary<string, float>? s, string key) =>
            s is not null && s.TryGetValue(key, out var v) ? v.ToString("R", CultureInfo.InvariantCulture) : "";
    }

    /// <summary>Chunk hits to a document ranking: a document ranks where its best chunk ranks.</summary>
    private static List<RunEntry> ToDocumentRun(IReadOnlyList<EvalHit> hits)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var run = new List<RunEntry>();
        var rank = 0;
        foreach (var hit in hits)
        {
            rank++;
            var id = EvalDocumentIds.ToBeirId(hit.DocumentId);
            if (seen.Add(id))
            {
                // Scores strictly decreasing with rank, so trec_eval's tie-breaking cannot reorder the run.
                run.Add(new RunEntry(id, 1.0 / rank));
            }
        }

        return run;
    }

    private static void Print(EvalReport r)
    {
        var table = new Table().Title($"{r.Dataset} / {r.Split} ({r.Queries} queries, model {r.EmbeddingModel}, chunk {r.ChunkMaxTokens} tokens, {r.Transport})")
            .AddColumns("stage", "nDCG@10", "MRR@10", "R@10", "R@100", "P@5", "hit@1", "p50 ms", "p95 ms", "p99 ms");
        foreach (var m in r.Modes)
        {
            table.AddRow(m.Mode, F(m.Metrics.At(10).Ndcg), F(m.Metrics.At(10).Mrr), F(m.Metrics.At(10).Recall), F(m.Metrics.At(100).Recall),
                F(m.Metrics.At(5).Precision), F(m.Metrics.At(1).Hit), F1(m.Latency.P50Ms), F1(m.Latency.P95Ms), F1(m.Latency.P99Ms));
        }

        AnsiConsole.Write(table);
        if (r.Ingestion is { } i)
        {
            AnsiConsole.MarkupLineInterpolated($"Ingested {i.Documents} documents ({i.Failed} failed), {i.Chunks} chunks in {i.Seconds:0.0} s: {i.ChunksPerSecond:0.0} chunks/s; embedding {i.EmbeddingShare:P0} of the time.");
        }
    }

    private static string ToMarkdown(EvalReport r)
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"# Retrieval evaluation: {r.Dataset} ({r.Split})");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"{r.Queries} queries · model `{r.EmbeddingModel}` · chunk budget {r.ChunkMaxTokens} tokens · contextual header {r.ContextualHeader} · {r.Vectors} vectors · index {r.IndexBytes / 1048576.0:0.0} MiB · {r.Cores} cores · {r.At:u}");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Queries sent: {r.Transport} (latency measured by the caller, around each query).");
        sb.AppendLine();
        sb.AppendLine(r.Retrieval is null
            ? "Retrieval settings: the remote service's own (each row's trace settings below)."
            : $"Retrieval settings: `{JsonSerializer.Serialize(r.Retrieval)}`");
        sb.AppendLine();
        sb.AppendLine("| stage | nDCG@10 | MRR@10 | Recall@10 | Recall@100 | P@5 | hit@1 | hit@5 | p50 ms | p95 ms | p99 ms |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var m in r.Modes)
        {
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {m.Mode} | {F(m.Metrics.At(10).Ndcg)} | {F(m.Metrics.At(10).Mrr)} | {F(m.Metrics.At(10).Recall)} | {F(m.Metrics.At(100).Recall)} | {F(m.Metrics.At(5).Precision)} | {F(m.Metrics.At(1).Hit)} | {F(m.Metrics.At(5).Hit)} | {F1(m.Latency.P50Ms)} | {F1(m.Latency.P95Ms)} | {F1(m.Latency.P99Ms)} |");
        }

        sb.AppendLine();
        sb.AppendLine("Configuration of each row (as the search trace reports it):");
        sb.AppendLine();
        foreach (var m in r.Modes)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"- **{m.Mode}**: `{string.Join("; ", m.Settings.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value))}`");
        }

        if (r.Ingestion is { } i)
        {
            sb.AppendLine();
            sb.AppendLine(CultureInfo.InvariantCulture, $"Ingestion: {i.Documents} documents ({i.Failed} failed), {i.Chunks} chunks in {i.Seconds:0.0} s = {i.ChunksPerSecond:0.0} chunks/s, {i.DocumentsPerSecond:0.0} documents/s. Stage time: parse+chunk {i.ParseSeconds:0.0} s, embed {i.EmbedSeconds:0.0} s (of which the second-stage model {i.SecondModelSeconds:0.0} s for {i.SecondModelChunks} chunks), write {i.WriteSeconds:0.0} s; embedding share {i.EmbeddingShare:P1}.");
        }

        return sb.ToString();
    }

    private static string F(double v) => v.ToString("0.0000", CultureInfo.InvariantCulture);

    private static string F1(double v) => v.ToString("0.0", CultureInfo.InvariantCulture);

    private static string Sanitize(string name) =>
        new string(name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-').ToArray());

    private sealed record IndexSummary(string EmbeddingModel, int ChunkMaxTokens, bool ContextualHeader, long Vectors, long Bytes);

    private sealed record ModeResult(string Mode, RetrievalEvaluation Metrics, LatencySummary Latency, IReadOnlyDictionary<string, string> Settings);

    private sealed record IngestionStats(
        int Documents, int Failed, int Chunks, double Seconds, double ChunksPerSecond, double DocumentsPerSecond,
        double ParseSeconds, double EmbedSeconds, double WriteSeconds, double EmbeddingShare, int SecondModelChunks, double SecondModelSeconds);

    private sealed record EvalReport(
        string Dataset, string DatasetPath, string Split, int Queries, string Index, string EmbeddingModel, int ChunkMaxTokens,
        bool ContextualHeader, string Transport, Retrieval.RetrievalOptions? Retrieval, long Vectors, long IndexBytes, IngestionStats? Ingestion,
        IReadOnlyList<ModeResult> Modes, DateTimeOffset At, int Cores);
}

/// <summary>How an evaluation sends its queries: in process, or over HTTP to the REST search endpoint.</summary>
internal interface IEvalSearcher
{
    /// <summary>For the report: "in-process SearchService" or "HTTP POST {url}v1/indexes/{index}/search".</summary>
    string Transport { get; }

    Task<EvalSearchResult> SearchAsync(string query, int topK, SearchMode mode, SearchStages? stages, bool trace, CancellationToken ct);
}

/// <summary>The search service the API runs, called directly (no HTTP, no JSON).</summary>
internal sealed class InProcessSearcher(SearchService search, IndexStore store) : IEvalSearcher
{
    public string Transport => "in-process SearchService";

    public async Task<EvalSearchResult> SearchAsync(string query, int topK, SearchMode mode, SearchStages? stages, bool trace, CancellationToken ct)
    {
        var response = await search.SearchAsync(store, new SearchRequest { Query = query, TopK = topK, Mode = mode, Stages = stages, IncludeTrace = trace }, ct);
        return new EvalSearchResult(
            response.Hits.Select(h => new EvalHit(h.Chunk.DocumentId, h.Scores.FusedScore, h.Scores.Bm25Rank, h.Scores.DenseRank, h.Scores.StageScores)).ToList(),
            response.Trace);
    }
}

/// <summary><c>POST /v1/indexes/{index}/search</c> of a running service, as any client calls it.</summary>
internal sealed class HttpSearcher(SearchApiClient client, string index, string baseUrl) : IEvalSearcher
{
    public string Transport => $"HTTP POST {baseUrl.TrimEnd('/')}/v1/indexes/{index}/search";

    public Task<EvalSearchResult> SearchAsync(string query, int topK, SearchMode mode, SearchStages? stages, bool trace, CancellationToken ct) =>
        client.SearchAsync(index, query, topK, mode, stages, trace, ct);
}

/// <summary>BEIR ids are arbitrary strings; document ids are not. Map reversibly where needed.</summary>
internal static class EvalDocumentIds
{
    public static string ToDocumentId(string beirId) =>
        DocumentIds.IsValid(beirId) ? beirId : "b64-" + Convert.ToBase64String(Encoding.UTF8.GetBytes(beirId)).Replace('+', '-').Replace('/', '_').TrimEnd('=');

    public static string ToBeirId(string documentId)
    {
        if (!documentId.StartsWith("b64-", StringComparison.Ordinal))
        {
            return documentId;
        }

        var b64 = documentId[4..].Replace('-', '+').Replace('_', '/');
        b64 = b64.PadRight(b64.Length + ((4 - (b64.Length % 4)) % 4), '=');
        return Encoding.UTF8.GetString(Convert.FromBase64String(b64));
    }
}
