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
            """);
        AddMissingChunkColumns(connection);
    }

    /// <summary>
    /// Hierarchy and duplicate columns arrived after the first catalogs were written: add them to an
    /// existing chunks table (SQLite has no ADD COLUMN IF NOT EXISTS, so check the table first).
    /// </summary>
    private static void AddMissingChunkColumns(SqliteConnection connection)
    {
        var existing = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        using (var info = connection.CreateCommand())
        {
            info.CommandText = "PRAGMA table_info(chunks)";
            using var reader = info.ExecuteReader();
            while (reader.Read())
            {
                existing.Add(reader.GetString(1));
            }
        }

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
        ];
        var added = columns.Where(c => !existing.Contains(c.Name)).ToList();
        foreach (var (name, type) in added)
        {
            Execute(connection, $"ALTER TABLE chunks ADD COLUMN {name} {type}");
        }

        if (added.Any(c => c.Name is "section_key" or "document_date"))
        {
            BackfillFilterColumns(connection);
        }

        Execute(connection, """
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
                var path = JsonSerializer.Deserialize<string[]>(r.GetString(1), Json) ?? [];
                var tags = r.IsDBNull(2) ? [] : JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(2), Json) ?? [];
                DateTimeOffset? date = r.IsDBNull(3) ? SearchFilter.DateTag(tags) : SearchFilter.DocumentDateOf(tags, ParseTime(r.GetString(3)));
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

    public void CommitVersion(string documentId, int version, IReadOnlyList<Chunk> chunks) =>
        CommitVersion(documentId, version, chunks, []);

    public void CommitVersion(string documentId, int version, IReadOnlyList<Chunk> chunks, IReadOnlyList<ChunkSignature> signatures)
    {
        using var connection = Open();
        using var tx = connection.BeginTransaction();
        using (var delete = connection.CreateCommand())
        {
            delete.CommandText = """
                DELETE FROM chunks WHERE document_id = $doc;
                DELETE FROM pending_chunks WHERE document_id = $doc;
                DELETE FROM chunk_signatures WHERE document_id = $doc;
                DELETE FROM chunk_bands WHERE document_id = $doc;
                """;
            delete.Parameters.AddWithValue("$doc", documentId);
            delete.ExecuteNonQuery();
        }

        InsertSignatures(connection, documentId, signatures);

        using (var insert = connection.CreateCommand())
        {
            insert.CommandText = """
                INSERT INTO chunks (id, document_id, version, ordinal, text, index_text, title, file_name, section_path,
                    page_start, page_end, block_ids, token_count, content_hash, section_levels, boxes, previous_chunk_id,
                    next_chunk_id, parent_section_id, duplicate_of, section_key, document_date)
                VALUES ($id, $doc, $version, $ordinal, $text, $indexText, $title, $file, $section, $pageStart, $pageEnd,
                    $blocks, $tokens, $hash, $levels, $boxes, $previous, $next, $parent, $duplicateOf, $sectionKey, $date)
                """;
            string[] names = ["$id", "$doc", "$version", "$ordinal", "$text", "$indexText", "$title", "$file", "$section",
                "$pageStart", "$pageEnd", "$blocks", "$tokens", "$hash", "$levels", "$boxes", "$previous", "$next", "$parent", "$duplicateOf",
                "$sectionKey", "$date"];
            var documentDate = DocumentDate(connection, documentId);
            foreach (var name in names)
            {
                insert.Parameters.Add(new SqliteParameter { ParameterName = name });
            }

            foreach (var c in chunks)
            {
                object?[] values = [c.Id, c.DocumentId, c.DocumentVersion, c.Ordinal, c.Text, c.IndexText, c.Title, c.FileName,
                    JsonSerializer.Serialize(c.SectionPath, Json), c.PageStart, c.PageEnd,
                    JsonSerializer.Serialize(c.BlockIds, Json), c.TokenCount, c.ContentHash,
                    JsonSerializer.Serialize(c.SectionLevels, Json), JsonSerializer.Serialize(c.Boxes, Json),
                    c.PreviousChunkId, c.NextChunkId, c.ParentSectionId, c.DuplicateOf,
                    SearchFilter.SectionKey(c.SectionPath),
                    (c.DocumentDate ?? documentDate ?? SearchFilter.DateTag(c.Tags))?.ToUnixTimeMilliseconds()];
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
            DELETE FROM chunk_signatures WHERE document_id = $doc;
            DELETE FROM chunk_bands WHERE document_id = $doc;
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

    public bool IsBlobReferenced(string blobPath)
    {
        using var connection = Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT 1 FROM documents WHERE blob_path = $path LIMIT 1";
        cmd.Parameters.AddWithValue("$path", blobPath);
        return cmd.ExecuteScalar() is not null;
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

        if (filter.SectionPathPrefix is { Count: > 0 } prefix)
        {
            // section_key is the normalized path with a separator after every heading, so a prefix of headings
            // is a prefix of the key (substr, not LIKE, so '%' and '_' in headings are literal).
            cmd.Parameters.AddWithValue("$sectionPrefix", SearchFilter.SectionKey(prefix));
            where.Add("substr(c.section_key, 1, length($sectionPrefix)) = $sectionPrefix");
        }

        if (filter.ModifiedAfter is { } after)
        {
            cmd.Parameters.AddWithValue("$after", after.ToUnixTimeMilliseconds());
            where.Add("c.document_date >= $after");
        }

        if (filter.ModifiedBefore is { } before)
        {
            cmd.Parameters.AddWithValue("$before", before.ToUnixTimeMilliseconds());
            where.Add("c.document_date < $before");
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

    public IReadOnlyList<Chunk> GetSectionChunks(string documentId, string? parentSectionId)
    {
        using var connection = Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = $"{ChunkSelect} WHERE c.document_id = $doc AND c.parent_section_id IS $section ORDER BY c.ordinal";
        cmd.Parameters.AddWithValue("$doc", documentId);
        cmd.Parameters.AddWithValue("$section", (object?)parentSectionId ?? DBNull.Value);
        return ReadChunks(cmd);
    }

    public IReadOnlyList<DuplicateCandidate> FindDuplicateCandidates(
        string excludeDocumentId, IReadOnlyCollection<string> contentHashes, IReadOnlyCollection<string> bandKeys)
    {
        ArgumentNullException.ThrowIfNull(contentHashes);
        ArgumentNullException.ThrowIfNull(bandKeys);
        using var connection = Open();
        var found = new Dictionary<string, DuplicateCandidate>(StringComparer.Ordinal);
        foreach (var batch in contentHashes.Distinct(StringComparer.Ordinal).Chunk(400))
        {
            ReadCandidates(connection, excludeDocumentId, batch, """
                SELECT c.id, c.document_id, c.content_hash, s.minhash FROM chunks c
                LEFT JOIN chunk_signatures s ON s.chunk_id = c.id
                WHERE c.content_hash IN ({0}) AND c.duplicate_of IS NULL AND c.document_id <> $exclude
                """, found);
        }

        foreach (var batch in bandKeys.Distinct(StringComparer.Ordinal).Chunk(400))
        {
            ReadCandidates(connection, excludeDocumentId, batch, """
                SELECT DISTINCT c.id, c.document_id, c.content_hash, s.minhash FROM chunk_bands b
                JOIN chunks c ON c.id = b.chunk_id
                LEFT JOIN chunk_signatures s ON s.chunk_id = c.id
                WHERE b.band_key IN ({0}) AND c.duplicate_of IS NULL AND c.document_id <> $exclude
                """, found);
        }

        return found.Values.ToList();
    }

    public IReadOnlyList<string> RequeueOrphanedDuplicates()
    {
        using var connection = Open();
        using var tx = connection.BeginTransaction();
        var ids = new List<string>();
        using (var find = connection.CreateCommand())
        {
            find.CommandText = """
                SELECT DISTINCT c.document_id FROM chunks c
                WHERE c.duplicate_of IS NOT NULL AND NOT EXISTS (SELECT 1 FROM chunks o WHERE o.id = c.duplicate_of)
                """;
            using var reader = find.ExecuteReader();
            while (reader.Read())
            {
                ids.Add(reader.GetString(0));
            }
        }

        foreach (var id in ids)
        {
            // A new version of the same stored upload: the old one stays searchable until it commits.
            using var requeue = connection.CreateCommand();
            requeue.CommandText = """
                UPDATE documents SET version = version + 1, state = 'Queued', progress = 0, failed_step = NULL, error = NULL,
                    updated_at = $now, started_at = NULL, completed_at = NULL, seq = (SELECT COALESCE(MAX(seq), 0) + 1 FROM documents)
                WHERE id = $doc AND state IN ('Ready', 'Failed')
                """;
            requeue.Parameters.AddWithValue("$now", Now());
            requeue.Parameters.AddWithValue("$doc", id);
            requeue.ExecuteNonQuery();
        }

        tx.Commit();
        return ids;
    }

    public void Dispose()
    {
        // Pooled connections keep the file open; clear them so the index folder can be deleted.
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private const string ChunkSelect = """
        SELECT c.id, c.document_id, c.version, c.ordinal, c.text, c.index_text, c.title, c.file_name, c.section_path,
            c.page_start, c.page_end, c.block_ids, c.token_count, c.content_hash, d.tags,
            c.section_levels, c.boxes, c.previous_chunk_id, c.next_chunk_id, c.parent_section_id, c.duplicate_of,
            c.document_date
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

    private static void ReadCandidates(SqliteConnection connection, string excludeDocumentId, string[] values, string sqlTemplate,
        Dictionary<string, DuplicateCandidate> found)
    {
        using var cmd = connection.CreateCommand();
        var names = new string[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            names[i] = "$p" + i.ToString(CultureInfo.InvariantCulture);
            cmd.Parameters.AddWithValue(names[i], values[i]);
        }

        cmd.Parameters.AddWithValue("$exclude", excludeDocumentId);
        cmd.CommandText = string.Format(CultureInfo.InvariantCulture, sqlTemplate, string.Join(',', names));
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            var id = reader.GetString(0);
            found.TryAdd(id, new DuplicateCandidate(id, reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : (byte[])reader[3]));
        }
    }

    private static void InsertSignatures(SqliteConnection connection, string documentId, IReadOnlyList<ChunkSignature> signatures)
    {
        if (signatures.Count == 0)
        {
            return;
        }

        using var sig = connection.CreateCommand();
        sig.CommandText = "INSERT OR REPLACE INTO chunk_signatures (chunk_id, document_id, minhash) VALUES ($chunk, $doc, $minhash)";
        var sigChunk = sig.Parameters.Add("$chunk", SqliteType.Text);
        sig.Parameters.AddWithValue("$doc", documentId);
        var minhash = sig.Parameters.Add("$minhash", SqliteType.Blob);
        using var band = connection.CreateCommand();
        band.CommandText = "INSERT INTO chunk_bands (band_key, chunk_id, document_id) VALUES ($key, $chunk, $doc)";
        var bandKey = band.Parameters.Add("$key", SqliteType.Text);
        var bandChunk = band.Parameters.Add("$chunk", SqliteType.Text);
        band.Parameters.AddWithValue("$doc", documentId);
        foreach (var s in signatures)
        {
            sigChunk.Value = s.ChunkId;
            minhash.Value = s.MinHash;
            sig.ExecuteNonQuery();
            bandChunk.Value = s.ChunkId;
            foreach (var key in s.BandKeys)
            {
                bandKey.Value = key;
                band.ExecuteNonQuery();
            }
        }
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
                SectionLevels = JsonSerializer.Deserialize<int[]>(r.GetString(15), Json) ?? [],
                Boxes = JsonSerializer.Deserialize<PageBox[]>(r.GetString(16), Json) ?? [],
                PreviousChunkId = r.IsDBNull(17) ? null : r.GetString(17),
                NextChunkId = r.IsDBNull(18) ? null : r.GetString(18),
                ParentSectionId = r.IsDBNull(19) ? null : r.GetString(19),
                DuplicateOf = r.IsDBNull(20) ? null : r.GetString(20),
                DocumentDate = r.IsDBNull(21) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(21)),
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

    /// <summary>The document date from the document's row: its <c>date</c> tag, else its upload time; null without a row.</summary>
    private static DateTimeOffset? DocumentDate(SqliteConnection connection, string documentId)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT tags, created_at FROM documents WHERE id = $doc";
        cmd.Parameters.AddWithValue("$doc", documentId);
        using var r = cmd.ExecuteReader();
        if (!r.Read())
        {
            return null;
        }

        var tags = JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(0), Json) ?? [];
        return SearchFilter.DocumentDateOf(tags, ParseTime(r.GetString(1)));
    }

    private static string Now() => DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseTime(string s) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
}
