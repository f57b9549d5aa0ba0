using System.Globalization;

namespace RagService.Indexing.Catalog;

/// <summary>
/// How many live chunks the catalog holds: all of them, and those of documents no job is working on
/// (ready or failed), whose chunks both derived indexes must hold. Originals carry a vector; duplicates and lexical-only chunks (a language the model does not cover) do not.
/// </summary>
public sealed record CatalogCounts(long Chunks, long Originals, long SettledChunks, long SettledOriginals, int Unfinished);

/// <summary>One live chunk of the catalog: which document and version it belongs to, and whether it carries a vector.</summary>
public sealed record CatalogChunkEntry(string ChunkId, string DocumentId, int Version, bool IsOriginal);

/// <summary>
/// The catalog's side of a consistency check: what the derived indexes (BM25, vectors) must hold, since
/// they are rebuilt from it (<see cref="IndexDoctor"/>).
/// </summary>
public sealed class CatalogInventory
{
    private readonly CatalogDatabase _database;

    internal CatalogInventory(CatalogDatabase database) => _database = database;

    public Task<CatalogCounts> CountsAsync(CancellationToken ct) =>
        _database.RunAsync(connection =>
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = """
                SELECT COUNT(*),
                    COALESCE(SUM(c.duplicate_of IS NULL AND c.lexical_only = 0), 0),
                    COALESCE(SUM(d.state IN ('Ready', 'Failed')), 0),
                    COALESCE(SUM(d.state IN ('Ready', 'Failed') AND c.duplicate_of IS NULL AND c.lexical_only = 0), 0),
                    (SELECT COUNT(*) FROM documents WHERE state NOT IN ('Ready', 'Failed'))
                FROM chunks c JOIN documents d ON d.id = c.document_id
                """;
            using var r = cmd.ExecuteReader();
            r.Read();
            return new CatalogCounts(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), Convert.ToInt32(r.GetInt64(4), CultureInfo.InvariantCulture));
        }, ct);

    /// <summary>Every live chunk (the chunks of each document's live version).</summary>
    public Task<IReadOnlyList<CatalogChunkEntry>> LiveChunksAsync(CancellationToken ct) =>
        _database.RunAsync<IReadOnlyList<CatalogChunkEntry>>(connection =>
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "SELECT id, document_id, version, duplicate_of IS NULL AND lexical_only = 0 FROM chunks ORDER BY document_id, ordinal";
            using var r = cmd.ExecuteReader();
            var entries = new List<CatalogChunkEntry>();
            while (r.Read())
            {
                entries.Add(new CatalogChunkEntry(r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetInt64(3) != 0));
            }

            return entries;
        }, ct);
}
