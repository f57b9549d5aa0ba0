using System.Collections.Concurrent;
using System.Diagnostics;
using RagService.Api.Hosting;
using RagService.Core.Chunks;
using RagService.Core.Documents;
using RagService.Core.Indexes;
using RagService.Core.Jobs;
using RagService.Core.Models;
using RagService.Indexing;
using RagService.Ingestion;
using RagService.Ingestion.Chunking;
using RagService.Ingestion.Dedup;
using RagService.Retrieval;
using Microsoft.Extensions.Options;

namespace RagService.Api.Ingestion;

/// <summary>Time spent per stage by one ingestion batch, for progress reports and the ingestion benchmark.</summary>
public sealed record IngestionBatchReport(int Ready, int Failed, int Chunks, TimeSpan Parse, TimeSpan Embed, TimeSpan Write, TimeSpan Total)
{
    /// <summary>Time spent chunking (summed over the parallel workers; part of <see cref="Parse"/>'s wall time).</summary>
    public TimeSpan Chunking { get; init; }

    /// <summary>Time spent finding exact and near duplicates.</summary>
    public TimeSpan Dedup { get; init; }

    /// <summary>Chunks linked to an original instead of being indexed.</summary>
    public int Duplicates { get; init; }

    /// <summary>Time spent embedding chunks with the second stage's model (part of <see cref="Embed"/>).</summary>
    public TimeSpan SecondEmbed { get; init; }

    /// <summary>Chunks embedded with the second stage's model (cached, so its query-time rescoring does no model work).</summary>
    public int SecondEmbedded { get; init; }
}

