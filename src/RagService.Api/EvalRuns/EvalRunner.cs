using Microsoft.Extensions.Options;
using RagService.Api.Hosting;
using RagService.Api.Ingestion;
using RagService.Api.Querying;
using RagService.Core.Jobs;
using RagService.Core.Search;
using RagService.Evaluation.Retrieval;
using RagService.Indexing;

namespace RagService.Api.EvalRuns;

/// <summary>What <c>POST /v1/eval/runs</c> asked for, checked (<see cref="EvalRunRequests"/>).</summary>
/// <param name="Dataset">The BEIR folder, a full path under one of <c>Rag:Evaluation:DatasetRoots</c>.</param>
/// <param name="Label">The run's dataset name (the list and the file name); the folder's name unless given.</param>
/// <param name="Mode"><c>bm25</c>, <c>dense</c>, <c>hybrid</c>, <c>all</c> (the three) or <c>ablation</c> (<see cref="AblationPlan"/>).</param>
public sealed record EvalRunSpec(string Dataset, string Label, string Split, string Mode, int? MaxQueries);

/// <summary>A run started from the API, as <c>GET /v1/eval/runs/active</c> reports it.</summary>
/// <param name="State"><c>running</c>, <c>succeeded</c>, <c>failed</c> or <c>cancelled</c>.</param>
/// <param name="Phase"><c>storing</c> (corpus documents admitted), <c>ingesting</c> (documents ready or failed of the corpus),
/// <c>querying</c> (queries of the current row), <c>writing</c>, <c>done</c>.</param>
public sealed record EvalRunProgress(
    string Id, EvalRunSpec Spec, string Index, string State, string Phase, string? Row, int Done, int Total, DateTimeOffset Started,
    DateTimeOffset? Finished, string? Run, string? Error, int FailedDocuments, IReadOnlyList<string> Errors);

