using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
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

    /// <exception cref="DataFolderLockedException">Another process holds the data folder; nothing was changed.</exception>
    public IndexRegistry(string dataDirectory, IndexBackends backends)
    {
        _folderLock = DataFolderLock.Acquire(dataDirectory);
        _root = Path.Combine(Path.GetFullPath(dataDirectory), "indexes");
        _tenantsRoot = Path.Combine(Path.GetFullPath(dataDirectory), "tenants");
        _backends = backends;
        Directory.CreateDirectory(_root);
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
            if (Exists(name, tenant))
            {
                return (Open(name, tenant)!, false);
            }

            var folder = Path.Combine(RootOf(tenant), name);
            Directory.CreateDirectory(folder);
            var temp = Path.Combine(folder, "index.json.tmp");
            File.WriteAllText(temp, JsonSerializer.Serialize(settings, Json));
            File.Move(temp, Path.Combine(folder, "index.json"), overwrite: true);
            return (Open(name, tenant)!, true);
        }
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

    public bool Delete(string name, string tenant = AccessScope.DefaultTenant)
    {
        lock (_lifecycle)
        {
            if (!Exists(name, tenant))
            {
                return false;
            }

            // Remove the marker first so a half-deleted folder is never seen as an index, and so a request
            // that fails on the store disposed next already finds the index gone (and answers 404, not 500).
            var folder = Path.Combine(RootOf(tenant), name);
            File.Delete(Path.Combine(folder, "index.json"));
            _broken.TryRemove(Key(tenant, name), out _);
            if (_open.TryRemove(Key(tenant, name), out var store))
            {
                store.Dispose();
            }

            Directory.Delete(folder, recursive: true);
            return true;
        }
    }

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
