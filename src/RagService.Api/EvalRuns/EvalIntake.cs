using RagService.Api.Ingestion;
using RagService.Indexing;

namespace RagService.Api.EvalRuns;

/// <summary>Admits an evaluation document into an index the way an upload is admitted: blob stored, job queued, no tags.</summary>
public static class EvalIntake
{
    /// <summary>True when the document was queued (false when the same content is already there).</summary>
    public static async Task<bool> AdmitAsync(
        IndexRegistry registry, IndexStore store, Stream content, string fileName, string documentId, long maxUploadBytes, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(store);
        var received = await BlobStore.StoreAsync(content, fileName, registry.BlobFolder(store.Name), maxUploadBytes, ct);
        return (await DocumentIntake.AdmitAsync(store, received, documentId, new Dictionary<string, string>(), maxUploadBytes, ct)).Enqueued;
    }
}
