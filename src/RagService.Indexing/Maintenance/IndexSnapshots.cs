using RagService.Core.Security;
using RagService.Indexing.Catalog;

namespace RagService.Indexing.Maintenance;

/// <summary>What a snapshot holds: where it is, and the index's documents and live chunks at that moment.</summary>
public sealed record SnapshotInfo(string Index, string Path, int Documents, long Chunks, DateTimeOffset CreatedAt);

/// <summary>
/// Backups of one index: a consistent copy of its catalog, BM25 index, vectors and uploaded blobs. Writes are
/// paused for the copy (searches go on): the catalog is copied with SQLite's online backup, and the search
/// indexes' committed files do not change until the next commit, which the pause holds off. A snapshot is
/// brought back as a new index, its blob paths pointed at the new folder.
/// </summary>
public static class IndexSnapshots
{
    private const string SettingsFile = "index.json";
    private const string CatalogFile = "catalog.db";
    private static readonly string[] Parts = ["lexical", "vectors", "blobs"];

    public static async Task<SnapshotInfo> WriteAsync(IndexStore store, string destination, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (store.Catalog is not SqliteDocumentCatalog catalog)
        {
            throw new NotSupportedException($"Index '{store.Name}' has no SQLite catalog to snapshot.");
        }

        if (Directory.Exists(destination))
        {
            throw new IOException($"The snapshot folder '{destination}' exists already.");
        }

        var partial = destination + ".partial";
        Directory.CreateDirectory(partial);
        try
        {
            var info = await store.WhileWritesPausedAsync(async () =>
            {
                catalog.BackupTo(Path.Combine(partial, CatalogFile));
                foreach (var part in Parts)
                {
                    CopyFolder(Path.Combine(store.Folder, part), Path.Combine(partial, part));
                }

                File.Copy(Path.Combine(store.Folder, SettingsFile), Path.Combine(partial, SettingsFile));
                var counts = await catalog.Inventory.CountsAsync(ct).ConfigureAwait(false);
                return new SnapshotInfo(store.Name, destination, await store.Jobs.CountAsync(ct).ConfigureAwait(false), counts.Chunks, DateTimeOffset.UtcNow);
            }, ct).ConfigureAwait(false);
            Directory.Move(partial, destination);
            return info;
        }
        catch
        {
            Directory.Delete(partial, recursive: true);
            throw;
        }
    }

    /// <summary>
    /// Brings a snapshot back as the new index <paramref name="name"/> of <paramref name="tenant"/> (in that
    /// tenant's folder); its open-time checks run as for any index.
    /// </summary>
    /// <exception cref="ArgumentException">The name or tenant is invalid, the name is taken in the tenant, or the folder is not a snapshot.</exception>
    public static IndexStore Restore(IndexRegistry registry, string snapshot, string name, string tenant = AccessScope.DefaultTenant)
    {
        ArgumentNullException.ThrowIfNull(registry);
        if (!IndexRegistry.IsValidName(name))
        {
            throw new ArgumentException($"Invalid index name '{name}': use 1–64 lower-case letters, digits, '-' or '_'.", nameof(name));
        }

        if (!IndexRegistry.IsValidName(tenant))
        {
            throw new ArgumentException($"Invalid tenant '{tenant}': use 1–64 lower-case letters, digits, '-' or '_'.", nameof(tenant));
        }

        if (registry.Exists(name, tenant))
        {
            throw new ArgumentException($"Index '{name}' of tenant '{tenant}' exists already; restore under a new name or delete it first.", nameof(name));
        }

        if (!File.Exists(Path.Combine(snapshot, SettingsFile)) || !File.Exists(Path.Combine(snapshot, CatalogFile)))
        {
            throw new ArgumentException($"'{snapshot}' is not an index snapshot (it needs {SettingsFile} and {CatalogFile}).", nameof(snapshot));
        }

        var target = registry.FolderOf(name, tenant);
        var partial = target + ".restoring";
        if (Directory.Exists(partial))
        {
            Directory.Delete(partial, recursive: true);
        }

        Directory.CreateDirectory(partial);
        File.Copy(Path.Combine(snapshot, CatalogFile), Path.Combine(partial, CatalogFile));
        foreach (var part in Parts)
        {
            CopyFolder(Path.Combine(snapshot, part), Path.Combine(partial, part));
        }

        using (var catalog = new SqliteDocumentCatalog(Path.Combine(partial, CatalogFile)))
        {
            catalog.RelocateBlobs(registry.BlobFolder(name, tenant));
        }

        // The settings file makes the folder an index: it comes last, so a half-restored folder is never one.
        Directory.Move(partial, target);
        File.Copy(Path.Combine(snapshot, SettingsFile), Path.Combine(target, SettingsFile));
        return registry.Open(name, tenant)!;
    }

    /// <summary>Copies a folder's files; Lucene's write lock stays behind, and a file a merge deletes meanwhile was in no commit.</summary>
    private static void CopyFolder(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        if (!Directory.Exists(source))
        {
            return;
        }

        foreach (var file in Directory.EnumerateFiles(source))
        {
            var fileName = Path.GetFileName(file);
            if (fileName is "write.lock" || fileName.StartsWith(".upload-", StringComparison.Ordinal))
            {
                continue;
            }

            try
            {
                File.Copy(file, Path.Combine(destination, fileName));
            }
            catch (FileNotFoundException)
            {
                // Deleted between listing and copying: not part of the last commit.
            }
        }
    }
}
