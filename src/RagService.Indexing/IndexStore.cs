using RagService.Core.Chunks;
using RagService.Core.Indexes;
using RagService.Core.Jobs;

namespace RagService.Indexing;

/// <summary>
/// One RagService index on disk: its BM25 index, vector index and document catalog. Writes go
/// through here so that both search sides commit before the catalog makes a version live
/// ("one id, one truth"): a crash between the steps leaves the job unfinished, and the resumed
/// job rewrites the same deterministic chunk ids.
/// </summary>
public sealed class IndexStore : IIndexWriter, IDisposable
{
    // Never disposed: a writer waiting on it when the store closes must wake up and be told, not hang.
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private volatile bool _closed;
    private volatile IndexSettings _settings;

    public IndexStore(string name, string folder, IndexSettings settings, IDocumentCatalog catalog, ILexicalIndex lexical, IVectorIndex vectors)
    {
        Name = name;
        Folder = folder;
        _settings = settings;
        Catalog = catalog;
        Lexical = lexical;
        Vectors = vectors;
    }

    public string Name { get; }

    /// <summary>The tenant the index belongs to; its name is unique within it.</summary>
    public string Tenant { get; init; } = RagService.Core.Security.AccessScope.DefaultTenant;

    public string Folder { get; }

    /// <summary>The index's settings; only its stage defaults change after creation (<see cref="IndexRegistry.SetStageDefaults"/>).</summary>
    public IndexSettings Settings
    {
        get => _settings;
        internal set => _settings = value;
    }

    public IDocumentCatalog Catalog { get; }

    /// <summary>Document statuses and the job queue.</summary>
    public IJobStore Jobs => Catalog.Jobs;

    /// <summary>The live chunks of every document.</summary>
    public IChunkStore Chunks => Catalog.Chunks;

    /// <summary>Duplicate-detection lookups over the live chunks.</summary>
    public IDuplicateIndex Duplicates => Catalog.Duplicates;

    public ILexicalIndex Lexical { get; }

    public IVectorIndex Vectors { get; }

