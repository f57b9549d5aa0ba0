using RagService.Core.Chunks;
using RagService.Core.Indexes;
using RagService.Core.Jobs;

namespace RagService.Indexing;

/// <summary>A document version ready to be written: its chunks and one vector per chunk.</summary>
public sealed record PreparedDocument(string DocumentId, int Version, IReadOnlyList<Chunk> Chunks, IReadOnlyList<float[]> Vectors);

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

            foreach (var doc in documents)
            {
                if (doc.Chunks.Count != doc.Vectors.Count)
                {
                    throw new ArgumentException($"Document {doc.DocumentId}: {doc.Chunks.Count} chunks but {doc.Vectors.Count} vectors.");
                }

                var newIds = doc.Chunks.Select(c => c.Id).ToList();
                var stale = Catalog.ChunkIdsOf(doc.DocumentId).Except(newIds, StringComparer.Ordinal).ToList();
                Catalog.RecordPendingChunks(doc.DocumentId, doc.Version, newIds);
                Lexical.ReplaceDocument(doc.DocumentId, doc.Version, doc.Chunks);
                if (stale.Count > 0)
                {
                    Vectors.Remove(stale);
                }

                Vectors.Upsert(newIds, doc.Vectors);
            }

            Lexical.Commit();
            Vectors.Commit();
            foreach (var doc in documents)
            {
                Catalog.CommitVersion(doc.DocumentId, doc.Version, doc.Chunks);
            }
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

            // Indexes first: if we die here the catalog still lists the document and a retried delete finishes the job.
            Lexical.DeleteDocument(documentId);
            Vectors.Remove(ids);
            Lexical.Commit();
            Vectors.Commit();
            Catalog.Delete(documentId);
            return true;
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
