using RagService.Core.Indexes;
using RagService.Core.Models;
using RagService.Core.Security;
using RagService.Indexing.Catalog;

namespace RagService.Indexing.Maintenance;

/// <summary>What one derived index (BM25 or vectors) holds against what the catalog says it must.</summary>
/// <param name="OpenError">Why it could not be opened at all (then the counts are zero).</param>
/// <param name="Missing">Live catalog chunks it does not hold.</param>
/// <param name="Extra">Entries of no live chunk: orphans of deleted documents and failed writes.</param>
/// <param name="Stale">Among the extra, entries of a replaced version of a document the catalog still has (BM25 records versions; vectors do not).</param>
public sealed record DerivedIndexReport(string Name, long Held, long Expected, int Missing, int Extra, int Stale, string? OpenError)
{
    public bool Consistent => OpenError is null && Missing == 0 && Extra == 0;
}

/// <summary>The outcome of <c>rag doctor</c> for one index.</summary>
public sealed record IndexCheckReport(string Index, long CatalogChunks, int Unfinished, DerivedIndexReport Lexical, DerivedIndexReport Vectors)
{
    public bool Consistent => Lexical.Consistent && Vectors.Consistent;
}

/// <summary>
/// Checks an index's derived parts (BM25, vectors) against its catalog, the source of truth, and repairs
/// them by rebuilding both from the catalog's live chunks. No document is parsed again, and the vectors
/// come from the embedding model the caller gives, which on the service is backed by the embedding cache,
/// so texts embedded before are not embedded again. The rebuild is written beside the old indexes and
/// swapped in only when complete, so a failed repair leaves the index as it was.
/// </summary>
public static class IndexDoctor
{
    private const int EmbedBatch = 256;

    /// <summary>
    /// The cheap open-time check: null when both derived indexes hold at least the chunks of every settled
    /// (ready or failed) document, else what is short. Extra entries are tolerated here (an interrupted job
    /// leaves them and its resumption replaces them); <see cref="CheckAsync"/> lists them.
    /// </summary>
    public static async Task<string?> CountMismatchAsync(IndexStore store, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (store.Catalog is not SqliteDocumentCatalog catalog || store.Lexical is not IIndexInventory lexical || store.Vectors is not IIndexInventory vectors)
        {
            return null;
        }

        var counts = await catalog.Inventory.CountsAsync(ct).ConfigureAwait(false);
        var problems = new List<string>(2);
        if (lexical.CommittedCount < counts.SettledChunks)
        {
            problems.Add($"the BM25 index holds {lexical.CommittedCount} chunks, the catalog's finished documents {counts.SettledChunks}");
        }

        if (vectors.CommittedCount < counts.SettledOriginals)
        {
            problems.Add($"the vector index holds {vectors.CommittedCount} vectors, the catalog's finished documents {counts.SettledOriginals}");
        }

        return problems.Count == 0
            ? null
            : $"Its derived indexes disagree with its catalog: {string.Join("; ", problems)}. Repair with 'rag doctor --index {store.Name}{TenantOption(store.Tenant)} --repair'.";
    }

    /// <summary>Compares the catalog's live chunks with every entry of both derived indexes of the tenant's index. Closes the index in the registry first.</summary>
    public static async Task<IndexCheckReport> CheckAsync(IndexRegistry registry, string name, string tenant, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.Close(name, tenant);
        var folder = registry.FolderOf(name, tenant);
        var settings = registry.SettingsOf(name, tenant);
        using var catalog = new SqliteDocumentCatalog(Path.Combine(folder, "catalog.db"));
        var live = await catalog.Inventory.LiveChunksAsync(ct).ConfigureAwait(false);
        var counts = await catalog.Inventory.CountsAsync(ct).ConfigureAwait(false);
        var lexical = await InspectAsync("bm25", () => registry.Backends.OpenLexical(Path.Combine(folder, "lexical")), live, all: true, ct).ConfigureAwait(false);
        var vectors = await InspectAsync("vectors", () => registry.Backends.OpenVectors(Path.Combine(folder, "vectors"), settings.Dimensions), live, all: false, ct).ConfigureAwait(false);
        return new IndexCheckReport(name, live.Count, counts.Unfinished, lexical, vectors);
    }

