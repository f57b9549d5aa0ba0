using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RagService.Core.Indexes;
using RagService.Core.Options;
using RagService.Core.Security;
using RagService.Indexing.Catalog;
using RagService.Indexing.Maintenance;
using RagService.Indexing.Storage;

namespace RagService.Indexing;

/// <summary>The settings an index is created with and keeps for life (its vectors depend on them).</summary>
public sealed record IndexSettings
{
    public string EmbeddingModel { get; init; } = "minilm";
    public int Dimensions { get; init; } = 384;
    public ChunkingOptions Chunking { get; init; } = new();

    /// <summary>Exact and near-duplicate detection across the index's chunks (absent in older settings files: defaults).</summary>
    public DeduplicationOptions Deduplication { get; init; } = new();

    /// <summary>The index's retrieval stage defaults (over the service's); a request's own stages override them. Null: the service's.</summary>
    public RagService.Core.Search.SearchStages? Stages { get; init; }
    public DateTimeOffset CreatedAt { get; init; } = DateTimeOffset.UtcNow;
}

/// <summary>Opens the backends of one index folder; the host decides which implementations.</summary>
public sealed record IndexBackends(
    Func<string, ILexicalIndex> OpenLexical,
    Func<string, int, IVectorIndex> OpenVectors);

/// <summary>
/// All indexes under one data folder, opened lazily and kept open. An index is the unit of isolation: its own
/// catalog, BM25 index and vector index. Every index belongs to one tenant and its name is unique within it:
/// the default tenant's indexes live in <c>{data}/indexes/{name}/</c> (the layout before tenants existed, so
/// older data folders open unchanged), another tenant's in <c>{data}/tenants/{tenant}/indexes/{name}/</c>.
/// Methods without a tenant act in the default tenant. The registry holds the data folder's lock
/// (<see cref="DataFolderLock"/>) for its whole life, so only one process writes the folder. An index that
/// cannot be opened, or whose derived indexes hold fewer chunks than its catalog, is remembered as broken
/// with the reason (<see cref="IndexUnavailableException"/>) and never served as if whole; the other
/// indexes are unaffected.
/// </summary>
public sealed partial class IndexRegistry : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    private readonly string _root;
    private readonly string _tenantsRoot;
    private readonly IndexBackends _backends;
    private readonly ConcurrentDictionary<string, IndexStore> _open = new(StringComparer.Ordinal);
    private readonly Lock _lifecycle = new();
    private readonly DataFolderLock _folderLock;
    private readonly ConcurrentDictionary<string, string> _broken = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _deleting = new(StringComparer.Ordinal);
    private readonly string _dataRoot;
    private readonly ILogger _logger;

    /// <exception cref="DataFolderLockedException">Another process holds the data folder; nothing was changed.</exception>
    public IndexRegistry(string dataDirectory, IndexBackends backends, ILogger<IndexRegistry>? logger = null)
    {
        _folderLock = DataFolderLock.Acquire(dataDirectory);
        _dataRoot = Path.GetFullPath(dataDirectory);
        _root = Path.Combine(_dataRoot, "indexes");
        _tenantsRoot = Path.Combine(_dataRoot, "tenants");
        _backends = backends;
        _logger = logger ?? NullLogger<IndexRegistry>.Instance;
        Directory.CreateDirectory(_root);
        EmptyTrash();
    }

    /// <summary>Lower-case letters, digits, '-' and '_', 1–64 characters, starting with a letter or digit.</summary>
    public static bool IsValidName(string name) => NamePattern().IsMatch(name);

    public IReadOnlyList<string> Names(string tenant = AccessScope.DefaultTenant) =>
        !IsValidName(tenant) || !Directory.Exists(RootOf(tenant)) ? [] : Directory.EnumerateDirectories(RootOf(tenant))
            .Where(d => File.Exists(Path.Combine(d, "index.json")))
            .Select(Path.GetFileName)
            .OfType<string>()
            .Order(StringComparer.Ordinal)
            .ToList();

    public bool Exists(string name, string tenant = AccessScope.DefaultTenant) =>
        IsValidName(name) && IsValidName(tenant) && File.Exists(Path.Combine(RootOf(tenant), name, "index.json"));

    /// <summary>Every tenant that has an index folder, the default tenant first.</summary>
    public IReadOnlyList<string> Tenants() =>
        [AccessScope.DefaultTenant, .. Directory.Exists(_tenantsRoot)
            ? Directory.EnumerateDirectories(_tenantsRoot).Select(Path.GetFileName).OfType<string>()
                .Where(t => IsValidName(t) && t != AccessScope.DefaultTenant).Order(StringComparer.Ordinal)
            : Enumerable.Empty<string>()];

    /// <summary>The open stores of every healthy index of every tenant (the ingestion worker's rounds); broken ones are left out.</summary>
    public IReadOnlyList<IndexStore> OpenAll() =>
        Tenants().SelectMany(t => Names(t).Select(n => TryOpen(n, t))).OfType<IndexStore>().ToList();

    /// <summary>The data folder's lock, to record where this process serves (the refusal names it to the next comer).</summary>
    public DataFolderLock FolderLock => _folderLock;

    /// <summary>The indexes that could not be opened (keyed <c>tenant/name</c>), with why.</summary>
    public IReadOnlyDictionary<string, string> Broken => _broken;

    /// <summary>Why the index is unavailable, or null when it is not known to be broken.</summary>
    public string? BrokenReason(string name, string tenant = AccessScope.DefaultTenant) => _broken.TryGetValue(Key(tenant, name), out var reason) ? reason : null;

    /// <summary>
    /// Opens every index of every tenant, each on its own: one that fails is marked broken and the rest open.
    /// Returns the broken ones (<c>tenant/name</c> and reason). The host calls this at start so a broken index is reported at once.
    /// </summary>
    public IReadOnlyDictionary<string, string> CheckAll()
    {
        foreach (var tenant in Tenants())
        {
            foreach (var name in Names(tenant))
            {
                TryOpen(name, tenant);
            }
        }

        return new Dictionary<string, string>(_broken, StringComparer.Ordinal);
    }

    /// <summary>
    /// Closes the index's open store and forgets that it was broken, so the next <see cref="Open"/> opens it
    /// from disk again (after a repair or a restore). Requests holding the old store see it disposed.
    /// </summary>
    public void Close(string name, string tenant = AccessScope.DefaultTenant)
    {
        lock (_lifecycle)
        {
            _broken.TryRemove(Key(tenant, name), out _);
            if (_open.TryRemove(Key(tenant, name), out var store))
            {
                store.Dispose();
            }
        }
    }

    /// <summary>The folder an index lives in (whether or not it exists).</summary>
    public string FolderOf(string name, string tenant = AccessScope.DefaultTenant) => Path.Combine(RootOf(tenant), name);

    /// <summary>The settings the index was created with.</summary>
    public IndexSettings SettingsOf(string name, string tenant = AccessScope.DefaultTenant) =>
        JsonSerializer.Deserialize<IndexSettings>(File.ReadAllText(Path.Combine(FolderOf(name, tenant), "index.json")), Json) ?? new IndexSettings();

    /// <summary>How this registry opens BM25 and vector indexes (a repair builds new ones the same way).</summary>
    public IndexBackends Backends => _backends;

    private IndexStore? TryOpen(string name, string tenant)
    {
        try
        {
            return Open(name, tenant);
        }
        catch (IndexUnavailableException)
        {
            // Recorded in Broken; the next index opens regardless.
            return null;
        }
    }

    /// <summary>Creates the index if missing. Returns the store and whether it was created now.</summary>
    public (IndexStore Store, bool Created) Create(string name, IndexSettings settings, string tenant = AccessScope.DefaultTenant)
    {
        if (!IsValidName(name) || !IsValidName(tenant))
        {
            throw new ArgumentException($"Invalid index name '{name}' or tenant '{tenant}'.", nameof(name));
        }

        lock (_lifecycle)
        {
            if (_deleting.ContainsKey(Key(tenant, name)))
            {
                throw new IndexBusyException(name, "it is being deleted; create it again once the delete has answered");
            }

            if (Exists(name, tenant))
            {
                return (Open(name, tenant)!, false);
            }

            var folder = Path.Combine(RootOf(tenant), name);
            Directory.CreateDirectory(folder);
            WriteSettings(folder, settings);
            return (Open(name, tenant)!, true);
        }
    }

    /// <summary>
    /// Replaces the index's retrieval stage defaults (null: the service's) in its settings file, then in the open
    /// store, so the next search uses them and a restarted service keeps them. The rest of its settings are fixed
    /// for its life (its vectors depend on them).
    /// </summary>
    /// <returns>The store with its new settings, or null when the tenant has no such index.</returns>
    /// <exception cref="IndexUnavailableException">The index exists but is broken.</exception>
    public IndexStore? SetStageDefaults(string name, RagService.Core.Search.SearchStages? stages, string tenant = AccessScope.DefaultTenant)
    {
        lock (_lifecycle)
        {
            if (_deleting.ContainsKey(Key(tenant, name)) || Open(name, tenant) is not { } store)
            {
                return null;
            }

            var settings = store.Settings with { Stages = stages };
            WriteSettings(store.Folder, settings);
            store.Settings = settings;
            return store;
        }
    }

    /// <summary>Writes index.json whole or not at all (a temporary file moved over it).</summary>
    private static void WriteSettings(string folder, IndexSettings settings)
    {
        var temp = Path.Combine(folder, "index.json.tmp");
        File.WriteAllText(temp, JsonSerializer.Serialize(settings, Json));
        File.Move(temp, Path.Combine(folder, "index.json"), overwrite: true);
    }

    /// <summary>The open store of an existing index of the tenant, or null (another tenant's index is null too).</summary>
    /// <exception cref="IndexUnavailableException">The index exists but is broken; the message says how.</exception>
    public IndexStore? Open(string name, string tenant = AccessScope.DefaultTenant)
    {
        var key = Key(tenant, name);
        if (_open.TryGetValue(key, out var store))
        {
            return store;
        }

        lock (_lifecycle)
        {
            if (_open.TryGetValue(key, out store))
            {
                return store;
            }

            if (!Exists(name, tenant))
            {
                return null;
            }

            if (_broken.TryGetValue(key, out var reason))
            {
                throw new IndexUnavailableException(name, reason);
            }

            try
            {
                store = OpenFromDisk(name, tenant);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                reason = $"{e.GetType().Name}: {e.Message}";
                _broken[key] = reason;
                throw new IndexUnavailableException(name, reason, e);
            }

            _open[key] = store;
            return store;
        }
    }

    /// <summary>Opens the three parts and checks their counts agree; whatever opened is closed again on failure.</summary>
    private IndexStore OpenFromDisk(string name, string tenant)
    {
        var folder = FolderOf(name, tenant);
        var settings = SettingsOf(name, tenant);
        var opened = new List<IDisposable>(3);
        try
        {
            var catalog = new SqliteDocumentCatalog(Path.Combine(folder, "catalog.db"));
            opened.Add(catalog);
            var lexical = _backends.OpenLexical(Path.Combine(folder, "lexical"));
            opened.Add(lexical);
            var vectors = _backends.OpenVectors(Path.Combine(folder, "vectors"), settings.Dimensions);
            opened.Add(vectors);
            var store = new IndexStore(name, folder, settings, catalog, lexical, vectors) { Tenant = tenant };
            if (IndexDoctor.CountMismatchAsync(store, CancellationToken.None).GetAwaiter().GetResult() is { } mismatch)
            {
                throw new InvalidDataException(mismatch);
            }

            return store;
        }
        catch
        {
            foreach (var part in opened)
            {
                part.Dispose();
            }

            throw;
        }
    }

    /// <summary>How long a delete waits for the index's write in progress (a batch commit) before closing it regardless.</summary>
    public static readonly TimeSpan WriterWait = TimeSpan.FromSeconds(60);

    /// <inheritdoc cref="DeleteAsync"/>
    public bool Delete(string name, string tenant = AccessScope.DefaultTenant) => DeleteAsync(name, tenant).GetAwaiter().GetResult();

    /// <summary>
    /// Deletes the index with all its documents. At once it is no longer an index (its marker goes first, so
    /// requests find it gone and answer 404) and no write starts on it; then the write in progress (an ingestion
    /// batch's commit) is awaited, the store closed, and its folder moved to <c>{data}/.trash</c> (removed there in the
    /// background). The name is free for a new index once the folder has moved: <see cref="Create"/> refuses it
    /// meanwhile (<see cref="IndexBusyException"/>). A folder that cannot be removed (a late writer, an open handle)
    /// stays in the trash, which the next start empties; the index is deleted either way.
    /// </summary>
    /// <returns>False when there was no such index.</returns>
    public async Task<bool> DeleteAsync(string name, string tenant = AccessScope.DefaultTenant)
    {
        var key = Key(tenant, name);
        IndexStore? store;
        string folder;
        lock (_lifecycle)
        {
            if (!Exists(name, tenant))
            {
                return false;
            }

            // Remove the marker first so a half-deleted folder is never seen as an index, and so a request
            // that fails on the store closed next already finds the index gone (and answers 404, not 500).
            folder = FolderOf(name, tenant);
            File.Delete(Path.Combine(folder, "index.json"));
            _deleting[key] = true;
            _broken.TryRemove(key, out _);
            _open.TryRemove(key, out store);
        }

        try
        {
            if (store is not null && !await store.CloseAsync(WriterWait).ConfigureAwait(false))
            {
                LogWriterTimedOut(name, tenant);
            }

            RemoveFolder(folder, Path.Combine(_dataRoot, ".trash", $"{tenant}-{name}-{Guid.NewGuid():N}"));
            return true;
        }
        finally
        {
            _deleting.TryRemove(key, out _);
        }
    }

    /// <summary>
    /// Moves the folder aside (one rename: whatever still writes into the old path finds nothing there, and the name is
    /// free at once), then removes it in the background: a large index is thousands of files, and the caller need not
    /// wait for the disk. A folder that cannot be moved is removed in place, before returning.
    /// </summary>
    private void RemoveFolder(string folder, string trash)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(trash)!);
            Directory.Move(folder, trash);
        }
        catch (IOException)
        {
            // Not movable (another volume, a handle on a platform that forbids it): removed in place, now.
            DeleteWithRetries(folder);
            return;
        }

        _ = Task.Run(() => DeleteWithRetries(trash));
    }

    private void DeleteWithRetries(string folder)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (Directory.Exists(folder))
                {
                    Directory.Delete(folder, recursive: true);
                }

                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                if (attempt == 5)
                {
                    // The index is already gone for every caller; the folder is only disk to reclaim (the next start retries).
                    LogFolderLeft(folder, e.Message);
                    return;
                }

                Thread.Sleep(50 * attempt);
            }
        }
    }

    /// <summary>Empties <c>{data}/.trash</c>: folders of deleted indexes that could not be removed at the time.</summary>
    private void EmptyTrash()
    {
        var trash = Path.Combine(_dataRoot, ".trash");
        if (!Directory.Exists(trash))
        {
            return;
        }

        foreach (var folder in Directory.EnumerateDirectories(trash))
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                LogFolderLeft(folder, e.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Index {Tenant}/{Index} was closed while a write to it was still running after the wait; the delete went on")]
    private partial void LogWriterTimedOut(string index, string tenant);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The folder {Folder} of a deleted index could not be removed ({Reason}); the next start retries")]
    private partial void LogFolderLeft(string folder, string reason);

    public string BlobFolder(string name, string tenant = AccessScope.DefaultTenant) => Path.Combine(RootOf(tenant), name, "blobs");

    private string RootOf(string tenant) =>
        tenant == AccessScope.DefaultTenant ? _root : Path.Combine(_tenantsRoot, IsValidName(tenant) ? tenant : throw new ArgumentException($"Invalid tenant '{tenant}'.", nameof(tenant)), "indexes");

    private static string Key(string tenant, string name) => tenant + "/" + name;

    public void Dispose()
    {
        foreach (var store in _open.Values)
        {
            store.Dispose();
        }

        _open.Clear();
        _folderLock.Dispose();
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,63}$")]
    private static partial Regex NamePattern();
}
