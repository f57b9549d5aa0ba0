using RagService.Core.Documents;
using RagService.Core.Jobs;
using RagService.Core.Security;
using RagService.Indexing;

namespace RagService.Api.Ingestion;

/// <summary>
/// Turns a stored file into a queued document (or a failed one, for a file over the size limit).
/// The one path by which the API and the CLI admit documents.
/// </summary>
public static class DocumentIntake
{
    public static async Task<EnqueueResult> AdmitAsync(
        IndexStore store, ReceivedFile file, string? documentId, IReadOnlyDictionary<string, string> tags, long maxFileBytes, CancellationToken ct,
        IReadOnlyList<string>? acl = null)
    {
        acl ??= AclPrincipals.Default;
        documentId = string.IsNullOrEmpty(documentId)
            ? DocumentIds.FromContent(file.TooLarge ? Guid.NewGuid().ToString("N") : file.ContentHash)
            : documentId;
        if (file.TooLarge)
        {
            var refused = await store.Jobs.EnqueueAsync(
                new DocumentUpload(documentId, file.FileName, string.Empty, "oversized:" + Guid.NewGuid().ToString("N"), file.SizeBytes, DocumentFormat.Unknown, tags) { Acl = acl }, ct);
            await store.Jobs.MarkFailedAsync(documentId, refused.Status.Version, FailedSteps.Upload,
                $"The file is {file.SizeBytes} bytes; the limit per file is {maxFileBytes} bytes.", ct);
            return new EnqueueResult((await store.Jobs.GetAsync(documentId, ct))!, Enqueued: false);
        }

        var format = FormatDetection.Sniff(file.BlobPath!, file.FileName);
        var previousBlob = (await store.Jobs.GetUploadAsync(documentId, ct))?.BlobPath;
        var result = await store.Jobs.EnqueueAsync(new DocumentUpload(documentId, file.FileName, file.BlobPath!, file.ContentHash, file.SizeBytes, format, tags) { Acl = acl }, ct);
        if (result.Enqueued && previousBlob != file.BlobPath)
        {
            // The replaced version's bytes are no longer needed by anyone (its chunks are already indexed).
            await store.RemoveBlobIfUnreferencedAsync(previousBlob, ct);
        }

        return result;
    }
}