/// <summary>
/// Runs one retrieval evaluation at a time inside the service: the BEIR corpus is admitted into its own index
/// (<c>eval-{dataset}-{model}-{chunk tokens}</c> of the default tenant, the name <c>rag eval</c> gives it, so a second run
/// of the same dataset reuses what is ready) the way an upload is, and the ingestion worker drains it as it drains every
/// upload (nothing here ingests, so nothing races the worker); then the split's queries go through the service's own
/// search (<see cref="InProcessSearcher"/>, <see cref="RetrievalEvaluator"/>) and the report is written into the runs folder
/// (<see cref="EvalRunFiles"/>), where <c>GET /v1/eval/runs</c> lists it. A failure ends the run with its reason; the
/// service goes on. The last run's progress stays readable until the next one starts.
/// </summary>
public sealed partial class EvalRunner(
    IndexRegistry registry,
    IngestionQueue queue,
    SearchService search,
    EmbeddingModelProvider models,
    IOptions<RagOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<EvalRunner> logger)
{
    /// <summary>How often the ingestion phase reads the index's document counts.</summary>
    internal static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>How long the ingestion phase waits for the worker to finish one more document before it gives up.</summary>
    internal static readonly TimeSpan StallLimit = TimeSpan.FromMinutes(10);

    /// <summary>Document failures quoted in <see cref="EvalRunProgress.Errors"/> (the count is in <see cref="EvalRunProgress.FailedDocuments"/>).</summary>
    private const int ErrorsKept = 5;

    private readonly Lock _lock = new();
    private EvalRunProgress? _current;
    private CancellationTokenSource? _cancel;

    /// <summary>The running run, or the last one that ended since the service started; null when none was started.</summary>
    public EvalRunProgress? Current
    {
        get
        {
            lock (_lock)
            {
                return _current;
            }
        }
    }

    /// <summary>Starts the run in the background; null when one is already running.</summary>
    public EvalRunProgress? TryStart(EvalRunSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var settings = models.NewIndexSettings(options.Value.DefaultEmbeddingModel, null, null);
        var index = EvalDocumentIds.IndexName(Path.GetFileName(spec.Dataset.TrimEnd(Path.DirectorySeparatorChar)), settings);
        CancellationTokenSource cancel;
        EvalRunProgress started;
        lock (_lock)
        {
            if (_current is { State: "running" })
            {
                return null;
            }

            _cancel?.Dispose();
            cancel = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping);
            _cancel = cancel;
            started = new EvalRunProgress(
                Guid.NewGuid().ToString("N")[..12], spec, index, "running", "storing", null, 0, 0, DateTimeOffset.UtcNow, null, null, null, 0, []);
            _current = started;
        }

        LogStarted(logger, started.Id, spec.Dataset, spec.Split, spec.Mode, index);
        _ = Task.Run(() => RunAsync(started, settings, cancel.Token), CancellationToken.None);
        return started;
    }

    /// <summary>Asks the running run to stop; false when none is running.</summary>
    public bool Cancel()
    {
        lock (_lock)
        {
            if (_current is not { State: "running" } || _cancel is null)
            {
                return false;
            }

            _cancel.Cancel();
            return true;
        }
    }

    private async Task RunAsync(EvalRunProgress run, IndexSettings settings, CancellationToken ct)
    {
        try
        {
            var spec = run.Spec;
            var dataset = new BeirDataset(spec.Dataset);
            // The queries first: a split without judged queries fails before anything is ingested.
            var querySet = await RetrievalEvaluator.LoadQueriesAsync(dataset, spec.Split, spec.MaxQueries, ct);
            if (querySet.Queries.Count == 0)
            {
                throw new InvalidDataException($"The split '{spec.Split}' has no judged query that queries.jsonl holds.");
            }

            var store = registry.Create(run.Index, settings).Store;
            var opts = options.Value;
            var corpusSize = await BeirCorpusIngestion.StoreCorpusAsync(
                registry, store, dataset, opts.MaxUploadBytes, new Counter(n => Update(p => p with { Done = n })), ct);
            queue.Signal();
            Update(p => p with { Phase = "ingesting", Done = 0, Total = corpusSize });
            await WaitForIngestionAsync(store, corpusSize, ct);

            var steps = spec.Mode switch
            {
                "ablation" => AblationPlan.For(search.Options),
                "all" => [Step(SearchMode.Bm25), Step(SearchMode.Dense), Step(SearchMode.Hybrid)],
                var m => [Step(Enum.Parse<SearchMode>(m, ignoreCase: true))],
            };
            var searcher = new InProcessSearcher(search, store);
            var results = new List<ModeResult>(steps.Count);
            foreach (var step in steps)
            {
                Update(p => p with { Phase = "querying", Row = step.Name, Done = 0, Total = querySet.Queries.Count });
                results.Add(await RetrievalEvaluator.EvaluateAsync(searcher, step, querySet, null, new Counter(n => Update(p => p with { Done = n })), ct));
            }

            Update(p => p with { Phase = "writing", Row = null });
            var index = IndexSummary.Of(settings, store);
            var report = new EvalReport(
                spec.Label, spec.Dataset, spec.Split, querySet.Queries.Count, run.Index, index.EmbeddingModel, index.ChunkMaxTokens,
                index.ContextualHeader, searcher.Transport, search.Options, index.Vectors, index.Bytes, null, results, DateTimeOffset.UtcNow,
                Environment.ProcessorCount, EvalReport.TextsOf(querySet));
            var stem = await EvalRunFiles.WriteAsync(report, opts.Evaluation.RunsDirectory, ct);
            var name = Path.GetFileName(stem);
            End(p => p with { State = "succeeded", Phase = "done", Run = name });
            LogSucceeded(logger, run.Id, name, results[^1].Metrics.At(10).Ndcg);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            End(p => p with { State = "cancelled", Error = lifetime.ApplicationStopping.IsCancellationRequested ? "The service is stopping." : "Cancelled." });
            LogCancelled(logger, run.Id);
        }
        catch (Exception e)
        {
            // Whatever went wrong (an unreadable file, a broken index, a full disk) ends this run only.
            End(p => p with { State = "failed", Error = Reason(e) });
            LogFailed(logger, e, run.Id);
        }
    }

    /// <summary>
    /// Until no document of the index is queued or on its way; the count done is the corpus documents ready or failed.
    /// A worker that finishes no document for <see cref="StallLimit"/> (an index it cannot process) ends the run.
    /// </summary>
    private async Task WaitForIngestionAsync(IndexStore store, int corpusSize, CancellationToken ct)
    {
        var lastDone = -1;
        var lastChange = DateTimeOffset.UtcNow;
        while (true)
        {
            var counts = await store.Jobs.CountByStateAsync(ct);
            var ready = counts.ByState.GetValueOrDefault(DocumentState.Ready);
            var failed = counts.ByState.GetValueOrDefault(DocumentState.Failed);
            Update(p => p with { Done = Math.Min(corpusSize, ready + failed), FailedDocuments = failed });
            if (ready + failed >= counts.Total)
            {
                break;
            }

            if (ready + failed != lastDone)
            {
                (lastDone, lastChange) = (ready + failed, DateTimeOffset.UtcNow);
            }
            else if (DateTimeOffset.UtcNow - lastChange > StallLimit)
            {
                throw new InvalidOperationException(
                    $"The ingestion of index '{store.Name}' finished no document for {StallLimit.TotalMinutes:0} minutes ({ready + failed} of {counts.Total} done); see the service's log.");
            }

            await Task.Delay(PollInterval, ct);
        }

        if (registry.BrokenReason(store.Name, store.Tenant) is { } broken)
        {
            throw new InvalidOperationException($"The index '{store.Name}' is broken: {broken}");
        }

        var failures = await store.Jobs.ListAsync(0, ErrorsKept, ct, listing: new DocumentListing { State = DocumentState.Failed });
        Update(p => p with
        {
            Errors = failures.Select(f => $"{f.FileName}: {f.FailedStep}: {f.Error}").ToList(),
        });
    }

    private static AblationStep Step(SearchMode mode) => new(mode.ToString().ToLowerInvariant(), mode, null);

    private static string Reason(Exception e) => e switch
    {
        FileNotFoundException f => $"A file of the dataset is missing: {f.FileName}",
        FormatException or InvalidDataException or IndexUnavailableException or InvalidOperationException or IOException or UnauthorizedAccessException => e.Message,
        _ => $"{e.GetType().Name}: {e.Message}",
    };

    private void Update(Func<EvalRunProgress, EvalRunProgress> change)
    {
        lock (_lock)
        {
            if (_current is { State: "running" } current)
            {
                _current = change(current);
            }
        }
    }

    private void End(Func<EvalRunProgress, EvalRunProgress> change)
    {
        lock (_lock)
        {
            if (_current is { } current)
            {
                _current = change(current) with { Finished = DateTimeOffset.UtcNow };
            }
        }
    }

    /// <summary>Reports on the calling thread (no posting), so the count is current when the row ends.</summary>
    private sealed class Counter(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Evaluation run {Id} started: dataset {Dataset}, split {Split}, mode {Mode}, index {Index}")]
    private static partial void LogStarted(ILogger logger, string id, string dataset, string split, string mode, string index);

    [LoggerMessage(Level = LogLevel.Information, Message = "Evaluation run {Id} wrote {Run}; nDCG@10 of its last row {Ndcg10}")]
    private static partial void LogSucceeded(ILogger logger, string id, string run, double ndcg10);

    [LoggerMessage(Level = LogLevel.Information, Message = "Evaluation run {Id} cancelled")]
    private static partial void LogCancelled(ILogger logger, string id);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Evaluation run {Id} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string id);
}

