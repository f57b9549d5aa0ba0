using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using RagService.Core.Indexes;

namespace RagService.Indexing.Catalog;

/// <summary>
/// The catalog's tables and their migrations. Every statement is idempotent, so a data folder written by
/// any earlier version opens: missing tables are created, missing chunk columns added and backfilled.
/// </summary>
internal static class CatalogSchema
{
    /// <summary>
    /// The schema this build writes (SQLite's <c>user_version</c>). A catalog with a higher number was written by
    /// a newer RagService, whose tables this build would misread or "migrate" into damage, so it refuses to open it.
    /// </summary>
    public const int Version = 1;

    public static void Apply(SqliteConnection connection)
    {
        var found = UserVersion(connection);
        if (found > Version)
        {
            throw new NotSupportedException(
                $"The catalog '{connection.DataSource}' was written by a newer RagService (catalog schema {found}; this version reads up to {Version}). Run the newer version, or restore a snapshot.");
        }

        CatalogDatabase.Execute(connection, """
            PRAGMA journal_mode=WAL;
            CREATE TABLE IF NOT EXISTS documents (
                id TEXT PRIMARY KEY,
                version INTEGER NOT NULL,
                live_version INTEGER NOT NULL DEFAULT 0,
                file_name TEXT NOT NULL,
                content_hash TEXT NOT NULL,
                size_bytes INTEGER NOT NULL,
                format TEXT NOT NULL,
                blob_path TEXT NOT NULL,
                tags TEXT NOT NULL,
                state TEXT NOT NULL,
                progress REAL NOT NULL DEFAULT 0,
                failed_step TEXT,
                error TEXT,
                title TEXT,
                page_count INTEGER NOT NULL DEFAULT 0,
                chunk_count INTEGER NOT NULL DEFAULT 0,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                started_at TEXT,
                completed_at TEXT,
                seq INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS documents_by_hash ON documents(content_hash);
            CREATE TABLE IF NOT EXISTS doc_tags (
                document_id TEXT NOT NULL,
                key TEXT NOT NULL,
                value TEXT NOT NULL,
                PRIMARY KEY (document_id, key));
            CREATE TABLE IF NOT EXISTS chunks (
                id TEXT PRIMARY KEY,
                document_id TEXT NOT NULL,
                version INTEGER NOT NULL,
                ordinal INTEGER NOT NULL,
                text TEXT NOT NULL,
                index_text TEXT NOT NULL,
                title TEXT,
                file_name TEXT,
                section_path TEXT NOT NULL,
                page_start INTEGER NOT NULL,
                page_end INTEGER NOT NULL,
                block_ids TEXT NOT NULL,
                token_count INTEGER NOT NULL,
                content_hash TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS chunks_by_document ON chunks(document_id, ordinal);
            CREATE TABLE IF NOT EXISTS pending_chunks (
                document_id TEXT NOT NULL,
                version INTEGER NOT NULL,
                chunk_id TEXT NOT NULL,
                PRIMARY KEY (document_id, chunk_id));
            CREATE TABLE IF NOT EXISTS chunk_signatures (
                chunk_id TEXT PRIMARY KEY,
                document_id TEXT NOT NULL,
                minhash BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS chunk_bands (
                band_key TEXT NOT NULL,
                chunk_id TEXT NOT NULL,
                document_id TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS chunk_bands_by_key ON chunk_bands(band_key);
            CREATE INDEX IF NOT EXISTS chunk_bands_by_document ON chunk_bands(document_id);
            CREATE INDEX IF NOT EXISTS chunk_signatures_by_document ON chunk_signatures(document_id);
            CREATE TABLE IF NOT EXISTS doc_acl (
                document_id TEXT NOT NULL,
                principal TEXT NOT NULL,
                PRIMARY KEY (document_id, principal));
            CREATE INDEX IF NOT EXISTS doc_acl_by_principal ON doc_acl(principal, document_id);
            CREATE INDEX IF NOT EXISTS chunks_by_document_id ON chunks(document_id, id);
            """);
        AddGenerationCounter(connection);
        AddMissingDocumentColumns(connection);
        AddMissingChunkColumns(connection);
        AddMissingColumns(connection, "documents", [("attempts", "INTEGER NOT NULL DEFAULT 0")]);
        if (found < Version)
        {
            CatalogDatabase.Execute(connection, $"PRAGMA user_version = {Version}");
        }
    }

    /// <summary>
    /// <c>catalog_generation</c> counts every change to what a search filter reads (chunks, documents coming and
    /// going, their tags and ACLs), kept by triggers in the writing transaction itself, so a reader that sees a
    /// generation sees exactly the rows it counted. It lets a filter's allowed chunk ids be reused until they change.
    /// </summary>
    private static void AddGenerationCounter(SqliteConnection connection)
    {
        var triggers = new StringBuilder("""
            CREATE TABLE IF NOT EXISTS catalog_generation (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL);
            INSERT OR IGNORE INTO catalog_generation (id, value) VALUES (1, 0);

            """);
        foreach (var (table, events) in new[]
        {
            ("chunks", new[] { "INSERT", "UPDATE", "DELETE" }),
            ("doc_acl", new[] { "INSERT", "UPDATE", "DELETE" }),
            ("doc_tags", new[] { "INSERT", "UPDATE", "DELETE" }),
            ("documents", new[] { "INSERT", "DELETE" }),
        })
        {
            foreach (var e in events)
            {
                triggers.Append(CultureInfo.InvariantCulture,
                    $"CREATE TRIGGER IF NOT EXISTS {table}_{e.ToLowerInvariant()}_generation AFTER {e} ON {table} BEGIN UPDATE catalog_generation SET value = value + 1 WHERE id = 1; END;\n");
            }
        }

        CatalogDatabase.Execute(connection, triggers.ToString());
    }

