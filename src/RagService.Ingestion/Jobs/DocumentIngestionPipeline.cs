using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RagService.Core.Jobs;
using RagService.Core.Models;
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
    private static readonly ActivitySource Activity = new(IngestionPipeline.ActivitySourceName);

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
        var pending = (await target.Jobs.UnfinishedAsync(ct).ConfigureAwait(false)).Take(maxDocuments).ToList();
        if (pending.Count == 0)
        {
            return IngestionBatchReport.Empty;
        }

        using var activity = Activity.StartActivity("ingest-batch");
        activity?.SetTag("index", target.IndexName);
        activity?.SetTag("documents", pending.Count);
        var model = target.ResolveModel();

        var parseClock = Stopwatch.StartNew();
        var parsed = new ConcurrentBag<ChunkedDocument>();
        var failed = 0;
        long chunkTicks = 0;
        await Parallel.ForEachAsync(
            pending,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = ct },
            async (doc, token) =>
            {
                try
                {
                    var chunked = await _chunking.ChunkAsync(target, doc, model, token).ConfigureAwait(false);
                    Interlocked.Add(ref chunkTicks, chunked.ChunkTime.Ticks);
                    parsed.Add(chunked);
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
        try
        {
            vectors = await _embedding.EmbedAsync(model, texts, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogStepFailed(_logger, e, target.IndexName, "batch", "embedding");
            await FailAllAsync(target, ordered.Select(d => d.Status), "embedding", $"The embedding model failed: {e.Message}", ct).ConfigureAwait(false);
            return new IngestionBatchReport(0, failed + ordered.Count, 0, parseClock.Elapsed, embedClock.Elapsed, TimeSpan.Zero, total.Elapsed);
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

        try
        {
            await target.Writer.WriteAsync(prepared, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogStepFailed(_logger, e, target.IndexName, "batch", "indexing");
            await FailAllAsync(target, ordered.Select(d => d.Status), "indexing", $"Writing the indexes failed: {e.Message}", ct).ConfigureAwait(false);
            return new IngestionBatchReport(0, failed + prepared.Count, 0, parseClock.Elapsed, embedClock.Elapsed, writeClock.Elapsed, total.Elapsed);
        }

        writeClock.Stop();
        LogBatch(_logger, target.IndexName, prepared.Count, failed, texts.Count, parseClock.ElapsedMilliseconds, embedClock.ElapsedMilliseconds, writeClock.ElapsedMilliseconds);
        return new IngestionBatchReport(prepared.Count, failed, texts.Count, parseClock.Elapsed, embedClock.Elapsed, writeClock.Elapsed, total.Elapsed)
        {
            Chunking = TimeSpan.FromTicks(chunkTicks),
            Dedup = dedupClock.Elapsed,
            Duplicates = duplicates,
            SecondEmbed = secondTime,
            SecondEmbedded = secondEmbedded,
        };
    }

    /// <summary>Ingests batches until the index has no unfinished document, reporting the totals after every batch.</summary>
    public async Task<IngestionBatchReport> DrainAsync(IngestionTarget target, int batchSize, int parallelism, IProgress<IngestionBatchReport>? progress, CancellationToken ct)
    {
        var sum = IngestionBatchReport.Empty;
        while (true)
        {
            var report = await IngestPendingAsync(target, batchSize, parallelism, ct).ConfigureAwait(false);
            if (report.Ready + report.Failed == 0)
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

    [LoggerMessage(Level = LogLevel.Error, Message = "Document {DocumentId} of {Index} failed while {Step}")]
    private static partial void LogStepFailed(ILogger logger, Exception exception, string index, string documentId, string step);
}
