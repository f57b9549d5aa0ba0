using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using RagService.Core.Indexes;
using RagService.Core.Options;
using RagService.Core.Security;
using RagService.Indexing.Catalog;

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
/// Methods without a tenant act in the default tenant.
/// </summary>
public sealed partial class IndexRegistry : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    private readonly string _root;
    private readonly string _tenantsRoot;
    private readonly IndexBackends _backends;
    private readonly ConcurrentDictionary<string, IndexStore> _open = new(StringComparer.Ordinal);
    private readonly Lock _lifecycle = new();

    public IndexRegistry(string dataDirectory, IndexBackends backends)
    {
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

    /// <summary>The open stores of every index of every tenant (the ingestion worker's rounds).</summary>
    public IReadOnlyList<IndexStore> OpenAll() =>
        Tenants().SelectMany(t => Names(t).Select(n => Open(n, t))).OfType<IndexStore>().ToList();

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

            var folder = Path.Combine(RootOf(tenant), name);
            var settings = JsonSerializer.Deserialize<IndexSettings>(File.ReadAllText(Path.Combine(folder, "index.json")), Json)
                ?? new IndexSettings();
            store = new IndexStore(
                name,
                folder,
                settings,
                new SqliteDocumentCatalog(Path.Combine(folder, "catalog.db")),
                _backends.OpenLexical(Path.Combine(folder, "lexical")),
                _backends.OpenVectors(Path.Combine(folder, "vectors"), settings.Dimensions))
            {
                Tenant = tenant,
            };
            _open[key] = store;
            return store;
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

            if (_open.TryRemove(Key(tenant, name), out var store))
            {
                store.Dispose();
            }

            var folder = Path.Combine(RootOf(tenant), name);
            // Remove the marker first so a half-deleted folder is never seen as an index.
            File.Delete(Path.Combine(folder, "index.json"));
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
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,63}$")]
    private static partial Regex NamePattern();
}
