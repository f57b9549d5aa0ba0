using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using RagService.Core.Chunks;
using RagService.Core.Documents;
using RagService.Core.Indexes;
using RagService.Core.Jobs;

namespace RagService.Indexing.Catalog;

/// <summary>
/// The per-index document catalog and durable job store on SQLite (WAL). A document row holds the
/// status of its newest version; the chunks table holds only live versions, swapped in one
/// transaction by <see cref="CommitVersion"/> after both indexes have committed.
/// </summary>
public sealed class SqliteDocumentCatalog : IDocumentCatalog
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly string _connectionString;

    public SqliteDocumentCatalog(string databasePath)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(databasePath))!);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        using var connection = Open();
        Execute(connection, """
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
            """);
    }

    public EnqueueResult Enqueue(DocumentUpload upload)
    {
        ArgumentNullException.ThrowIfNull(upload);
        using var connection = Open();
        using var tx = connection.BeginTransaction();
        var existing = Get(connection, upload.DocumentId);
        if (existing is not null && existing.ContentHash == upload.ContentHash && existing.State != DocumentState.Failed
            && TagsEqual(existing.Tags, upload.Tags))
        {
            // The same bytes are already ingested or on their way: nothing to do.
            return new EnqueueResult(existing, Enqueued: false);
        }

        var now = Now();
        var version = (existing?.Version ?? 0) + 1;
        using (var cmd = connection.CreateCommand())
        {
            cmd.CommandText = """
                INSERT INTO documents (id, version, live_version, file_name, content_hash, size_bytes, format, blob_path, tags,
                    state, progress, created_at, updated_at, seq)
                VALUES ($id, $version, 0, $file, $hash, $size, $format, $blob, $tags, 'Queued', 0, $now, $now,
                    (SELECT COALESCE(MAX(seq), 0) + 1 FROM documents))
                ON CONFLICT(id) DO UPDATE SET version = $version, file_name = $file, content_hash = $hash, size_bytes = $size,
                    format = $format, blob_path = $blob, tags = $tags, state = 'Queued', progress = 0, failed_step = NULL,
                    error = NULL, updated_at = $now, started_at = NULL, completed_at = NULL,
                    seq = (SELECT COALESCE(MAX(seq), 0) + 1 FROM documents);
                """;
            cmd.Parameters.AddWithValue("$id", upload.DocumentId);
            cmd.Parameters.AddWithValue("$version", version);
            cmd.Parameters.AddWithValue("$file", upload.FileName);
            cmd.Parameters.AddWithValue("$hash", upload.ContentHash);
            cmd.Parameters.AddWithValue("$size", upload.SizeBytes);
            cmd.Parameters.AddWithValue("$format", upload.Format.ToString());
            cmd.Parameters.AddWithValue("$blob", upload.BlobPath);
            cmd.Parameters.AddWithValue("$tags", JsonSerializer.Serialize(upload.Tags, Json));
            cmd.Parameters.AddWithValue("$now", now);
            cmd.ExecuteNonQuery();
        }

        ReplaceTags(connection, upload.DocumentId, upload.Tags);
        tx.Commit();
        return new EnqueueResult(Get(connection, upload.DocumentId)!, Enqueued: true);
    }

    public DocumentStatus? Get(string documentId)
    {
        using var connection = Open();
        return Get(connection, documentId);
    }

    public IReadOnlyList<DocumentStatus> List(int offset, int limit)
    {
        using var connection = Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT * FROM documents ORDER BY seq LIMIT $limit OFFSET $offset";
        cmd.Parameters.AddWithValue("$limit", limit);
        cmd.Parameters.AddWithValue("$offset", offset);
        return ReadStatuses(cmd);
    }

    public int Count()
    {
        using var connection = Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM documents";
        return Convert.ToInt32(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    public IReadOnlyList<DocumentStatus> Unfinished()
    {
        using var connection = Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT * FROM documents WHERE state NOT IN ('Ready', 'Failed') ORDER BY seq";
        return ReadStatuses(cmd);
    }

    public DocumentUpload? GetUpload(string documentId)
    {
        using var connection = Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT id, file_name, blob_path, content_hash, size_bytes, format, tags FROM documents WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", documentId);
        using var reader = cmd.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        return new DocumentUpload(
            reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4),
            Enum.Parse<DocumentFormat>(reader.GetString(5)),
            JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(6), Json) ?? []);
    }

    public void UpdateProgress(string documentId, int version, DocumentState state, double progress, string? title = null, int? pageCount = null)
    {
        using var connection = Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = """
            UPDATE documents SET state = $state, progress = $progress, updated_at = $now,
                started_at = COALESCE(started_at, $now), title = COALESCE($title, title), page_count = COALESCE($pages, page_count)
            WHERE id = $id AND version = $version
            """;
        cmd.Parameters.AddWithValue("$state", state.ToString());
        cmd.Parameters.AddWithValue("$progress", Math.Clamp(progress, 0, 1));
        cmd.Parameters.AddWithValue("$now", Now());
        cmd.Parameters.AddWithValue("$title", (object?)title ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$pages", (object?)pageCount ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$id", documentId);
        cmd.Parameters.AddWithValue("$version", version);
        cmd.ExecuteNonQuery();
    }

    public void MarkFailed(string documentId, int version, string failedStep, string error)
    {
        using var connection = Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = """
            UPDATE documents SET state = 'Failed', failed_step = $step, error = $error, updated_at = $now, completed_at = $now
            WHERE id = $id AND version = $version
            """;
        cmd.Parameters.AddWithValue("$step", failedStep);
        cmd.Parameters.AddWithValue("$error", error);
        cmd.Parameters.AddWithValue("$now", Now());
        cmd.Parameters.AddWithValue("$id", documentId);
        cmd.Parameters.AddWithValue("$version", version);
        cmd.ExecuteNonQuery();
    }

    public void RecordPendingChunks(string documentId, int version, IReadOnlyList<string> chunkIds)
    {
        using var connection = Open();
        using var tx = connection.BeginTransaction();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "INSERT OR IGNORE INTO pending_chunks (document_id, version, chunk_id) VALUES ($doc, $version, $chunk)";
        var doc = cmd.Parameters.Add("$doc", SqliteType.Text);
        var ver = cmd.Parameters.Add("$version", SqliteType.Integer);
        var chunk = cmd.Parameters.Add("$chunk", SqliteType.Text);
        doc.Value = documentId;
        ver.Value = version;
        foreach (var id in chunkIds)
        {
            chunk.Value = id;
            cmd.ExecuteNonQuery();
        }

        tx.Commit();
    }

    public void CommitVersion(string documentId, int version, IReadOnlyList<Chunk> chunks)
    {
        using var connection = Open();
        using var tx = connection.BeginTransaction();
        using (var delete = connection.CreateCommand())
        {
            delete.CommandText = """
                DELETE FROM chunks WHERE document_id = $doc;
                DELETE FROM pending_chunks WHERE document_id = $doc;
                """;
            delete.Parameters.AddWithValue("$doc", documentId);
            delete.ExecuteNonQuery();
        }

        using (var insert = connection.CreateCommand())
        {
            insert.CommandText = """
                INSERT INTO chunks (id, document_id, version, ordinal, text, index_text, title, file_name, section_path,
                    page_start, page_end, block_ids, token_count, content_hash)
                VALUES ($id, $doc, $version, $ordinal, $text, $indexText, $title, $file, $section, $pageStart, $pageEnd,
                    $blocks, $tokens, $hash)
                """;
            string[] names = ["$id", "$doc", "$version", "$ordinal", "$text", "$indexText", "$title", "$file", "$section",
                "$pageStart", "$pageEnd", "$blocks", "$tokens", "$hash"];
            foreach (var name in names)
            {
                insert.Parameters.Add(new SqliteParameter { ParameterName = name });
            }

            foreach (var c in chunks)
            {
                object?[] values = [c.Id, c.DocumentId, c.DocumentVersion, c.Ordinal, c.Text, c.IndexText, c.Title, c.FileName,
                    JsonSerializer.Serialize(c.SectionPath, Json), c.PageStart, c.PageEnd,
                    JsonSerializer.Serialize(c.BlockIds, Json), c.TokenCount, c.ContentHash];
                for (var i = 0; i < values.Length; i++)
                {
                    insert.Parameters[i].Value = values[i] ?? DBNull.Value;
                }

                insert.ExecuteNonQuery();
            }
        }

        using (var update = connection.CreateCommand())
        {
            update.CommandText = """
                UPDATE documents SET live_version = $version, state = 'Ready', progress = 1, chunk_count = $count,
                    updated_at = $now, completed_at = $now, failed_step = NULL, error = NULL
                WHERE id = $doc AND version = $version
                """;
            update.Parameters.AddWithValue("$version", version);
            update.Parameters.AddWithValue("$count", chunks.Count);
            update.Parameters.AddWithValue("$now", Now());
            update.Parameters.AddWithValue("$doc", documentId);
            update.ExecuteNonQuery();
        }

        tx.Commit();
    }

    public IReadOnlyList<string>? Delete(string documentId)
    {
        using var connection = Open();
        using var tx = connection.BeginTransaction();
        if (Get(connection, documentId) is null)
        {
            return null;
        }

        var ids = ChunkIdsOf(connection, documentId);
        using var cmd = connection.CreateCommand();
        cmd.CommandText = """
            DELETE FROM chunks WHERE document_id = $doc;
            DELETE FROM pending_chunks WHERE document_id = $doc;
            DELETE FROM doc_tags WHERE document_id = $doc;
            DELETE FROM documents WHERE id = $doc;
            """;
        cmd.Parameters.AddWithValue("$doc", documentId);
        cmd.ExecuteNonQuery();
        tx.Commit();
        return ids;
    }

    public IReadOnlyList<Chunk> GetChunks(string documentId)
    {
        using var connection = Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = $"{ChunkSelect} WHERE c.document_id = $doc ORDER BY c.ordinal";
        cmd.Parameters.AddWithValue("$doc", documentId);
        return ReadChunks(cmd);
    }

    public IReadOnlyList<Chunk> GetChunksByIds(IReadOnlyCollection<string> chunkIds)
    {
        if (chunkIds.Count == 0)
        {
            return [];
        }

        using var connection = Open();
        var result = new List<Chunk>(chunkIds.Count);
        // Bound the statement size: SQLite allows 32k parameters, a few hundred per query is plenty.
        foreach (var batch in chunkIds.Chunk(500))
        {
            using var cmd = connection.CreateCommand();
            var names = new string[batch.Length];
            for (var i = 0; i < batch.Length; i++)
            {
                names[i] = "$p" + i.ToString(CultureInfo.InvariantCulture);
                cmd.Parameters.AddWithValue(names[i], batch[i]);
            }

            cmd.CommandText = $"{ChunkSelect} WHERE c.id IN ({string.Join(',', names)})";
            result.AddRange(ReadChunks(cmd));
        }

        return result;
    }

    public IReadOnlyList<string> ChunkIdsOf(string documentId)
    {
        using var connection = Open();
        return ChunkIdsOf(connection, documentId);
    }

    public IReadOnlySet<string>? ChunkIdsMatching(SearchFilter filter)
    {
        if (filter.IsEmpty)
        {
            return null;
        }

        using var connection = Open();
        using var cmd = connection.CreateCommand();
        var where = new List<string>();
        if (filter.DocumentIds is { Count: > 0 } ids)
        {
            var names = ids.Select((id, i) =>
            {
                var name = "$d" + i.ToString(CultureInfo.InvariantCulture);
                cmd.Parameters.AddWithValue(name, id);
                return name;
            }).ToList();
            where.Add($"c.document_id IN ({string.Join(',', names)})");
        }

        if (filter.Tags is { Count: > 0 } tags)
        {
            var i = 0;
            foreach (var (key, value) in tags)
            {
                var k = "$k" + i.ToString(CultureInfo.InvariantCulture);
                var v = "$v" + i.ToString(CultureInfo.InvariantCulture);
                cmd.Parameters.AddWithValue(k, key);
                cmd.Parameters.AddWithValue(v, value);
                where.Add($"EXISTS (SELECT 1 FROM doc_tags t WHERE t.document_id = c.document_id AND t.key = {k} AND t.value = {v})");
                i++;
            }
        }

        cmd.CommandText = $"SELECT c.id FROM chunks c WHERE {string.Join(" AND ", where)}";
        var set = new HashSet<string>(StringComparer.Ordinal);
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            set.Add(reader.GetString(0));
        }

        return set;
    }

    public void Dispose()
    {
        // Pooled connections keep the file open; clear them so the index folder can be deleted.
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private const string ChunkSelect = """
        SELECT c.id, c.document_id, c.version, c.ordinal, c.text, c.index_text, c.title, c.file_name, c.section_path,
            c.page_start, c.page_end, c.block_ids, c.token_count, c.content_hash, d.tags
        FROM chunks c JOIN documents d ON d.id = c.document_id
        """;

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private static IReadOnlyList<string> ChunkIdsOf(SqliteConnection connection, string documentId)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = """
            SELECT id FROM chunks WHERE document_id = $doc
            UNION SELECT chunk_id FROM pending_chunks WHERE document_id = $doc
            """;
        cmd.Parameters.AddWithValue("$doc", documentId);
        var ids = new List<string>();
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    private static void ReplaceTags(SqliteConnection connection, string documentId, IReadOnlyDictionary<string, string> tags)
    {
        using var delete = connection.CreateCommand();
        delete.CommandText = "DELETE FROM doc_tags WHERE document_id = $doc";
        delete.Parameters.AddWithValue("$doc", documentId);
        delete.ExecuteNonQuery();
        foreach (var (key, value) in tags)
        {
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO doc_tags (document_id, key, value) VALUES ($doc, $key, $value)";
            insert.Parameters.AddWithValue("$doc", documentId);
            insert.Parameters.AddWithValue("$key", key);
            insert.Parameters.AddWithValue("$value", value);
            insert.ExecuteNonQuery();
        }
    }

    private static DocumentStatus? Get(SqliteConnection connection, string documentId)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT * FROM documents WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", documentId);
        return ReadStatuses(cmd).FirstOrDefault();
    }

    private static List<DocumentStatus> ReadStatuses(SqliteCommand cmd)
    {
        var list = new List<DocumentStatus>();
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            list.Add(new DocumentStatus
            {
                DocumentId = r.GetString(r.GetOrdinal("id")),
                Version = r.GetInt32(r.GetOrdinal("version")),
                LiveVersion = r.GetInt32(r.GetOrdinal("live_version")),
                FileName = r.GetString(r.GetOrdinal("file_name")),
                ContentHash = r.GetString(r.GetOrdinal("content_hash")),
                SizeBytes = r.GetInt64(r.GetOrdinal("size_bytes")),
                Format = Enum.Parse<DocumentFormat>(r.GetString(r.GetOrdinal("format"))),
                Tags = JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(r.GetOrdinal("tags")), Json) ?? [],
                State = Enum.Parse<DocumentState>(r.GetString(r.GetOrdinal("state"))),
                Progress = r.GetDouble(r.GetOrdinal("progress")),
                FailedStep = NullableString(r, "failed_step"),
                Error = NullableString(r, "error"),
                Title = NullableString(r, "title"),
                PageCount = r.GetInt32(r.GetOrdinal("page_count")),
                ChunkCount = r.GetInt32(r.GetOrdinal("chunk_count")),
                CreatedAt = ParseTime(r.GetString(r.GetOrdinal("created_at"))),
                UpdatedAt = ParseTime(r.GetString(r.GetOrdinal("updated_at"))),
                StartedAt = NullableString(r, "started_at") is { } s ? ParseTime(s) : null,
                CompletedAt = NullableString(r, "completed_at") is { } c ? ParseTime(c) : null,
            });
        }

        return list;
    }

    private static List<Chunk> ReadChunks(SqliteCommand cmd)
    {
        var list = new List<Chunk>();
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            list.Add(new Chunk
            {
                Id = r.GetString(0),
                DocumentId = r.GetString(1),
                DocumentVersion = r.GetInt32(2),
                Ordinal = r.GetInt32(3),
                Text = r.GetString(4),
                IndexText = r.GetString(5),
                Title = r.IsDBNull(6) ? null : r.GetString(6),
                FileName = r.IsDBNull(7) ? null : r.GetString(7),
                SectionPath = JsonSerializer.Deserialize<string[]>(r.GetString(8), Json) ?? [],
                PageStart = r.GetInt32(9),
                PageEnd = r.GetInt32(10),
                BlockIds = JsonSerializer.Deserialize<string[]>(r.GetString(11), Json) ?? [],
                TokenCount = r.GetInt32(12),
                ContentHash = r.GetString(13),
                Tags = JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(14), Json) ?? [],
            });
        }

        return list;
    }

    private static string? NullableString(SqliteDataReader r, string column)
    {
        var ordinal = r.GetOrdinal(column);
        return r.IsDBNull(ordinal) ? null : r.GetString(ordinal);
    }

    private static bool TagsEqual(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);

    private static string Now() => DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseTime(string s) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
}
