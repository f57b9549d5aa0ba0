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
    }

    public IJobStore Jobs { get; }

    public IChunkStore Chunks { get; }

    public IDuplicateIndex Duplicates { get; }

    public void Dispose() => _database.Dispose();
}