/// <summary>Checks a <c>POST /v1/eval/runs</c> body against the configured dataset roots.</summary>
public static class EvalRunRequests
{
    public static readonly string[] Modes = ["bm25", "dense", "hybrid", "all", "ablation"];

    /// <summary>The checked run, or the reason it is refused (a 400's detail).</summary>
    public static EvalRunSpec? Check(
        string? dataset, string? split, string? mode, int? maxQueries, string? name, RagOptions options, out string? refusal)
    {
        ArgumentNullException.ThrowIfNull(options);
        refusal = null;
        var roots = options.Evaluation.DatasetRoots.Where(r => !string.IsNullOrWhiteSpace(r)).Select(r => Path.TrimEndingDirectorySeparator(Path.GetFullPath(r))).ToList();
        // A root may itself be a link: what lies under it lies under its target too.
        var realRoots = roots.Concat(roots.Select(RealPath)).Distinct(StringComparer.Ordinal).ToList();
        if (roots.Count == 0)
        {
            refusal = "Runs cannot be started here: no dataset folder is configured (Rag:Evaluation:DatasetRoots). Run 'rag eval', or configure the folders that hold BEIR datasets.";
            return null;
        }

        if (string.IsNullOrWhiteSpace(dataset))
        {
            refusal = "'dataset' is required: the path of a BEIR folder on the server.";
            return null;
        }

        if (dataset.Replace('\\', '/').Split('/').Contains(".."))
        {
            refusal = "The dataset path must not contain '..'.";
            return null;
        }

        // A relative path is looked up in each root in turn.
        var candidates = Path.IsPathRooted(dataset) ? [Path.GetFullPath(dataset)] : roots.Select(r => Path.GetFullPath(Path.Combine(r, dataset))).ToList();
        var folder = Path.TrimEndingDirectorySeparator(candidates.FirstOrDefault(Directory.Exists) ?? candidates[0]);
        var data = Path.TrimEndingDirectorySeparator(Path.GetFullPath(options.DataDirectory));
        if (!Under(folder, roots) || Under(folder, [data]))
        {
            refusal = $"The dataset must be a folder under {string.Join(" or ", roots)} (Rag:Evaluation:DatasetRoots), outside the service's data folder.";
            return null;
        }

        split ??= "test";
        if (split.Length is 0 or > 64 || !split.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            refusal = "'split' is a qrels file's name: letters, digits, '-' and '_' (test, dev, train).";
            return null;
        }

        mode = (mode ?? "hybrid").ToLowerInvariant();
        if (!Modes.Contains(mode))
        {
            refusal = $"'mode' must be one of {string.Join(", ", Modes)} (was '{mode}').";
            return null;
        }

        if (maxQueries is < 1)
        {
            refusal = "'maxQueries' must be at least 1 when given.";
            return null;
        }

        if (name is not null && (name.Length is 0 or > 64 || EvalDocumentIds.Sanitize(name) != name.ToLowerInvariant()))
        {
            refusal = "'name' is the run's dataset name: 1 to 64 letters, digits, '-' and '_'.";
            return null;
        }

        var beir = new BeirDataset(folder);
        string[] required = [beir.CorpusPath, beir.QueriesPath, beir.QrelsPath(split)];
        if (!Directory.Exists(folder) || required.Any(p => !File.Exists(p)))
        {
            refusal = $"'{dataset}' is not a BEIR folder with this split: it needs corpus.jsonl, queries.jsonl and qrels/{split}.tsv.";
            return null;
        }

        // A link inside a root must not lead out of it (to the data folder or anywhere else).
        foreach (var path in required.Prepend(folder))
        {
            if (Resolved(path) is { } target && (!Under(target, realRoots) || Under(target, [data, RealPath(data)])))
            {
                refusal = $"'{Path.GetFileName(path)}' of the dataset links outside the dataset folders.";
                return null;
            }
        }

        return new EvalRunSpec(folder, name ?? Path.GetFileName(folder), split, mode, maxQueries);
    }

    private static bool Under(string path, IReadOnlyList<string> roots) =>
        roots.Any(root => path.Equals(root, StringComparison.Ordinal)
            || path.StartsWith(root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar, StringComparison.Ordinal));

    /// <summary>The final target of a link (or of a folder above it that is a link); null when nothing on the way is one.</summary>
    private static string? Resolved(string path)
    {
        var resolved = Path.GetFullPath(path);
        var real = RealPath(resolved);
        return string.Equals(real, resolved, StringComparison.Ordinal) ? null : real;
    }

    private static string RealPath(string path)
    {
        var parent = Path.GetDirectoryName(path);
        var head = parent is null ? path : Path.Combine(RealPath(parent), Path.GetFileName(path));
        FileSystemInfo info = Directory.Exists(head) ? new DirectoryInfo(head) : new FileInfo(head);
        return info.LinkTarget is null ? head : Path.GetFullPath(info.ResolveLinkTarget(returnFinalTarget: true)!.FullName);
    }
}