    /// <summary>
    /// Writes several documents to both indexes with one commit each side (group commit), then marks
    /// each version live and ready. Old versions' entries are removed in the same commits.
    /// </summary>
    public async Task WriteAsync(IReadOnlyList<PreparedDocument> documents, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(documents);
        if (documents.Count == 0)
        {
            return;
        }

        await EnterWriteAsync(ct).ConfigureAwait(false);
        try
        {
            // A document deleted or re-uploaded while it was being prepared is stale: writing it would
            // resurrect deleted chunks or overwrite a newer version.
            var current = new List<PreparedDocument>(documents.Count);
            foreach (var document in documents)
            {
                if ((await Jobs.GetAsync(document.DocumentId, ct).ConfigureAwait(false))?.Version == document.Version)
                {
                    current.Add(document);
                }
            }

            if (current.Count == 0)
            {
                return;
            }

            foreach (var doc in current)
            {
                // Every chunk, duplicates included, goes to BM25 with its own text: a near-duplicate differs by
                // what identifies it (a record number, a name), and only the lexical side can find it by that.
                // Only originals carry a vector: a duplicate's embedding would be its original's, which the
                // dense side already finds, and the hygiene stage collapses the pair at query time.
                var (embedded, vectors) = doc.Indexed();
                var allIds = doc.Chunks.Select(c => c.Id).ToList();
                var stale = (await Chunks.ChunkIdsOfAsync(doc.DocumentId, ct).ConfigureAwait(false)).Except(allIds, StringComparer.Ordinal).ToList();
                await Chunks.RecordPendingChunksAsync(doc.DocumentId, doc.Version, allIds, ct).ConfigureAwait(false);
                await Lexical.ReplaceDocumentAsync(doc.DocumentId, doc.Version, doc.Chunks, ct).ConfigureAwait(false);

                // A chunk that was an original in the old version and is a duplicate (or lexical-only) now keeps no stale vector.
                var unembedded = stale.Concat(doc.Chunks.Where(c => !c.HasOwnVector).Select(c => c.Id)).ToList();
                if (unembedded.Count > 0)
                {
                    await Vectors.RemoveAsync(unembedded, ct).ConfigureAwait(false);
                }

                await Vectors.UpsertAsync(embedded.Select(c => c.Id).ToList(), vectors, ct).ConfigureAwait(false);
            }

            // From here on the writes are published: finishing them matters more than the caller's cancellation,
            // or the indexes would hold versions the catalog never made live.
            await Lexical.CommitAsync(CancellationToken.None).ConfigureAwait(false);
            await Vectors.CommitAsync(CancellationToken.None).ConfigureAwait(false);
            foreach (var doc in current)
            {
                await Jobs.CommitVersionAsync(new VersionCommit(doc.DocumentId, doc.Version, doc.Chunks, doc.Signatures), CancellationToken.None)
                    .ConfigureAwait(false);
            }

            // A replaced version may have been the original of duplicates elsewhere: re-ingest their holders.
            await Duplicates.RequeueOrphanedDuplicatesAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> while no write or delete commits (searches go on): the committed files of both
    /// indexes and the catalog hold still, so a copy taken meanwhile is one consistent state (a snapshot).
    /// </summary>
    public async Task<T> WhileWritesPausedAsync<T>(Func<Task<T>> work, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(work);
        await EnterWriteAsync(ct).ConfigureAwait(false);
        try
        {
            return await work().ConfigureAwait(false);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Removes a document from the catalog and both indexes. False when it did not exist.</summary>
    public async Task<bool> DeleteAsync(string documentId, CancellationToken ct)
    {
        await EnterWriteAsync(ct).ConfigureAwait(false);
        try
        {
            var ids = await Chunks.ChunkIdsOfAsync(documentId, ct).ConfigureAwait(false);
            if (await Jobs.GetUploadAsync(documentId, ct).ConfigureAwait(false) is not { } upload)
            {
                return false;
            }

            // Indexes first: if we die here the catalog still lists the document and a retried delete finishes the job.
            await Lexical.DeleteDocumentAsync(documentId, ct).ConfigureAwait(false);
            await Vectors.RemoveAsync(ids, ct).ConfigureAwait(false);
            await Lexical.CommitAsync(CancellationToken.None).ConfigureAwait(false);
            await Vectors.CommitAsync(CancellationToken.None).ConfigureAwait(false);
            await Jobs.DeleteAsync(documentId, CancellationToken.None).ConfigureAwait(false);

            // Duplicates of the deleted chunks must not be orphaned: their documents are re-ingested
            // (embeddings come from the cache), which promotes the first of them to original and links
            // the rest to it.
            await Duplicates.RequeueOrphanedDuplicatesAsync(CancellationToken.None).ConfigureAwait(false);
            await RemoveBlobIfUnreferencedAsync(upload.BlobPath, CancellationToken.None).ConfigureAwait(false);
            return true;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>
    /// Changes a document's ACL and/or tags without re-parsing or re-embedding: the catalog first (the truth the
    /// vector side's filter and the re-check of every resolved chunk read, so the change holds for the next
    /// search), then the lexical index's entries, rewritten from the stored chunks. False when it does not exist.
    /// </summary>
    public async Task<bool> UpdateAccessAsync(string documentId, IReadOnlyList<string>? acl, IReadOnlyDictionary<string, string>? tags, CancellationToken ct)
    {
        await EnterWriteAsync(ct).ConfigureAwait(false);
        try
        {
            if (!await Jobs.UpdateAccessAsync(documentId, acl, tags, ct).ConfigureAwait(false))
            {
                return false;
            }

            var chunks = await Chunks.GetChunksAsync(documentId, CancellationToken.None).ConfigureAwait(false);
            if (chunks.Count > 0)
            {
                await Lexical.ReplaceDocumentAsync(documentId, chunks[0].DocumentVersion, chunks, CancellationToken.None).ConfigureAwait(false);
                await Lexical.CommitAsync(CancellationToken.None).ConfigureAwait(false);
            }

            return true;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>
    /// Deletes a stored upload once no document's newest version needs it (uploads are content-addressed,
    /// so two documents with identical bytes share one blob).
    /// </summary>
    public async Task RemoveBlobIfUnreferencedAsync(string? blobPath, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(blobPath) || await Jobs.IsBlobReferencedAsync(blobPath, ct).ConfigureAwait(false))
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

    /// <summary>
    /// Closes the store once the write in progress (a batch commit, a delete, a snapshot) has finished, waiting at most
    /// <paramref name="wait"/>: no write starts after this begins, and none is cut off half-way, so nothing writes into
    /// the folder once this returns (the index can be deleted or replaced). Writers that come later fail with
    /// <see cref="ObjectDisposedException"/>.
    /// </summary>
    /// <returns>False when the write in progress did not finish in time (the store is closed regardless).</returns>
    public async Task<bool> CloseAsync(TimeSpan wait)
    {
        _closed = true;
        var entered = await _writeGate.WaitAsync(wait).ConfigureAwait(false);
        try
        {
            Dispose();
        }
        finally
        {
            if (entered)
            {
                _writeGate.Release();
            }
        }

        return entered;
    }

    /// <summary>Takes the write gate; a closed store refuses (the gate is handed on, so every waiter hears it).</summary>
    private async Task EnterWriteAsync(CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        await _writeGate.WaitAsync(ct).ConfigureAwait(false);
        if (_closed)
        {
            _writeGate.Release();
            throw new ObjectDisposedException(nameof(IndexStore), $"Index '{Name}' was closed (deleted, restored or repaired) while this write waited.");
        }
    }

    public long SizeOnDiskBytes()
    {
        var catalogBytes = Directory.EnumerateFiles(Folder, "catalog.db*").Sum(f => new FileInfo(f).Length);
        return Lexical.SizeOnDiskBytes + Vectors.SizeOnDiskBytes + catalogBytes;
    }

    public void Dispose()
    {
        _closed = true;
        Lexical.Dispose();
        Vectors.Dispose();
        Catalog.Dispose();
    }
}
