using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RagService.Core.Jobs;
using RagService.Core.Models;
using RagService.Ingestion.Telemetry;
using RagService.Core.Text;

namespace RagService.Ingestion.Jobs;

/// <summary>
/// Moves the unfinished documents of an index from stored bytes to a live version: parse and chunk
/// (in parallel per document, bounded), mark duplicates, embed the whole batch's chunks together so
/// the model always sees full batches, fill the second stage's cache, then write every version with
/// one commit per index (group commit); a version is ready only once both indexes have committed.
/// A failure fails that one document with its step and reason. The host only schedules this; the CLI
/// runs the same pipeline.
/// </summary>
public sealed partial class DocumentIngestionPipeline
{
    private readonly IDocumentChunking _chunking;
    private readonly IDuplicateMarking _duplicates;
    private readonly IChunkEmbedding _embedding;
    private readonly ISecondStageEmbedding _secondStage;
    private readonly ILogger _logger;

    public DocumentIngestionPipeline(
        IDocumentChunking chunking,
        IDuplicateMarking duplicates,
        IChunkEmbedding embedding,
        ISecondStageEmbedding secondStage,
        ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(chunking);
        ArgumentNullException.ThrowIfNull(duplicates);
        ArgumentNullException.ThrowIfNull(embedding);
        ArgumentNullException.ThrowIfNull(secondStage);
        _chunking = chunking;
        _duplicates = duplicates;
        _embedding = embedding;
        _secondStage = secondStage;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The service's steps around a parse-and-chunk pipeline.</summary>
    public static DocumentIngestionPipeline CreateDefault(IngestionPipeline pipeline, ILogger? logger = null) =>
        new(new DocumentChunking(pipeline), new DuplicateMarking(), new BatchedChunkEmbedding(), new SlicedSecondStageEmbedding(), logger);

    /// <summary>Ingests up to <paramref name="maxDocuments"/> unfinished documents, oldest first, as one batch.</summary>
    public async Task<IngestionBatchReport> IngestPendingAsync(IngestionTarget target, int maxDocuments, int parallelism, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(target);
        var total = Stopwatch.StartNew();
        var unfinished = await target.Jobs.UnfinishedAsync(ct).ConfigureAwait(false);
        var (pending, givenUp) = await StartAttemptsAsync(target, unfinished.Take(maxDocuments).ToList(), ct).ConfigureAwait(false);
        if (pending.Count == 0)
        {
            return givenUp == 0 ? IngestionBatchReport.Empty : IngestionBatchReport.Empty with { Failed = givenUp };
        }

        try
        {
            var report = await IngestAsync(target, pending, parallelism, total, ct).ConfigureAwait(false);
            return report with { Failed = report.Failed + givenUp };
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested && target.Attempts is { } attempts)
        {
            // Stopped by the host, not by the documents: these attempts do not count against them.
            foreach (var doc in pending)
            {
                await attempts.ForgetAttemptAsync(doc.DocumentId, doc.Version, CancellationToken.None).ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>
    /// Picks the batch and records its attempts before any work starts. A version started before and never
    /// finished (its process died, or it timed out) goes alone, after a back-off, so a document that kills the
    /// process takes no batch-mates with it; past <see cref="IngestionLimits.MaxAttempts"/> it fails instead.
    /// </summary>
    private async Task<(List<DocumentStatus> Batch, int GivenUp)> StartAttemptsAsync(IngestionTarget target, List<DocumentStatus> window, CancellationToken ct)
    {
        if (target.Attempts is not { } attempts)
        {
            return (window, 0);
        }

        var givenUp = 0;
        foreach (var doc in window.Where(d => d.Attempts >= target.Limits.MaxAttempts))
        {
            await target.Jobs.MarkFailedAsync(doc.DocumentId, doc.Version, StepOf(doc.State),
                $"Ingestion crashed or timed out {doc.Attempts} times; given up after {target.Limits.MaxAttempts} attempts (setting Rag:MaxAttempts).", ct).ConfigureAwait(false);
            LogGivenUp(_logger, target.IndexName, doc.DocumentId, doc.Attempts);
            givenUp++;
        }

        var candidates = window.Where(d => d.Attempts < target.Limits.MaxAttempts).ToList();
        if (candidates.FirstOrDefault(d => d.Attempts > 0) is { } suspect)
        {
            await Task.Delay(IngestionLimits.RetryDelay(suspect.Attempts), ct).ConfigureAwait(false);
            candidates = [suspect];
        }

        var batch = new List<DocumentStatus>(candidates.Count);
        foreach (var doc in candidates)
        {
            batch.Add(doc with { Attempts = await attempts.BeginAttemptAsync(doc.DocumentId, doc.Version, ct).ConfigureAwait(false) });
        }

        return (batch, givenUp);
    }

    private static string StepOf(DocumentState state) => state switch
    {
        DocumentState.Chunking => FailedSteps.Chunking,
        DocumentState.Embedding => FailedSteps.Embedding,
        DocumentState.Indexing => FailedSteps.Indexing,
        _ => FailedSteps.Parsing,
    };

    private async Task<IngestionBatchReport> IngestAsync(IngestionTarget target, List<DocumentStatus> pending, int parallelism, Stopwatch total, CancellationToken ct)
    {
        using var activity = IngestionTelemetry.Source.StartActivity("ingest-batch");
        activity?.SetTag("index", target.IndexName);
        activity?.SetTag("documents", pending.Count);
        var model = target.ResolveModel();

        var parseClock = Stopwatch.StartNew();
        var parsed = new ConcurrentBag<ChunkedDocument>();
        var failed = 0;
        long chunkTicks = 0;
        var retrying = 0;
        await Parallel.ForEachAsync(
            pending,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = ct },
            async (doc, token) =>
            {
                try
                {
                    var chunked = await ChunkWithinLimitAsync(target, doc, model, token).ConfigureAwait(false);
                    Interlocked.Add(ref chunkTicks, chunked.ChunkTime.Ticks);
                    parsed.Add(chunked);
                }
                catch (TimeoutException e)
                {
                    if (target.Attempts is null || doc.Attempts >= target.Limits.MaxAttempts)
                    {
                        Interlocked.Increment(ref failed);
                        var times = target.Attempts is null ? "" : $"Parsing crashed or timed out {doc.Attempts} times; ";
                        await target.Jobs.MarkFailedAsync(doc.DocumentId, doc.Version, FailedSteps.Parsing, $"{times}{e.Message}", token).ConfigureAwait(false);
                    }
                    else
                    {
                        Interlocked.Increment(ref retrying);
                        await target.Jobs.UpdateProgressAsync(doc.DocumentId, doc.Version, new JobProgress(DocumentState.Queued, 0), token).ConfigureAwait(false);
                    }

                    LogTimedOut(_logger, target.IndexName, doc.DocumentId, doc.Attempts, target.Limits.ParseTimeout);
                }
                catch (IngestionStepException e)
                {
                    Interlocked.Increment(ref failed);
                    await target.Jobs.MarkFailedAsync(doc.DocumentId, doc.Version, e.Step, e.Message, token).ConfigureAwait(false);
                    if (e.Rejected)
                    {
                        LogRejected(_logger, target.IndexName, doc.DocumentId, e.Step, e.Message);
                    }
                    else
                    {
                        LogStepFailed(_logger, e.InnerException ?? e, target.IndexName, doc.DocumentId, e.Step);
                    }
                }
            }).ConfigureAwait(false);
        parseClock.Stop();

        // Duplicates are found in document order, so the first copy in the batch is the original.
        var dedupClock = Stopwatch.StartNew();
        var ordered = parsed.OrderBy(p => p.Status.DocumentId, StringComparer.Ordinal).ToList();
        var marked = await _duplicates.MarkAsync(target, ordered, ct).ConfigureAwait(false);
        var duplicates = marked.Sum(m => m.ExactDuplicates + m.NearDuplicates);
        dedupClock.Stop();

        var embedClock = Stopwatch.StartNew();
        foreach (var doc in ordered)
        {
            await target.Jobs.UpdateProgressAsync(doc.Status.DocumentId, doc.Status.Version, new JobProgress(DocumentState.Embedding, 0.5), ct).ConfigureAwait(false);
        }

        // A duplicate is indexed lexically with its own text but not embedded: that model call is what deduplication
        // saves. A chunk in a language the model does not cover is not embedded either (lexical-only).
        var texts = marked.SelectMany(m => m.Chunks).Where(c => c.HasOwnVector).Select(c => c.IndexText).ToList();
        float[][] vectors;
        using (var embedStep = IngestionTelemetry.Step("embed", target.IndexName))
        {
            try
            {
                embedStep.Activity?.SetTag("rag.chunks", texts.Count);
                vectors = await _embedding.EmbedAsync(model, texts, ct).ConfigureAwait(false);
                IngestionTelemetry.Embedded(model.Name, texts.Count);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                embedStep.Fail(e.Message);
                IngestionTelemetry.DocumentsFinished(target.IndexName, "failed", failed + ordered.Count);
                LogStepFailed(_logger, e, target.IndexName, "batch", "embedding");
                await FailAllAsync(target, ordered.Select(d => d.Status), FailedSteps.Embedding, $"The embedding model failed: {e.Message}", ct).ConfigureAwait(false);
                return new IngestionBatchReport(0, failed + ordered.Count, 0, parseClock.Elapsed, embedClock.Elapsed, TimeSpan.Zero, total.Elapsed);
            }
        }

        var (secondEmbedded, secondTime) = await EmbedWithSecondModelAsync(target, ordered.Select(d => d.Status).ToList(), texts, ct).ConfigureAwait(false);
        embedClock.Stop();

        var writeClock = Stopwatch.StartNew();
        var prepared = new List<PreparedDocument>(ordered.Count);
        var offset = 0;
        for (var i = 0; i < ordered.Count; i++)
        {
            var status = ordered[i].Status;
            var indexed = marked[i].Chunks.Count(c => c.HasOwnVector);
            prepared.Add(new PreparedDocument(status.DocumentId, status.Version, marked[i].Chunks, vectors[offset..(offset + indexed)]) { Signatures = marked[i].Signatures });
            offset += indexed;
            await target.Jobs.UpdateProgressAsync(status.DocumentId, status.Version, new JobProgress(DocumentState.Indexing, 0.9), ct).ConfigureAwait(false);
        }

        using (var writeStep = IngestionTelemetry.Step("write", target.IndexName))
        {
            try
            {
                await target.Writer.WriteAsync(prepared, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                writeStep.Fail(e.Message);
                IngestionTelemetry.DocumentsFinished(target.IndexName, "failed", failed + prepared.Count);
                LogStepFailed(_logger, e, target.IndexName, "batch", "indexing");
                await FailAllAsync(target, ordered.Select(d => d.Status), FailedSteps.Indexing, $"Writing the indexes failed: {e.Message}", ct).ConfigureAwait(false);
                return new IngestionBatchReport(0, failed + prepared.Count, 0, parseClock.Elapsed, embedClock.Elapsed, writeClock.Elapsed, total.Elapsed);
            }
        }

        writeClock.Stop();
        IngestionTelemetry.DocumentsFinished(target.IndexName, "ready", prepared.Count);
        IngestionTelemetry.DocumentsFinished(target.IndexName, "failed", failed);
        LogBatch(_logger, target.IndexName, prepared.Count, failed, texts.Count, parseClock.ElapsedMilliseconds, embedClock.ElapsedMilliseconds, writeClock.ElapsedMilliseconds);
        return new IngestionBatchReport(prepared.Count, failed, texts.Count, parseClock.Elapsed, embedClock.Elapsed, writeClock.Elapsed, total.Elapsed)
        {
            Chunking = TimeSpan.FromTicks(chunkTicks),
            Dedup = dedupClock.Elapsed,
            Duplicates = duplicates,
            SecondEmbed = secondTime,
            SecondEmbedded = secondEmbedded,
            Retrying = retrying,
        };
    }

    /// <summary>
    /// Parses and chunks one document within <see cref="IngestionLimits.ParseTimeout"/>: the parser's token is
    /// cancelled then, and the wait ends then even for a parser that never looks at its token (its thread is
    /// abandoned, the queue moves on).
    /// </summary>
    /// <exception cref="TimeoutException">No result within the limit.</exception>
    private async Task<ChunkedDocument> ChunkWithinLimitAsync(IngestionTarget target, DocumentStatus doc, IEmbeddingModel model, CancellationToken ct)
    {
        var limit = target.Limits.ParseTimeout;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(limit);
        try
        {
            return await Task.Run(() => _chunking.ChunkAsync(target, doc, model, timeout.Token), CancellationToken.None).WaitAsync(limit, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"Parsing and chunking took longer than the limit of {limit} (setting Rag:ParseTimeout).");
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Parsing and chunking took longer than the limit of {limit} (setting Rag:ParseTimeout).");
        }
    }

    /// <summary>Ingests batches until the index has no unfinished document, reporting the totals after every batch.</summary>
    public async Task<IngestionBatchReport> DrainAsync(IngestionTarget target, int batchSize, int parallelism, IProgress<IngestionBatchReport>? progress, CancellationToken ct)
    {
        var sum = IngestionBatchReport.Empty;
        while (true)
        {
            var report = await IngestPendingAsync(target, batchSize, parallelism, ct).ConfigureAwait(false);
            if (report.Ready + report.Failed + report.Retrying == 0)
            {
                return sum;
            }

            sum = sum.Plus(report);
            progress?.Report(sum);
        }
    }

    /// <summary>
    /// Fills the second stage's cache; a failure here costs only speed (the second stage embeds on first
    /// sight instead), so it is logged and the documents go on.
    /// </summary>
    private async Task<(int Embedded, TimeSpan Elapsed)> EmbedWithSecondModelAsync(
        IngestionTarget target, IReadOnlyList<DocumentStatus> documents, IReadOnlyList<string> texts, CancellationToken ct)
    {
        if (texts.Count == 0 || target.ResolveSecondStageModel() is not { } second)
        {
            return (0, TimeSpan.Zero);
        }

        // The second stage rescoring runs only for queries its model covers: texts it does not cover are not worth its time.
        var covered = texts.Where(t => !LanguageCoverageRule.Decide(second.Name, second.Languages, LanguageDetector.Detect(t)).Skipped).ToList();
        if (covered.Count == 0)
        {
            return (0, TimeSpan.Zero);
        }

        var clock = Stopwatch.StartNew();
        try
        {
            return (await _secondStage.EmbedAsync(target, second, documents, covered, ct).ConfigureAwait(false), clock.Elapsed);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogSecondEmbedFailed(_logger, e, target.IndexName, second.Name);
            return (0, clock.Elapsed);
        }
    }

    private static async Task FailAllAsync(IngestionTarget target, IEnumerable<DocumentStatus> documents, string step, string error, CancellationToken ct)
    {
        foreach (var doc in documents)
        {
            await target.Jobs.MarkFailedAsync(doc.DocumentId, doc.Version, step, error, ct).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Indexed {Ready} documents into {Index} ({Failed} failed, {Chunks} chunks; parse {ParseMs} ms, embed {EmbedMs} ms, write {WriteMs} ms)")]
    private static partial void LogBatch(ILogger logger, string index, int ready, int failed, int chunks, long parseMs, long embedMs, long writeMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Embedding chunks of {Index} with the second-stage model {Model} failed; the second stage will embed them at query time")]
    private static partial void LogSecondEmbedFailed(ILogger logger, Exception exception, string index, string model);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Document {DocumentId} of {Index} rejected while {Step}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string index, string documentId, string step, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Document {DocumentId} of {Index} timed out on attempt {Attempt} (limit {Limit})")]
    private static partial void LogTimedOut(ILogger logger, string index, string documentId, int attempt, TimeSpan limit);

    [LoggerMessage(Level = LogLevel.Error, Message = "Document {DocumentId} of {Index} crashed or timed out {Attempts} times; failed")]
    private static partial void LogGivenUp(ILogger logger, string index, string documentId, int attempts);

    [LoggerMessage(Level = LogLevel.Error, Message = "Document {DocumentId} of {Index} failed while {Step}")]
    private static partial void LogStepFailed(ILogger logger, Exception exception, string index, string documentId, string step);
}