    private static long UserVersion(SqliteConnection connection)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "PRAGMA user_version";
        return (long)(cmd.ExecuteScalar() ?? 0L);
    }

    /// <summary>Adds the columns a table lacks (SQLite has no ADD COLUMN IF NOT EXISTS); returns those it added.</summary>
    private static List<(string Name, string Type)> AddMissingColumns(SqliteConnection connection, string table, IReadOnlyList<(string Name, string Type)> columns)
    {
        var existing = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        using (var info = connection.CreateCommand())
        {
            info.CommandText = $"PRAGMA table_info({table})";
            using var reader = info.ExecuteReader();
            while (reader.Read())
            {
                existing.Add(reader.GetString(1));
            }
        }

        var added = columns.Where(c => !existing.Contains(c.Name)).ToList();
        foreach (var (name, type) in added)
        {
            CatalogDatabase.Execute(connection, $"ALTER TABLE {table} ADD COLUMN {name} {type}");
        }

        return added;
    }

    /// <summary>
    /// The ACL column arrived with document permissions: a document written before has none and is visible to
    /// its whole tenant (no <c>doc_acl</c> rows means <c>tenant</c>).
    /// </summary>
    private static void AddMissingDocumentColumns(SqliteConnection connection)
    {
        using var info = connection.CreateCommand();
        info.CommandText = "SELECT 1 FROM pragma_table_info('documents') WHERE name = 'acl'";
        if (info.ExecuteScalar() is null)
        {
            CatalogDatabase.Execute(connection, "ALTER TABLE documents ADD COLUMN acl TEXT");
        }
    }

    /// <summary>
    /// Hierarchy and duplicate columns arrived after the first catalogs were written: add them to an
    /// existing chunks table (SQLite has no ADD COLUMN IF NOT EXISTS, so check the table first).
    /// </summary>
    private static void AddMissingChunkColumns(SqliteConnection connection)
    {
        (string Name, string Type)[] columns =
        [
            ("section_levels", "TEXT NOT NULL DEFAULT '[]'"),
            ("boxes", "TEXT NOT NULL DEFAULT '[]'"),
            ("previous_chunk_id", "TEXT"),
            ("next_chunk_id", "TEXT"),
            ("parent_section_id", "TEXT"),
            ("duplicate_of", "TEXT"),
            ("section_key", "TEXT"),
            ("document_date", "INTEGER"),
            ("flags", "TEXT NOT NULL DEFAULT '[]'"),
            ("language", "TEXT"),
            ("lexical_only", "INTEGER NOT NULL DEFAULT 0"),
        ];
        var added = AddMissingColumns(connection, "chunks", columns);
        if (added.Any(c => c.Name is "section_key" or "document_date"))
        {
            BackfillFilterColumns(connection);
        }

        CatalogDatabase.Execute(connection, """
            CREATE INDEX IF NOT EXISTS chunks_by_hash ON chunks(content_hash);
            CREATE INDEX IF NOT EXISTS chunks_by_duplicate_of ON chunks(duplicate_of);
            """);
    }

    /// <summary>
    /// Fills the section-filter key and the document date (Unix ms) of chunks written before those columns
    /// existed, from their stored section path JSON and their document's tags and upload time.
    /// </summary>
    private static void BackfillFilterColumns(SqliteConnection connection)
    {
        var rows = new List<(string Id, string Key, long? Date)>();
        using (var select = connection.CreateCommand())
        {
            select.CommandText = """
                SELECT c.id, c.section_path, d.tags, d.created_at
                FROM chunks c LEFT JOIN documents d ON d.id = c.document_id
                WHERE c.section_key IS NULL OR c.document_date IS NULL
                """;
            using var r = select.ExecuteReader();
            while (r.Read())
            {
                var path = JsonSerializer.Deserialize<string[]>(r.GetString(1), CatalogDatabase.Json) ?? [];
                var tags = r.IsDBNull(2) ? [] : JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(2), CatalogDatabase.Json) ?? [];
                DateTimeOffset? date = r.IsDBNull(3) ? SearchFilter.DateTag(tags) : SearchFilter.DocumentDateOf(tags, CatalogDatabase.ParseTime(r.GetString(3)));
                rows.Add((r.GetString(0), SearchFilter.SectionKey(path), date?.ToUnixTimeMilliseconds()));
            }
        }

        using var transaction = connection.BeginTransaction();
        using var update = connection.CreateCommand();
        update.Transaction = transaction;
        update.CommandText = "UPDATE chunks SET section_key = $key, document_date = $date WHERE id = $id";
        var id = update.Parameters.Add(new SqliteParameter { ParameterName = "$id" });
        var key = update.Parameters.Add(new SqliteParameter { ParameterName = "$key" });
        var dateParameter = update.Parameters.Add(new SqliteParameter { ParameterName = "$date" });
        foreach (var row in rows)
        {
            id.Value = row.Id;
            key.Value = row.Key;
            dateParameter.Value = row.Date is { } ms ? ms : DBNull.Value;
            update.ExecuteNonQuery();
        }

        transaction.Commit();
    }
}