    /// <summary>
    /// Rebuilds both derived indexes from the catalog's live chunks (originals embedded through
    /// <paramref name="model"/>), swaps them in, and opens the index again, which re-runs the open-time check.
    /// </summary>
    public static async Task<IndexCheckReport> RepairAsync(IndexRegistry registry, string name, string tenant, IEmbeddingModel model, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(model);
        registry.Close(name, tenant);
        var folder = registry.FolderOf(name, tenant);
        var settings = registry.SettingsOf(name, tenant);
        if (model.Dimensions != settings.Dimensions)
        {
            throw new ArgumentException($"The model '{model.Name}' makes {model.Dimensions}-dimensional vectors; index '{name}' holds {settings.Dimensions}.", nameof(model));
        }

        var lexicalFolder = Path.Combine(folder, "lexical.rebuild");
        var vectorFolder = Path.Combine(folder, "vectors.rebuild");
        DeleteIfPresent(lexicalFolder);
        DeleteIfPresent(vectorFolder);
        using (var catalog = new SqliteDocumentCatalog(Path.Combine(folder, "catalog.db")))
        using (var lexical = registry.Backends.OpenLexical(lexicalFolder))
        using (var vectors = registry.Backends.OpenVectors(vectorFolder, settings.Dimensions))
        {
            var live = await catalog.Inventory.LiveChunksAsync(ct).ConfigureAwait(false);
            foreach (var document in live.GroupBy(c => c.DocumentId, StringComparer.Ordinal))
            {
                var chunks = await catalog.Chunks.GetChunksAsync(document.Key, ct).ConfigureAwait(false);
                await lexical.ReplaceDocumentAsync(document.Key, document.First().Version, chunks, ct).ConfigureAwait(false);
            }

            var originals = live.Where(c => c.IsOriginal).Select(c => c.ChunkId).ToList();
            foreach (var batch in originals.Chunk(EmbedBatch))
            {
                var chunks = await catalog.Chunks.GetChunksByIdsAsync(batch, ct).ConfigureAwait(false);
                var texts = chunks.Select(c => c.IndexText).ToList();
                var embedded = await model.EmbedAsync(texts, EmbeddingPurpose.Document, ct).ConfigureAwait(false);
                await vectors.UpsertAsync(chunks.Select(c => c.Id).ToList(), embedded, ct).ConfigureAwait(false);
            }

            await lexical.CommitAsync(ct).ConfigureAwait(false);
            await vectors.CommitAsync(ct).ConfigureAwait(false);
        }

        Swap(lexicalFolder, Path.Combine(folder, "lexical"));
        Swap(vectorFolder, Path.Combine(folder, "vectors"));
        var report = await CheckAsync(registry, name, tenant, ct).ConfigureAwait(false);
        registry.Open(name, tenant);
        return report;
    }

    /// <summary>The <c>--tenant</c> option that names the index's tenant on the command line (none for the default tenant).</summary>
    public static string TenantOption(string tenant) => tenant == AccessScope.DefaultTenant ? string.Empty : $" --tenant {tenant}";

    private static async Task<DerivedIndexReport> InspectAsync<T>(string side, Func<T> open, IReadOnlyList<CatalogChunkEntry> live, bool all, CancellationToken ct)
        where T : IDisposable
    {
        var expected = live.Where(c => all || c.IsOriginal).ToList();
        T index;
        try
        {
            index = open();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new DerivedIndexReport(side, 0, expected.Count, expected.Count, 0, 0, $"{e.GetType().Name}: {e.Message}");
        }

        using (index)
        {
            if (index is not IIndexInventory inventory)
            {
                return new DerivedIndexReport(side, 0, expected.Count, 0, 0, 0, "This backend cannot list its entries.");
            }

            var entries = await inventory.EntriesAsync(ct).ConfigureAwait(false);
            var held = entries.Select(e => e.ChunkId).ToHashSet(StringComparer.Ordinal);
            var wanted = expected.Select(c => c.ChunkId).ToHashSet(StringComparer.Ordinal);
            var liveVersions = live.GroupBy(c => c.DocumentId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Version, StringComparer.Ordinal);
            var extra = entries.Where(e => !wanted.Contains(e.ChunkId)).ToList();
            var stale = extra.Count(e => e.DocumentId is { } doc && e.Version is { } version && liveVersions.TryGetValue(doc, out var current) && current != version);
            return new DerivedIndexReport(side, entries.Count, expected.Count, wanted.Count(id => !held.Contains(id)), extra.Count, stale, null);
        }
    }

    /// <summary>Moves the rebuilt folder into place; the old one goes first (a crash between leaves the index to repair again).</summary>
    private static void Swap(string rebuilt, string target)
    {
        DeleteIfPresent(target);
        Directory.Move(rebuilt, target);
    }

    private static void DeleteIfPresent(string folder)
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
