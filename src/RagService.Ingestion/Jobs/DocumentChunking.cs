using System.Diagnostics;
using RagService.Core.Chunks;
using RagService.Core.Documents;
using RagService.Core.Indexes;
using RagService.Core.Jobs;
using RagService.Core.Models;
using RagService.Core.Text;
using RagService.Ingestion.Chunking;

namespace RagService.Ingestion.Jobs;

/// <summary>A step of a job failed: the step's name goes into the document's status with the reason.</summary>
public sealed class IngestionStepException(string step, string reason, bool rejected, Exception? inner = null) : Exception(reason, inner)
{
    public string Step { get; } = step;

    /// <summary>True when the document itself is at fault (unparseable, empty); false for an unexpected error.</summary>
    public bool Rejected { get; } = rejected;
}

/// <summary>One document's chunks and the time its chunker took.</summary>
public sealed record ChunkedDocument(DocumentStatus Status, IReadOnlyList<Chunk> Chunks, TimeSpan ChunkTime);

/// <summary>Turns one queued document's stored bytes into its chunks: parse (with layout), then chunk.</summary>
public interface IDocumentChunking
{
    /// <exception cref="IngestionStepException">The document failed in a step; nothing was written.</exception>
    Task<ChunkedDocument> ChunkAsync(IngestionTarget target, DocumentStatus document, IEmbeddingModel model, CancellationToken ct);
}

/// <summary>
/// Parses and chunks with the <see cref="IngestionPipeline"/>, giving every chunk its deterministic id,
/// neighbours, contextual header and document date, and moving the job's progress as it goes.
/// </summary>
public sealed class DocumentChunking(IngestionPipeline pipeline) : IDocumentChunking
{
    public async Task<ChunkedDocument> ChunkAsync(IngestionTarget target, DocumentStatus document, IEmbeddingModel model, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(document);
        var chunkClock = new Stopwatch();
        var step = FailedSteps.Parsing;
        try
        {
            var upload = await target.Jobs.GetUploadAsync(document.DocumentId, ct).ConfigureAwait(false)
                ?? throw new DocumentRejectedException("The document was deleted.");
            if (string.IsNullOrEmpty(upload.BlobPath) || !File.Exists(upload.BlobPath))
            {
                throw new DocumentRejectedException("The uploaded file is missing from the blob store.");
            }

            await target.Jobs.UpdateProgressAsync(document.DocumentId, document.Version, new JobProgress(DocumentState.Parsing, 0.1), ct).ConfigureAwait(false);
            var tree = await pipeline.ParseAsync(new DocumentSource(upload.BlobPath, upload.FileName, upload.Format), ct).ConfigureAwait(false);

            if (tree.PageCount > target.Limits.MaxPages)
            {
                throw new DocumentRejectedException($"The document has {tree.PageCount} pages; the limit is {target.Limits.MaxPages} (setting Rag:MaxPagesPerDocument).");
            }

            step = FailedSteps.Chunking;
            var title = string.IsNullOrWhiteSpace(tree.Title) ? Path.GetFileNameWithoutExtension(upload.FileName) : tree.Title;
            await target.Jobs.UpdateProgressAsync(document.DocumentId, document.Version,
                new JobProgress(DocumentState.Chunking, 0.3) { Title = title, PageCount = tree.PageCount }, ct).ConfigureAwait(false);
            var options = target.Chunking;
            chunkClock.Start();
            var drafts = await pipeline.ChunkAsync(tree with { Title = title }, options, model, ct).ConfigureAwait(false);
            chunkClock.Stop();
            if (drafts.Count == 0)
            {
                throw new DocumentRejectedException("The document has no text to index.");
            }

            var ids = drafts.Select((_, i) => ChunkIdentity.Create(target.IndexName, document.DocumentId, document.Version, i)).ToArray();
            var chunks = drafts.Select((d, i) => WithLanguage(new Chunk
            {
                Id = ids[i],
                DocumentId = document.DocumentId,
                DocumentVersion = document.Version,
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
                Acl = upload.Acl,
                SectionLevels = d.SectionLevels,
                Boxes = d.Boxes,
                PreviousChunkId = i > 0 ? ids[i - 1] : null,
                NextChunkId = i + 1 < ids.Length ? ids[i + 1] : null,
                ParentSectionId = d.SectionId,
                DocumentDate = SearchFilter.DocumentDateOf(upload.Tags, document.CreatedAt),
                Flags = InstructionRules.Flags(d.Text),
            }, model)).ToList();
            return new ChunkedDocument(document, chunks, chunkClock.Elapsed);
        }
        catch (DocumentRejectedException e)
        {
            throw new IngestionStepException(step, e.Message, rejected: true, e);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new IngestionStepException(step, $"Unexpected error while {step}: {e.GetType().Name}: {e.Message}", rejected: false, e);
        }
    }

    /// <summary>
    /// The chunk's detected language, and whether the index's model covers it: a chunk it does not cover
    /// (<see cref="LanguageCoverageRule"/>) is indexed lexically only, and its embedding is never computed.
    /// </summary>
    internal static Chunk WithLanguage(Chunk chunk, IEmbeddingModel model)
    {
        var language = LanguageDetector.Detect(chunk.IndexText);
        return chunk with
        {
            Language = language.Code,
            LexicalOnly = LanguageCoverageRule.Decide(model.Name, model.Languages, language).Skipped,
        };
    }
}
