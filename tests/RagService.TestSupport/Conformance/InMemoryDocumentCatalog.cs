using RagService.Core.Chunks;
using RagService.Core.Indexes;
using RagService.Core.Jobs;

namespace RagService.TestSupport.Conformance;

/// <summary>
/// A catalog held in memory: job store, chunk store and duplicate index over one state guarded by one lock,
/// so a version commit is atomic as the contract demands. A second backend for the catalog suites, and a
/// fake for tests of code that only needs the Core contracts.
/// </summary>
public sealed class InMemoryDocumentCatalog : IDocumentCatalog, IJobStore, IChunkStore, IDuplicateIndex
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (DocumentStatus Status, DocumentUpload Upload, long Sequence)> _documents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Chunk>> _chunks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _pending = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<ChunkSignature>> _signatures = new(StringComparer.Ordinal);
    private long _sequence;

    public IJobStore Jobs => this;

    public IChunkStore Chunks => this;

    public IDuplicateIndex Duplicates => this;

    public Task<EnqueueResult> EnqueueAsync(DocumentUpload upload, CancellationToken ct) => Run(() =>
    {
        ArgumentNullException.ThrowIfNull(upload);
        var existing = _documents.TryGetValue(upload.DocumentId, out var row) ? row.Status : null;
        if (existing is not null && existing.ContentHash == upload.ContentHash && existing.State != DocumentState.Failed
            && existing.Tags.Count == upload.Tags.Count && existing.Tags.All(t => upload.Tags.TryGetValue(t.Key, out var v) && v == t.Value)
            && existing.Acl.SequenceEqual(upload.Acl, StringComparer.Ordinal))
        {
            return new EnqueueResult(existing, Enqueued: false);
        }

        var now = DateTimeOffset.UtcNow;
        var status = new DocumentStatus
        {
            DocumentId = upload.DocumentId,
            Version = (existing?.Version ?? 0) + 1,
            LiveVersion = existing?.LiveVersion ?? 0,
            FileName = upload.FileName,
            ContentHash = upload.ContentHash,
            SizeBytes = upload.SizeBytes,
            Format = upload.Format,
            Tags = new Dictionary<string, string>(upload.Tags),
            Acl = upload.Acl,
            State = DocumentState.Queued,
            Title = existing?.Title,
            PageCount = existing?.PageCount ?? 0,
            ChunkCount = existing?.ChunkCount ?? 0,
            CreatedAt = existing?.CreatedAt ?? now,
            UpdatedAt = now,
        };
        _documents[upload.DocumentId] = (status, upload, ++_sequence);
        return new EnqueueResult(status, Enqueued: true);
    }, ct);

    public Task<DocumentStatus?> GetAsync(string documentId, CancellationToken ct) =>
        Run<DocumentStatus?>(() => _documents.TryGetValue(documentId, out var row) ? row.Status : null, ct);

    public Task<IReadOnlyList<DocumentStatus>> ListAsync(int offset, int limit, CancellationToken ct, IReadOnlySet<string>? principals = null,
        DocumentListing? listing = null) =>
        Run<IReadOnlyList<DocumentStatus>>(() =>
        {
            listing ??= DocumentListing.All;
            var listed = InOrder().Where(s => Visible(s, principals) && listing.Matches(s)).ToList();
            Func<DocumentStatus, IComparable?>? key = listing.Sort switch
            {
                DocumentSortKey.Name => s => s.FileName.ToUpperInvariant() + "\0" + s.DocumentId,
                DocumentSortKey.State => s => s.State,
                DocumentSortKey.Updated => s => s.UpdatedAt,
                DocumentSortKey.Chunks => s => s.ChunkCount,
                _ => null,
            };
            IEnumerable<DocumentStatus> ordered = listed;
            if (listing.Descending)
            {
                ordered = Enumerable.Reverse(listed);
            }

            if (key is not null)
            {
                // A stable sort on top of the enqueue order (reversed when descending), as the SQL store's ties.
                ordered = listing.Descending ? ordered.OrderByDescending(key) : ordered.OrderBy(key);
            }

            return ordered.Skip(offset).Take(limit).ToList();
        }, ct);

    public Task<int> CountAsync(CancellationToken ct, IReadOnlySet<string>? principals = null, DocumentListing? listing = null) =>
        Run(() => InOrder().Count(s => Visible(s, principals) && (listing ?? DocumentListing.All).Matches(s)), ct);

    public Task<bool> UpdateAccessAsync(string documentId, IReadOnlyList<string>? acl, IReadOnlyDictionary<string, string>? tags, CancellationToken ct) => Run(() =>
    {
        if (!_documents.TryGetValue(documentId, out var row))
        {
            return false;
        }

        var status = row.Status with { Acl = acl ?? row.Status.Acl, Tags = tags is null ? row.Status.Tags : new Dictionary<string, string>(tags) };
        _documents[documentId] = (status, row.Upload with { Acl = status.Acl, Tags = status.Tags }, row.Sequence);
        return true;
    }, ct);

    private static bool Visible(DocumentStatus status, IReadOnlySet<string>? principals) => principals is null || status.Acl.Any(principals.Contains);

    public Task<DocumentCounts> CountByStateAsync(CancellationToken ct, IReadOnlySet<string>? principals = null) =>
        Run(() =>
        {
            var visible = _documents.Values.Where(d => Visible(d.Status, principals)).ToList();
            return new DocumentCounts(
                visible.GroupBy(d => d.Status.State).ToDictionary(g => g.Key, g => g.Count()),
                visible.Where(d => d.Status.LiveVersion > 0).Sum(d => (long)d.Status.ChunkCount),
                visible.Sum(d => d.Status.SizeBytes));
        }, ct);

    public Task<IReadOnlyList<DocumentStatus>> FindByContentHashAsync(IReadOnlyCollection<string> contentHashes, CancellationToken ct) =>
        Run<IReadOnlyList<DocumentStatus>>(() => InOrder().Where(s => contentHashes.Contains(s.ContentHash)).ToList(), ct);

    public Task<IReadOnlyList<DocumentStatus>> UnfinishedAsync(CancellationToken ct) =>
        Run<IReadOnlyList<DocumentStatus>>(() => InOrder().Where(s => s.State is not (DocumentState.Ready or DocumentState.Failed)).ToList(), ct);

    public Task<DocumentUpload?> GetUploadAsync(string documentId, CancellationToken ct) =>
        Run<DocumentUpload?>(() => _documents.TryGetValue(documentId, out var row) ? row.Upload : null, ct);

    public Task UpdateProgressAsync(string documentId, int version, JobProgress progress, CancellationToken ct) => Run(() =>
    {
        ArgumentNullException.ThrowIfNull(progress);
        return Update(documentId, version, s => s with
        {
            State = progress.State,
            Progress = Math.Clamp(progress.Progress, 0, 1),
            Title = progress.Title ?? s.Title,
            PageCount = progress.PageCount ?? s.PageCount,
            StartedAt = s.StartedAt ?? DateTimeOffset.UtcNow,
            UpdatedAt = DateTimeOffset.UtcNow,
        });
    }, ct);

    public Task MarkFailedAsync(string documentId, int version, string failedStep, string error, CancellationToken ct) => Run(() =>
        Update(documentId, version, s => s with
        {
            State = DocumentState.Failed, FailedStep = failedStep, Error = error, CompletedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
        }), ct);

    public Task CommitVersionAsync(VersionCommit commit, CancellationToken ct) => Run(() =>
    {
        ArgumentNullException.ThrowIfNull(commit);

        // Validate everything before changing anything: the commit is all or nothing.
        if (commit.Chunks.Select(c => c.Id).Distinct(StringComparer.Ordinal).Count() != commit.Chunks.Count)
        {
            throw new ArgumentException($"Document {commit.DocumentId}: two chunks share an id.", nameof(commit));
        }

        var date = _documents.TryGetValue(commit.DocumentId, out var row) ? SearchFilter.DocumentDateOf(row.Status.Tags, row.Status.CreatedAt) : (DateTimeOffset?)null;
        _chunks[commit.DocumentId] = commit.Chunks.Select(c => c with { DocumentDate = c.DocumentDate ?? date ?? SearchFilter.DateTag(c.Tags) }).ToList();
        _pending.Remove(commit.DocumentId);
        _signatures[commit.DocumentId] = commit.Signatures.ToList();
        return Update(commit.DocumentId, commit.Version, s => s with
        {
            LiveVersion = commit.Version, State = DocumentState.Ready, Progress = 1, ChunkCount = commit.Chunks.Count,
            FailedStep = null, Error = null, CompletedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
        });
    }, ct);

    public Task<IReadOnlyList<string>?> DeleteAsync(string documentId, CancellationToken ct) => Run(() =>
    {
        if (!_documents.Remove(documentId))
        {
            return null;
        }

        IReadOnlyList<string> ids = IdsOf(documentId);
        _chunks.Remove(documentId);
        _pending.Remove(documentId);
        _signatures.Remove(documentId);
        return ids;
    }, ct);

    public Task<bool> IsBlobReferencedAsync(string blobPath, CancellationToken ct) =>
        Run(() => _documents.Values.Any(d => d.Upload.BlobPath == blobPath), ct);

    public Task<IReadOnlyList<Chunk>> GetChunksAsync(string documentId, CancellationToken ct) =>
        Run<IReadOnlyList<Chunk>>(() => LiveOf(documentId).OrderBy(c => c.Ordinal).ToList(), ct);

    public Task<IReadOnlyList<Chunk>> GetChunksByIdsAsync(IReadOnlyCollection<string> chunkIds, CancellationToken ct) =>
        Run<IReadOnlyList<Chunk>>(() => Live().Where(c => chunkIds.Contains(c.Id)).ToList(), ct);

    public Task<IReadOnlyList<Chunk>> GetDuplicatesOfAsync(IReadOnlyCollection<string> chunkIds, CancellationToken ct) =>
        Run<IReadOnlyList<Chunk>>(() => Live().Where(c => c.DuplicateOf is { } original && chunkIds.Contains(original)).ToList(), ct);

    public Task<IReadOnlyList<Chunk>> GetSectionChunksAsync(string documentId, string? parentSectionId, CancellationToken ct) =>
        Run<IReadOnlyList<Chunk>>(() => LiveOf(documentId).Where(c => c.ParentSectionId == parentSectionId).OrderBy(c => c.Ordinal).ToList(), ct);

    public Task RecordPendingChunksAsync(string documentId, int version, IReadOnlyList<string> chunkIds, CancellationToken ct) => Run(() =>
    {
        if (!_pending.TryGetValue(documentId, out var ids))
        {
            _pending[documentId] = ids = new HashSet<string>(StringComparer.Ordinal);
        }

        ids.UnionWith(chunkIds);
        return true;
    }, ct);

    public Task<IReadOnlyList<string>> ChunkIdsOfAsync(string documentId, CancellationToken ct) =>
        Run<IReadOnlyList<string>>(() => IdsOf(documentId), ct);

    public Task<IReadOnlySet<string>?> ChunkIdsMatchingAsync(SearchFilter filter, CancellationToken ct) => Run(() =>
    {
        ArgumentNullException.ThrowIfNull(filter);
        return filter.IsEmpty
            ? null
            : (IReadOnlySet<string>)Live().Where(filter.Matches).Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
    }, ct);

    public Task<IReadOnlyList<DuplicateCandidate>> FindCandidatesAsync(
        string excludeDocumentId, IReadOnlyCollection<string> contentHashes, IReadOnlyCollection<string> bandKeys, CancellationToken ct) => Run<IReadOnlyList<DuplicateCandidate>>(() =>
    {
        var signatures = _signatures.Values.SelectMany(s => s).ToDictionary(s => s.ChunkId, StringComparer.Ordinal);
        return Live()
            .Where(c => c.DocumentId != excludeDocumentId && c.DuplicateOf is null)
            .Where(c => contentHashes.Contains(c.ContentHash)
                || (signatures.TryGetValue(c.Id, out var s) && s.BandKeys.Any(bandKeys.Contains)))
            .Select(c => new DuplicateCandidate(c.Id, c.DocumentId, c.ContentHash, signatures.GetValueOrDefault(c.Id)?.MinHash, c.Text))
            .ToList();
    }, ct);

    public Task<IReadOnlyList<string>> RequeueOrphanedDuplicatesAsync(CancellationToken ct) => Run<IReadOnlyList<string>>(() =>
    {
        var live = Live().Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        var orphaned = Live().Where(c => c.DuplicateOf is { } original && !live.Contains(original)).Select(c => c.DocumentId).Distinct(StringComparer.Ordinal).ToList();
        foreach (var id in orphaned)
        {
            var row = _documents[id];
            if (row.Status.State is DocumentState.Ready or DocumentState.Failed)
            {
                var status = row.Status with
                {
                    Version = row.Status.Version + 1, State = DocumentState.Queued, Progress = 0, FailedStep = null, Error = null,
                    StartedAt = null, CompletedAt = null, UpdatedAt = DateTimeOffset.UtcNow,
                };
                _documents[id] = (status, row.Upload, ++_sequence);
            }
        }

        return orphaned;
    }, ct);

    public Task<IReadOnlyList<ChunkSignature>> SignaturesOfAsync(string documentId, CancellationToken ct) =>
        Run<IReadOnlyList<ChunkSignature>>(() => _signatures.GetValueOrDefault(documentId)?.ToList() ?? [], ct);

    public void Dispose()
    {
    }

    private Task<T> Run<T>(Func<T> work, CancellationToken ct)
    {
        if (ct.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(ct);
        }

        try
        {
            lock (_gate)
            {
                return Task.FromResult(work());
            }
        }
        catch (Exception e)
        {
            return Task.FromException<T>(e);
        }
    }

    private bool Update(string documentId, int version, Func<DocumentStatus, DocumentStatus> change)
    {
        if (!_documents.TryGetValue(documentId, out var row) || row.Status.Version != version)
        {
            return false;
        }

        _documents[documentId] = (change(row.Status), row.Upload, row.Sequence);
        return true;
    }

    private IEnumerable<DocumentStatus> InOrder() => _documents.Values.OrderBy(d => d.Sequence).Select(d => d.Status);

    private IEnumerable<Chunk> Live() => _chunks.Where(p => _documents.ContainsKey(p.Key)).SelectMany(p => LiveOf(p.Key));

    /// <summary>A document's live chunks carry its current tags, as the catalog joins them at read time.</summary>
    private IEnumerable<Chunk> LiveOf(string documentId) =>
        _chunks.TryGetValue(documentId, out var chunks) && _documents.TryGetValue(documentId, out var row)
            ? chunks.Select(c => c with { Tags = row.Status.Tags, Acl = row.Status.Acl })
            : [];

    private List<string> IdsOf(string documentId) =>
        (_chunks.GetValueOrDefault(documentId)?.Select(c => c.Id) ?? []).Union(_pending.GetValueOrDefault(documentId) ?? [], StringComparer.Ordinal).ToList();
}
