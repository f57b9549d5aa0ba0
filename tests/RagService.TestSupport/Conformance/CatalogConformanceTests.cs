using RagService.Core.Chunks;
using RagService.Core.Jobs;
using Xunit;

namespace RagService.TestSupport.Conformance;

/// <summary>
/// What the job store, chunk store and duplicate index suites share: a backend opens its catalog (the three
/// stores on one database), and the cases reach chunks the only way a backend receives them, through a
/// version commit.
/// </summary>
public abstract class CatalogConformanceTests
{
    protected static readonly CancellationToken None = CancellationToken.None;

    /// <summary>A new, empty catalog; the test disposes it.</summary>
    protected abstract IDocumentCatalog Open();

    protected static DocumentUpload Upload(string documentId, string contentHash, string? blob = null, IReadOnlyDictionary<string, string>? tags = null) =>
        new(documentId, documentId + ".md", blob ?? $"/blobs/{contentHash}", contentHash, 100, RagService.Core.Documents.DocumentFormat.Markdown,
            tags ?? new Dictionary<string, string>());

    /// <summary>Enqueues a document and commits the given chunk texts as its live version.</summary>
    protected static async Task<IReadOnlyList<Chunk>> IngestAsync(
        IDocumentCatalog catalog, string documentId, string contentHash, IReadOnlyList<string> texts,
        IReadOnlyDictionary<string, string>? tags = null, IReadOnlyList<ChunkSignature>? signatures = null)
    {
        var status = (await catalog.Jobs.EnqueueAsync(Upload(documentId, contentHash, tags: tags), None)).Status;
        var chunks = texts.Select((t, i) => ConformanceChunks.Make(documentId, status.Version, i, t, tags)).ToList();
        await catalog.Jobs.CommitVersionAsync(new VersionCommit(documentId, status.Version, chunks, signatures ?? []), None);
        return chunks;
    }

    protected static ChunkSignature Signature(Chunk chunk, params string[] bandKeys) =>
        new(chunk.Id, [1, 2, 3, (byte)chunk.Ordinal], bandKeys);

    protected static async Task<CancellationToken> CancelledAsync()
    {
        using var source = new CancellationTokenSource();
        await source.CancelAsync();
        return source.Token;
    }
}