/// <summary>
/// Moves unfinished documents of an index through parse → chunk → embed → write. Parsing runs in
/// parallel per document (bounded); the chunks of the whole batch are embedded together so the model
/// always sees full batches; both indexes are committed once per batch (group commit) and only then
/// are the documents marked ready. A failure fails that one document with its step and reason.
/// When the retrieval second stage has a model (<see cref="RetrievalOptions.SecondStageModel"/>), the
/// chunks are also embedded with it, in bounded slices, into that model's embedding cache: the cache is
/// what the second stage reads at query time, so a fresh index rescores without model work.
/// </summary>
public sealed partial class DocumentIngestor(
    IngestionPipeline pipeline,
    EmbeddingModelProvider models,
    ILogger<DocumentIngestor> logger,
    IOptions<RetrievalOptions>? retrieval = null)
{
    /// <summary>Progress shown while the second model embeds a batch: it runs from here up to <see cref="SecondEmbedProgressEnd"/>.</summary>
    internal const double SecondEmbedProgressStart = 0.6;

    internal const double SecondEmbedProgressEnd = 0.85;

    private static readonly ActivitySource Activity = new("RagService.Ingestion");

    public async Task<IngestionBatchReport> IngestPendingAsync(IndexStore store, int maxDocuments, int parallelism, CancellationToken ct)
    {
        var total = Stopwatch.StartNew();
        var pending = (await store.Jobs.UnfinishedAsync(ct)).Take(maxDocuments).ToList();
        if (pending.Count == 0)
        {
            return new IngestionBatchReport(0, 0, 0, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);
        }

        using var activity = Activity.StartActivity("ingest-batch");
        activity?.SetTag("index", store.Name);
        activity?.SetTag("documents", pending.Count);
        var model = models.Get(store.Settings.EmbeddingModel);
        var parsed = new ConcurrentBag<(DocumentStatus Status, IReadOnlyList<Chunk> Chunks)>();
        var failed = 0;
        long chunkTicks = 0;
        var parseClock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(
            pending,
            new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = ct },
            async (doc, token) =>
            {
                var (chunks, chunkTime) = await ParseAndChunkAsync(store, doc, model, token);
                Interlocked.Add(ref chunkTicks, chunkTime.Ticks);
                if (chunks is null)
                {
                    Interlocked.Increment(ref failed);
                }
                else
                {
                    parsed.Add((doc, chunks));
                }
            });
        parseClock.Stop();

        // Duplicates are found in document order, so the first copy in the batch is the original.
        var dedupClock = Stopwatch.StartNew();
        var deduplicator = new ChunkDeduplicator(store.Settings.Deduplication, store.Duplicates);
        var batch = new List<(DocumentStatus Status, IReadOnlyList<Chunk> Chunks, IReadOnlyList<ChunkSignature> Signatures)>();
        var duplicates = 0;
        foreach (var (doc, chunks) in parsed.OrderBy(p => p.Status.DocumentId, StringComparer.Ordinal))
        {
            var marked = await deduplicator.MarkAsync(doc.DocumentId, chunks, ct);
            duplicates += marked.ExactDuplicates + marked.NearDuplicates;
            batch.Add((doc, marked.Chunks, marked.Signatures));
        }

        dedupClock.Stop();

        var embedClock = Stopwatch.StartNew();
        foreach (var (doc, _, _) in batch)
        {
            await store.Jobs.UpdateProgressAsync(doc.DocumentId, doc.Version, new JobProgress(DocumentState.Embedding, 0.5), ct);
        }

        // A duplicate is not indexed, so it is not embedded either.
        var texts = batch.SelectMany(p => p.Chunks).Where(c => c.DuplicateOf is null).Select(c => c.IndexText).ToList();
        float[][] vectors;
        try
        {
            vectors = texts.Count == 0 ? [] : await model.EmbedAsync(texts, EmbeddingPurpose.Document, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogStepFailed(logger, e, store.Name, "batch", "embedding");
            foreach (var (doc, _, _) in batch)
            {
                await store.Jobs.MarkFailedAsync(doc.DocumentId, doc.Version, "embedding", $"The embedding model failed: {e.Message}", ct);
            }

            return new IngestionBatchReport(0, failed + batch.Count, 0, parseClock.Elapsed, embedClock.Elapsed, TimeSpan.Zero, total.Elapsed);
        }

        var (secondEmbedded, secondClock) = await EmbedWithSecondModelAsync(store, batch.Select(p => p.Status).ToList(), texts, ct);
        embedClock.Stop();

        var writeClock = Stopwatch.StartNew();
        var prepared = new List<PreparedDocument>(batch.Count);
        var offset = 0;
        foreach (var (doc, chunks, signatures) in batch)
        {
            var indexed = chunks.Count(c => c.DuplicateOf is null);
            prepared.Add(new PreparedDocument(doc.DocumentId, doc.Version, chunks, vectors[offset..(offset + indexed)]) { Signatures = signatures });
            offset += indexed;
            await store.Jobs.UpdateProgressAsync(doc.DocumentId, doc.Version, new JobProgress(DocumentState.Indexing, 0.9), ct);
        }

        try
        {
            await store.WriteAsync(prepared, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogStepFailed(logger, e, store.Name, "batch", "indexing");
            foreach (var doc in prepared)
            {
                await store.Jobs.MarkFailedAsync(doc.DocumentId, doc.Version, "indexing", $"Writing the indexes failed: {e.Message}", ct);
            }

            return new IngestionBatchReport(0, failed + prepared.Count, 0, parseClock.Elapsed, embedClock.Elapsed, writeClock.Elapsed, total.Elapsed);
        }

        writeClock.Stop();
        LogBatch(logger, store.Name, prepared.Count, failed, texts.Count, parseClock.ElapsedMilliseconds, embedClock.ElapsedMilliseconds, writeClock.ElapsedMilliseconds);
        return new IngestionBatchReport(prepared.Count, failed, texts.Count, parseClock.Elapsed, embedClock.Elapsed, writeClock.Elapsed, total.Elapsed)
        {
            Chunking = TimeSpan.FromTicks(chunkTicks),
            Dedup = dedupClock.Elapsed,
            Duplicates = duplicates,
            SecondEmbed = secondClock,
            SecondEmbedded = secondEmbedded,
        };
    }

    /// <summary>
    /// Embeds the batch's chunk texts with the second stage's model, <see cref="RetrievalOptions.SecondStageIngestSlice"/>
    /// texts at a time (the vectors are not kept: the model's cache stores them), moving the batch's progress
    /// between slices. A failure here costs only speed (the second stage embeds on first sight instead), so it
    /// is logged and the documents go on.
    /// </summary>
    private async Task<(int Embedded, TimeSpan Elapsed)> EmbedWithSecondModelAsync(IndexStore store, IReadOnlyList<DocumentStatus> documents, IReadOnlyList<string> texts, CancellationToken ct)
    {
        var options = retrieval?.Value;
        if (options is not { SecondStage: true, SecondStageEmbedAtIngestion: true } || texts.Count == 0
            || models.SecondStageModelFor(store.Settings.EmbeddingModel, options) is not { } second)
        {
            return (0, TimeSpan.Zero);
        }

        var clock = Stopwatch.StartNew();
        var slice = Math.Max(1, options.SecondStageIngestSlice);
        var done = 0;
        try
        {
            for (var start = 0; start < texts.Count; start += slice)
            {
                var part = texts.Skip(start).Take(slice).ToList();
                await second.EmbedAsync(part, EmbeddingPurpose.Document, ct);
                done += part.Count;
                var progress = SecondEmbedProgressStart + ((SecondEmbedProgressEnd - SecondEmbedProgressStart) * done / texts.Count);
                foreach (var doc in documents)
                {
                    await store.Jobs.UpdateProgressAsync(doc.DocumentId, doc.Version, new JobProgress(DocumentState.Embedding, progress), ct);
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogSecondEmbedFailed(logger, e, store.Name, second.Name);
        }

        return (done, clock.Elapsed);
    }

    /// <summary>
    /// Ingests batches until the index has no unfinished document (the CLI and eval path; the API's
    /// worker calls <see cref="IngestPendingAsync"/> in its loop instead). Reports after every batch.
    /// </summary>
    public async Task<IngestionBatchReport> DrainAsync(IndexStore store, int batchSize, int parallelism, IProgress<IngestionBatchReport>? progress, CancellationToken ct)
    {
        var sum = new IngestionBatchReport(0, 0, 0, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);
        while (true)
        {
            var report = await IngestPendingAsync(store, batchSize, parallelism, ct);
            if (report.Ready + report.Failed == 0)
            {
                return sum;
            }

            sum = new IngestionBatchReport(
                sum.Ready + report.Ready, sum.Failed + report.Failed, sum.Chunks + report.Chunks,
                sum.Parse + report.Parse, sum.Embed + report.Embed, sum.Write + report.Write, sum.Total + report.Total)
            {
                Chunking = sum.Chunking + report.Chunking,
                Dedup = sum.Dedup + report.Dedup,
                Duplicates = sum.Duplicates + report.Duplicates,
                SecondEmbed = sum.SecondEmbed + report.SecondEmbed,
                SecondEmbedded = sum.SecondEmbedded + report.SecondEmbedded,
            };
            progress?.Report(sum);
        }
    }

    private async Task<(IReadOnlyList<Chunk>? Chunks, TimeSpan ChunkTime)> ParseAndChunkAsync(IndexStore store, DocumentStatus doc, IEmbeddingModel model, CancellationToken ct)
    {
        var chunkClock = new Stopwatch();
        var step = "parsing";
        try
        {
            var upload = await store.Jobs.GetUploadAsync(doc.DocumentId, ct)
                ?? throw new DocumentRejectedException("The document was deleted.");
            if (string.IsNullOrEmpty(upload.BlobPath) || !File.Exists(upload.BlobPath))
            {
                throw new DocumentRejectedException("The uploaded file is missing from the blob store.");
            }

            await store.Jobs.UpdateProgressAsync(doc.DocumentId, doc.Version, new JobProgress(DocumentState.Parsing, 0.1), ct);
            var source = new DocumentSource(upload.BlobPath, upload.FileName, upload.Format);
            var tree = await pipeline.ParseAsync(source, ct);

            step = "chunking";
            var title = string.IsNullOrWhiteSpace(tree.Title) ? Path.GetFileNameWithoutExtension(upload.FileName) : tree.Title;
            await store.Jobs.UpdateProgressAsync(doc.DocumentId, doc.Version, new JobProgress(DocumentState.Chunking, 0.3) { Title = title, PageCount = tree.PageCount }, ct);
            var options = store.Settings.Chunking;
            chunkClock.Start();
            var drafts = pipeline.Chunk(tree with { Title = title }, options, model);
            chunkClock.Stop();
            if (drafts.Count == 0)
            {
                throw new DocumentRejectedException("The document has no text to index.");
            }

            var ids = drafts.Select((_, i) => ChunkIdentity.Create(store.Name, doc.DocumentId, doc.Version, i)).ToArray();
            return (drafts.Select((d, i) => new Chunk
            {
                Id = ids[i],
                DocumentId = doc.DocumentId,
                DocumentVersion = doc.Version,
                Ordinal = i,
                Text = d.Text,
                IndexText = options.ContextualHeader ? ContextualHeader.Compose(title, d.SectionPath, d.Text) : d.Text,
                Title = title,
                FileName = upload.FileName,
                SectionPath = d.SectionPath,
                PageStart = d.PageStart,
                PageEnd = d.PageEnd,
                BlockIds = d.BlockIds,
                TokenCount = d.TokenCount,
                ContentHash = ChunkIdentity.ContentHash(d.Text),
                Tags = upload.Tags,
                SectionLevels = d.SectionLevels,
                Boxes = d.Boxes,
                PreviousChunkId = i > 0 ? ids[i - 1] : null,
                NextChunkId = i + 1 < ids.Length ? ids[i + 1] : null,
                ParentSectionId = d.SectionId,
                DocumentDate = SearchFilter.DocumentDateOf(upload.Tags, doc.CreatedAt),
            }).ToList(), chunkClock.Elapsed);
        }
        catch (DocumentRejectedException e)
        {
            await store.Jobs.MarkFailedAsync(doc.DocumentId, doc.Version, step, e.Message, ct);
            LogRejected(logger, store.Name, doc.DocumentId, step, e.Message);
            return (null, chunkClock.Elapsed);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await store.Jobs.MarkFailedAsync(doc.DocumentId, doc.Version, step, $"Unexpected error while {step}: {e.GetType().Name}: {e.Message}", ct);
            LogStepFailed(logger, e, store.Name, doc.DocumentId, step);
            return (null, chunkClock.Elapsed);
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
