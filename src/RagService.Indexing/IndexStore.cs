using RagService.Core.Chunks;
using RagService.Core.Indexes;
using RagService.Core.Jobs;

namespace RagService.Indexing;

/// <summary>
/// A document version ready to be written: its chunks and one vector per indexed chunk. Duplicates
/// (<see cref="Chunk.DuplicateOf"/> set) are stored in the catalog only, so <see cref="Vectors"/> holds
/// either one vector per chunk or one per non-duplicate chunk, in order.
/// </summary>
public sealed record PreparedDocument(string DocumentId, int Version, IReadOnlyList<Chunk> Chunks, IReadOnlyList<float[]> Vectors)
{
    /// <summary>MinHash signatures of the chunks, kept by the catalog for near-duplicate lookups.</summary>
    public IReadOnlyList<ChunkSignature> Signatures { get; init; } = [];

    /// <summary>The chunks written to BM25 and vectors, each with its vector.</summary>
    public (IReadOnlyList<Chunk> Chunks, IReadOnlyList<float[]> Vectors) Indexed()
    {
        if (Chunks.Count != Vectors.Count && Chunks.Count(c => c.DuplicateOf is null) != Vectors.Count)
        {
            throw new ArgumentException($"Document {DocumentId}: {Chunks.Count} chunks but {Vectors.Count} vectors.");
        }

        if (Chunks.Count == Vectors.Count)
        {
            var kept = Enumerable.Range(0, Chunks.Count).Where(i => Chunks[i].DuplicateOf is null).ToList();
            return (kept.Select(i => Chunks[i]).ToList(), kept.Select(i => Vectors[i]).ToList());
        }

        return (Chunks.Where(c => c.DuplicateOf is null).ToList(), Vectors);
    }
}

/// <summary>
/// One RagService index on disk: its BM25 index, vector index and document catalog. Writes go
/// through here so that both search sides commit before the catalog makes a version live
/// ("one id, one truth"): a crash between the steps leaves the job unfinished, and the resumed
/// job rewrites the same deterministic chunk ids.
/// </summary>
public sealed class IndexStore : IDisposable
{
    private readonly Lock _writeLock = new();

    public IndexStore(string name, string folder, IndexSettings settings, IDocumentCatalog catalog, ILexicalIndex lexical, IVectorIndex vectors)
    {
        Name = name;
        Folder = folder;
        Settings = settings;
        Catalog = catalog;
        Lexical = lexical;
        Vectors = vectors;
    }

    public string Name { get; }

    public string Folder { get; }

    public IndexSettings Settings { get; }

    public IDocumentCatalog Catalog { get; }

    public ILexicalIndex Lexical { get; }

    public IVectorIndex Vectors { get; }

    /// <summary>
    /// Writes several documents to both indexes with one commit each side (group commit), then marks
    /// each version live and ready. Old versions' entries are removed in the same commits.
    /// </summary>
    public void Write(IReadOnlyList<PreparedDocument> documents)
    {
        if (documents.Count == 0)
        {
            return;
        }

        lock (_writeLock)
        {
            // A document deleted or re-uploaded while it was being prepared is stale: writing it would
            // resurrect deleted chunks or overwrite a newer version.
            documents = documents.Where(d => Catalog.Get(d.DocumentId)?.Version == d.Version).ToList();
            if (documents.Count == 0)
            {
                return;
            }

            var indexed = documents.Select(d => d.Indexed()).ToList();
            for (var d = 0; d < documents.Count; d++)
            {
                var doc = documents[d];
                var (chunks, vectors) = indexed[d];
                var newIds = chunks.Select(c => c.Id).ToList();
                var stale = Catalog.ChunkIdsOf(doc.DocumentId).Except(newIds, StringComparer.Ordinal).ToList();
                Catalog.RecordPendingChunks(doc.DocumentId, doc.Version, newIds);
                Lexical.ReplaceDocument(doc.DocumentId, doc.Version, chunks);
                if (stale.Count > 0)
                {
                    Vectors.Remove(stale);
                }

                Vectors.Upsert(newIds, vectors);
            }

            Lexical.Commit();
            Vectors.Commit();
            foreach (var doc in documents)
            {
                Catalog.CommitVersion(doc.DocumentId, doc.Version, doc.Chunks, doc.Signatures);
            }

            // A replaced version may have been the original of duplicates elsewhere: re-ingest their holders.
            Catalog.RequeueOrphanedDuplicates();
        }
    }

    /// <summary>Removes a document from the catalog and both indexes. False when it did not exist.</summary>
    public bool Delete(string documentId)
    {
        lock (_writeLock)
        {
            var ids = Catalog.ChunkIdsOf(documentId);
            if (Catalog.Get(documentId) is null)
            {
                return false;
            }

            var blob = Catalog.GetUpload(documentId)?.BlobPath;

            // Indexes first: if we die here the catalog still lists the document and a retried delete finishes the job.
            Lexical.DeleteDocument(documentId);
            Vectors.Remove(ids);
            Lexical.Commit();
            Vectors.Commit();
            Catalog.Delete(documentId);

            // Duplicates of the deleted chunks must not be orphaned: their documents are re-ingested
            // (embeddings come from the cache), which promotes the first of them to original and links
            // the rest to it.
            Catalog.RequeueOrphanedDuplicates();
            RemoveBlobIfUnreferenced(blob);
            return true;
        }
    }

    /// <summary>
    /// Deletes a stored upload once no document's newest version needs it (uploads are content-addressed,
    /// so two documents with identical bytes share one blob).
    /// </summary>
    public void RemoveBlobIfUnreferenced(string? blobPath)
    {
        if (string.IsNullOrEmpty(blobPath) || Catalog.IsBlobReferenced(blobPath))
        {
            return;
        }

        try
        {
            File.Delete(blobPath);
        }
        catch (IOException)
        {
            // Left for a later delete to retry; a stray blob wastes disk but loses nothing.
        }
    }

    public long SizeOnDiskBytes()
    {
        var catalogBytes = Directory.EnumerateFiles(Folder, "catalog.db*").Sum(f => new FileInfo(f).Length);
        return Lexical.SizeOnDiskBytes + Vectors.SizeOnDiskBytes + catalogBytes;
    }

    public void Dispose()
    {
        Lexical.Dispose();
        Vectors.Dispose();
        Catalog.Dispose();
    }
}
