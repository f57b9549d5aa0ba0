using RagService.Core.Jobs;
using RagService.Core.Models;

namespace RagService.Ingestion.Jobs;

/// <summary>Embeds the indexed chunk texts of a whole batch, so the model always sees full batches.</summary>
public interface IChunkEmbedding
{
    Task<float[][]> EmbedAsync(IEmbeddingModel model, IReadOnlyList<string> texts, CancellationToken ct);
}

/// <summary>One call for the batch: the model batches internally.</summary>
public sealed class BatchedChunkEmbedding : IChunkEmbedding
{
    public async Task<float[][]> EmbedAsync(IEmbeddingModel model, IReadOnlyList<string> texts, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(texts);
        return texts.Count == 0 ? [] : await model.EmbedAsync(texts, EmbeddingPurpose.Document, ct).ConfigureAwait(false);
    }
}

/// <summary>
/// Fills the retrieval second stage's embedding cache with the batch's chunk texts, so its query-time
/// rescoring of a fresh index does no model work.
/// </summary>
public interface ISecondStageEmbedding
{
    /// <summary>Returns how many texts were embedded; the vectors are not kept (the model's cache stores them).</summary>
    Task<int> EmbedAsync(IngestionTarget target, IEmbeddingModel model, IReadOnlyList<DocumentStatus> documents, IReadOnlyList<string> texts, CancellationToken ct);
}

/// <summary>Embeds in slices of <see cref="IngestionTarget.SecondStageSlice"/>, moving the batch's progress between slices.</summary>
public sealed class SlicedSecondStageEmbedding : ISecondStageEmbedding
{
    /// <summary>Progress shown while the second model embeds a batch: it runs from here up to <see cref="ProgressEnd"/>.</summary>
    public const double ProgressStart = 0.6;

    public const double ProgressEnd = 0.85;

    public async Task<int> EmbedAsync(IngestionTarget target, IEmbeddingModel model, IReadOnlyList<DocumentStatus> documents, IReadOnlyList<string> texts, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentNullException.ThrowIfNull(texts);
        var slice = Math.Max(1, target.SecondStageSlice);
        var done = 0;
        for (var start = 0; start < texts.Count; start += slice)
        {
            var part = texts.Skip(start).Take(slice).ToList();
            await model.EmbedAsync(part, EmbeddingPurpose.Document, ct).ConfigureAwait(false);
            done += part.Count;
            var progress = ProgressStart + ((ProgressEnd - ProgressStart) * done / texts.Count);
            foreach (var doc in documents)
            {
                await target.Jobs.UpdateProgressAsync(doc.DocumentId, doc.Version, new JobProgress(DocumentState.Embedding, progress), ct).ConfigureAwait(false);
            }
        }

        return done;
    }
}
