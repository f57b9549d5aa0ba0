using RagService.Core.Jobs;

namespace RagService.Indexing.Catalog;

/// <summary>
/// The per-index catalog on one SQLite file: job store, chunk store and duplicate index sharing one
/// connection pool, so the job store's version commit writes all their tables in one transaction.
/// </summary>
public sealed class SqliteDocumentCatalog : IDocumentCatalog
{
    private readonly CatalogDatabase _database;

    /// <param name="databasePath">The catalog file; created when missing, migrated when written by an older version.</param>
    public SqliteDocumentCatalog(string databasePath)
    {
        _database = new CatalogDatabase(databasePath);
        Jobs = new SqliteJobStore(_database);
        Chunks = new SqliteChunkStore(_database);
        Duplicates = new SqliteDuplicateIndex(_database);
        Inventory = new CatalogInventory(_database);
    }

    /// <summary>What the derived indexes must hold, for the open-time count check and <c>rag doctor</c>.</summary>
    public CatalogInventory Inventory { get; }

    public IJobStore Jobs { get; }

    public IChunkStore Chunks { get; }

    public IDuplicateIndex Duplicates { get; }

    /// <summary>A consistent copy of the catalog at <paramref name="path"/> (SQLite's online backup: readers and writers go on).</summary>
    public void BackupTo(string path)
    {
        using var source = _database.Open();
        using var destination = new Microsoft.Data.Sqlite.SqliteConnection(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        destination.Open();
        source.BackupDatabase(destination);
    }

    /// <summary>Points every stored upload at <paramref name="blobFolder"/> (blobs are stored flat, by content): for a restored copy.</summary>
    public void RelocateBlobs(string blobFolder)
    {
        using var connection = _database.Open();
        var rows = new List<(string Id, string Path)>();
        using (var select = connection.CreateCommand())
        {
            select.CommandText = "SELECT id, blob_path FROM documents";
            using var r = select.ExecuteReader();
            while (r.Read())
            {
                rows.Add((r.GetString(0), r.GetString(1)));
            }
        }

        using var tx = connection.BeginTransaction();
        foreach (var (id, path) in rows)
        {
            using var update = connection.CreateCommand();
            update.Transaction = tx;
            update.CommandText = "UPDATE documents SET blob_path = $path WHERE id = $id";
            update.Parameters.AddWithValue("$path", Path.Combine(blobFolder, Path.GetFileName(path)));
            update.Parameters.AddWithValue("$id", id);
            update.ExecuteNonQuery();
        }

        tx.Commit();
    }

    public void Dispose() => _database.Dispose();
}
