using RagService.Core.Documents;
using RagService.Core.Jobs;
using RagService.Indexing;

namespace RagService.Api.Ingestion;

/// <summary>
/// Turns a stored file into a queued document (or a failed one, for a file over the size limit).
/// The one path by which the API and the CLI admit documents.
/// </summary>
public static class DocumentIntake
{
    public static EnqueueResult Admit(IndexStore store, ReceivedFile file, string? documentId, IReadOnlyDictionary<string, string> tags, long maxFileBytes)
    {
        documentId = string.IsNullOrEmpty(documentId)
            ? DocumentIds.FromContent(file.TooLarge ? Guid.NewGuid().ToString("N") : file.ContentHash)
            : documentId;
        if (file.TooLarge)
        {
            var refused = store.Catalog.Enqueue(new DocumentUpload(documentId, file.FileName, string.Empty, "oversized:" + Guid.NewGuid().ToString("N"), file.SizeBytes, DocumentFormat.Unknown, tags));
            store.Catalog.MarkFailed(documentId, refused.Status.Version, "upload",
                $"The file is {file.SizeBytes} bytes; the limit per file is {maxFileBytes} bytes.");
            return new EnqueueResult(store.Catalog.Get(documentId)!, Enqueued: false);
        }

        var format = FormatDetection.Sniff(file.BlobPath!, file.FileName);
        var previousBlob = store.Catalog.GetUpload(documentId)?.BlobPath;
        var result = store.Catalog.Enqueue(new DocumentUpload(documentId, file.FileName, file.BlobPath!, file.ContentHash, file.SizeBytes, format, tags));
        if (result.Enqueued && previousBlob != file.BlobPath)
        {
            // The replaced version's bytes are no longer needed by anyone (its chunks are already indexed).
            store.RemoveBlobIfUnreferenced(previousBlob);
        }

        return result;
    }
}
