using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using RagService.Core.Documents;
using RagService.Core.Jobs;

namespace RagService.Indexing.Catalog;

/// <summary>
/// Document statuses and the durable job queue of an index, in its SQLite catalog. A document row holds the
/// status of its newest version; <see cref="CommitVersionAsync"/> swaps in a version's chunks and signatures
/// and marks it ready in one transaction, after both search indexes have committed.
/// </summary>
internal sealed class SqliteJobStore(CatalogDatabase database) : IJobStore, IJobAttempts
{
    /// <summary>Hashes bound per IN (...) query: far below SQLite's parameter limit, and a plan it can use the hash index for.</summary>
    private const int HashesPerQuery = 500;

    /// <summary>A document's state as its place in the pipeline (the enum's order), for sorting by state.</summary>
    private static readonly string StateRank =
        "CASE state " + string.Concat(Enum.GetValues<DocumentState>().Select(s => $"WHEN '{s}' THEN {(int)s} ")) + "END";

    public Task<EnqueueResult> EnqueueAsync(DocumentUpload upload, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(upload);
        return database.RunAsync(connection => Enqueue(connection, upload), ct);
    }

    public Task<DocumentStatus?> GetAsync(string documentId, CancellationToken ct) =>
        database.RunAsync(connection => Get(connection, documentId), ct);

    public Task<IReadOnlyList<DocumentStatus>> ListAsync(int offset, int limit, CancellationToken ct, IReadOnlySet<string>? principals = null,
        DocumentListing? listing = null) =>
        database.RunAsync<IReadOnlyList<DocumentStatus>>(connection =>
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = $"SELECT * FROM documents WHERE {DocumentAcl.Visible(cmd, "documents.id", principals)}{Matching(cmd, listing)} ORDER BY {OrderBy(listing)} LIMIT $limit OFFSET $offset";
            cmd.Parameters.AddWithValue("$limit", limit);
            cmd.Parameters.AddWithValue("$offset", offset);
            return ReadStatuses(cmd);
        }, ct);

    public Task<int> CountAsync(CancellationToken ct, IReadOnlySet<string>? principals = null, DocumentListing? listing = null) =>
        database.RunAsync(connection =>
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = $"SELECT COUNT(*) FROM documents WHERE {DocumentAcl.Visible(cmd, "documents.id", principals)}{Matching(cmd, listing)}";
            return Convert.ToInt32(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
        }, ct);

    /// <summary>The conditions of a listing (with their parameters), or nothing for every document.</summary>
    private static string Matching(SqliteCommand cmd, DocumentListing? listing)
    {
        if (listing is null)
        {
            return string.Empty;
        }

        var where = new System.Text.StringBuilder();
        if (listing.State is { } state)
        {
            cmd.Parameters.AddWithValue("$state", state.ToString());
            where.Append(" AND state = $state");
        }

        if (!string.IsNullOrEmpty(listing.NameContains))
        {
            // instr rather than LIKE: the text is matched as it is, % and _ included; lower() folds ASCII only, so
            // the text is folded the same way here.
            cmd.Parameters.AddWithValue("$name", AsciiLower(listing.NameContains));
            where.Append(" AND (instr(lower(id), $name) > 0 OR instr(lower(file_name), $name) > 0)");
        }

        if (listing.FailedStep is not null)
        {
            cmd.Parameters.AddWithValue("$failedStep", listing.FailedStep);
            where.Append(" AND state = 'Failed' AND failed_step = $failedStep");
        }

        if (listing.TagKey is not null)
        {
            cmd.Parameters.AddWithValue("$tagKey", listing.TagKey);
            where.Append(" AND EXISTS (SELECT 1 FROM doc_tags t WHERE t.document_id = documents.id AND t.key = $tagKey");
            if (listing.TagValue is not null)
            {
                cmd.Parameters.AddWithValue("$tagValue", listing.TagValue);
                where.Append(" AND t.value = $tagValue");
            }

            where.Append(')');
        }

        return where.ToString();
    }

    private static string AsciiLower(string text) =>
        string.Create(text.Length, text, (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = source[i] is >= 'A' and <= 'Z' ? (char)(source[i] + 32) : source[i];
            }
        });

    /// <summary>The ORDER BY of a listing: its key, then the enqueue order (the same direction) so pages never overlap.</summary>
    private static string OrderBy(DocumentListing? listing)
    {
        var direction = listing?.Descending == true ? " DESC" : string.Empty;
        var key = (listing?.Sort ?? DocumentSortKey.Enqueued) switch
        {
            DocumentSortKey.Name => $"file_name COLLATE NOCASE{direction}, id{direction}, ",
            DocumentSortKey.State => $"{StateRank}{direction}, ",
            DocumentSortKey.Updated => $"updated_at{direction}, ",
            DocumentSortKey.Chunks => $"chunk_count{direction}, ",
            _ => string.Empty,
        };
        return $"{key}seq{direction}";
    }

    public Task<DocumentCounts> CountByStateAsync(CancellationToken ct, IReadOnlySet<string>? principals = null) =>
        database.RunAsync(connection =>
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = $"""
                SELECT state, COUNT(*), SUM(CASE WHEN live_version > 0 THEN chunk_count ELSE 0 END), SUM(size_bytes)
                FROM documents WHERE {DocumentAcl.Visible(cmd, "documents.id", principals)} GROUP BY state
                """;
            using var r = cmd.ExecuteReader();
            var byState = new Dictionary<DocumentState, int>();
            long chunks = 0, bytes = 0;
            while (r.Read())
            {
                byState[Enum.Parse<DocumentState>(r.GetString(0))] = r.GetInt32(1);
                chunks += r.GetInt64(2);
                bytes += r.GetInt64(3);
            }

            return new DocumentCounts(byState, chunks, bytes);
        }, ct);

    public Task<IReadOnlyList<DocumentStatus>> FindByContentHashAsync(IReadOnlyCollection<string> contentHashes, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(contentHashes);
        return database.RunAsync<IReadOnlyList<DocumentStatus>>(connection =>
        {
            var found = new List<DocumentStatus>();
            foreach (var slice in contentHashes.Distinct(StringComparer.Ordinal).Chunk(HashesPerQuery))
            {
                using var cmd = connection.CreateCommand();
                var names = slice.Select((hash, i) =>
                {
                    cmd.Parameters.AddWithValue("$h" + i.ToString(CultureInfo.InvariantCulture), hash);
                    return "$h" + i.ToString(CultureInfo.InvariantCulture);
                });
                cmd.CommandText = $"SELECT * FROM documents WHERE content_hash IN ({string.Join(',', names)}) ORDER BY seq";
                found.AddRange(ReadStatuses(cmd));
            }

            return found;
        }, ct);
    }

    public Task<IReadOnlyList<DocumentStatus>> UnfinishedAsync(CancellationToken ct) =>
        database.RunAsync<IReadOnlyList<DocumentStatus>>(connection =>
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "SELECT * FROM documents WHERE state NOT IN ('Ready', 'Failed') ORDER BY seq";
            return ReadStatuses(cmd);
        }, ct);

    public Task<DocumentUpload?> GetUploadAsync(string documentId, CancellationToken ct) =>
        database.RunAsync(connection =>
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "SELECT id, file_name, blob_path, content_hash, size_bytes, format, tags, acl FROM documents WHERE id = $id";
            cmd.Parameters.AddWithValue("$id", documentId);
            using var reader = cmd.ExecuteReader();
            return reader.Read()
                ? new DocumentUpload(
                    reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4),
                    Enum.Parse<DocumentFormat>(reader.GetString(5)), CatalogDatabase.ParseTags(reader.GetString(6)))
                {
                    Acl = DocumentAcl.Parse(reader.IsDBNull(7) ? null : reader.GetString(7)),
                }
                : null;
        }, ct);

    public Task UpdateProgressAsync(string documentId, int version, JobProgress progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(progress);
        return database.RunAsync(connection =>
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = """
                UPDATE documents SET state = $state, progress = $progress, updated_at = $now,
                    started_at = COALESCE(started_at, $now), title = COALESCE($title, title), page_count = COALESCE($pages, page_count)
                WHERE id = $id AND version = $version
                """;
            cmd.Parameters.AddWithValue("$state", progress.State.ToString());
            cmd.Parameters.AddWithValue("$progress", Math.Clamp(progress.Progress, 0, 1));
            cmd.Parameters.AddWithValue("$now", CatalogDatabase.Now());
            cmd.Parameters.AddWithValue("$title", (object?)progress.Title ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$pages", (object?)progress.PageCount ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$id", documentId);
            cmd.Parameters.AddWithValue("$version", version);
            cmd.ExecuteNonQuery();
        }, ct);
    }

    public Task MarkFailedAsync(string documentId, int version, string failedStep, string error, CancellationToken ct) =>
        database.RunAsync(connection =>
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = """
                UPDATE documents SET state = 'Failed', failed_step = $step, error = $error, updated_at = $now, completed_at = $now
                WHERE id = $id AND version = $version
                """;
            cmd.Parameters.AddWithValue("$step", failedStep);
            cmd.Parameters.AddWithValue("$error", error);
            cmd.Parameters.AddWithValue("$now", CatalogDatabase.Now());
            cmd.Parameters.AddWithValue("$id", documentId);
            cmd.Parameters.AddWithValue("$version", version);
            cmd.ExecuteNonQuery();
        }, ct);

    public Task CommitVersionAsync(VersionCommit commit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(commit);
        return database.RunAsync(connection =>
        {
            // Chunks, signatures and the document row change together: the catalog never shows a
            // version's chunks without its Ready state, or another version's duplicate signatures.
            using var tx = connection.BeginTransaction();
            DeleteVersionData(connection, commit.DocumentId);
            SqliteDuplicateIndex.Insert(connection, commit.DocumentId, commit.Signatures);
            ChunkRows.Insert(connection, commit.DocumentId, commit.Chunks);
            using (var update = connection.CreateCommand())
            {
                update.CommandText = """
                    UPDATE documents SET live_version = $version, state = 'Ready', progress = 1, chunk_count = $count,
                        updated_at = $now, completed_at = $now, failed_step = NULL, error = NULL, attempts = 0
                    WHERE id = $doc AND version = $version
                    """;
                update.Parameters.AddWithValue("$version", commit.Version);
                update.Parameters.AddWithValue("$count", commit.Chunks.Count);
                update.Parameters.AddWithValue("$now", CatalogDatabase.Now());
                update.Parameters.AddWithValue("$doc", commit.DocumentId);
                update.ExecuteNonQuery();
            }

            tx.Commit();
        }, ct);
    }

    public Task<IReadOnlyList<string>?> DeleteAsync(string documentId, CancellationToken ct) =>
        database.RunAsync(connection =>
        {
            using var tx = connection.BeginTransaction();
            if (Get(connection, documentId) is null)
            {
                return null;
            }

            var ids = ChunkRows.IdsOf(connection, documentId);
            DeleteVersionData(connection, documentId);
            using var cmd = connection.CreateCommand();
            cmd.CommandText = """
                DELETE FROM doc_tags WHERE document_id = $doc;
                DELETE FROM doc_acl WHERE document_id = $doc;
                DELETE FROM documents WHERE id = $doc;
                """;
            cmd.Parameters.AddWithValue("$doc", documentId);
            cmd.ExecuteNonQuery();
            tx.Commit();
            return ids;
        }, ct);

    public Task<int> BeginAttemptAsync(string documentId, int version, CancellationToken ct) =>
        database.RunAsync(connection =>
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "UPDATE documents SET attempts = attempts + 1 WHERE id = $id AND version = $version RETURNING attempts";
            cmd.Parameters.AddWithValue("$id", documentId);
            cmd.Parameters.AddWithValue("$version", version);
            return cmd.ExecuteScalar() is { } attempts ? Convert.ToInt32(attempts, CultureInfo.InvariantCulture) : 0;
        }, ct);

    public Task ForgetAttemptAsync(string documentId, int version, CancellationToken ct) =>
        database.RunAsync(connection =>
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "UPDATE documents SET attempts = MAX(attempts - 1, 0) WHERE id = $id AND version = $version";
            cmd.Parameters.AddWithValue("$id", documentId);
            cmd.Parameters.AddWithValue("$version", version);
            cmd.ExecuteNonQuery();
        }, ct);

    public Task<bool> IsBlobReferencedAsync(string blobPath, CancellationToken ct) =>
        database.RunAsync(connection =>
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "SELECT 1 FROM documents WHERE blob_path = $path LIMIT 1";
            cmd.Parameters.AddWithValue("$path", blobPath);
            return cmd.ExecuteScalar() is not null;
        }, ct);

    public Task<bool> UpdateAccessAsync(string documentId, IReadOnlyList<string>? acl, IReadOnlyDictionary<string, string>? tags, CancellationToken ct) =>
        database.RunAsync(connection =>
        {
            using var tx = connection.BeginTransaction();
            if (Get(connection, documentId) is not { } existing)
            {
                return false;
            }

            using var cmd = connection.CreateCommand();
            cmd.CommandText = "UPDATE documents SET tags = $tags, acl = $acl, updated_at = $now WHERE id = $id";
            cmd.Parameters.AddWithValue("$id", documentId);
            cmd.Parameters.AddWithValue("$tags", JsonSerializer.Serialize(tags ?? existing.Tags, CatalogDatabase.Json));
            cmd.Parameters.AddWithValue("$acl", JsonSerializer.Serialize(acl ?? existing.Acl, CatalogDatabase.Json));
            cmd.Parameters.AddWithValue("$now", CatalogDatabase.Now());
            cmd.ExecuteNonQuery();
            if (tags is not null)
            {
                ReplaceTags(connection, documentId, tags);
                // The date filters compare the chunk's stored document date, which follows the date tag.
                using var date = connection.CreateCommand();
                date.CommandText = "UPDATE chunks SET document_date = $date WHERE document_id = $id";
                date.Parameters.AddWithValue("$id", documentId);
                date.Parameters.AddWithValue("$date", Core.Indexes.SearchFilter.DocumentDateOf(tags, existing.CreatedAt).ToUnixTimeMilliseconds());
                date.ExecuteNonQuery();
            }

            if (acl is not null)
            {
                DocumentAcl.Replace(connection, documentId, acl);
            }

            tx.Commit();
            return true;
        }, ct);

    private static EnqueueResult Enqueue(SqliteConnection connection, DocumentUpload upload)
    {
        using var tx = connection.BeginTransaction();
        var existing = Get(connection, upload.DocumentId);
        if (existing is not null && existing.ContentHash == upload.ContentHash && existing.State != DocumentState.Failed
            && TagsEqual(existing.Tags, upload.Tags) && existing.Acl.SequenceEqual(upload.Acl, StringComparer.Ordinal))
        {
            // The same bytes are already ingested or on their way: nothing to do.
            return new EnqueueResult(existing, Enqueued: false);
        }

        var now = CatalogDatabase.Now();
        var version = (existing?.Version ?? 0) + 1;
        using (var cmd = connection.CreateCommand())
        {
            cmd.CommandText = """
                INSERT INTO documents (id, version, live_version, file_name, content_hash, size_bytes, format, blob_path, tags,
                    acl, state, progress, created_at, updated_at, seq)
                VALUES ($id, $version, 0, $file, $hash, $size, $format, $blob, $tags, $acl, 'Queued', 0, $now, $now,
                    (SELECT COALESCE(MAX(seq), 0) + 1 FROM documents))
                ON CONFLICT(id) DO UPDATE SET version = $version, file_name = $file, content_hash = $hash, size_bytes = $size,
                    format = $format, blob_path = $blob, tags = $tags, acl = $acl, state = 'Queued', progress = 0, failed_step = NULL,
                    error = NULL, updated_at = $now, started_at = NULL, completed_at = NULL, attempts = 0,
                    seq = (SELECT COALESCE(MAX(seq), 0) + 1 FROM documents);
                """;
            cmd.Parameters.AddWithValue("$id", upload.DocumentId);
            cmd.Parameters.AddWithValue("$version", version);
            cmd.Parameters.AddWithValue("$file", upload.FileName);
            cmd.Parameters.AddWithValue("$hash", upload.ContentHash);
            cmd.Parameters.AddWithValue("$size", upload.SizeBytes);
            cmd.Parameters.AddWithValue("$format", upload.Format.ToString());
            cmd.Parameters.AddWithValue("$blob", upload.BlobPath);
            cmd.Parameters.AddWithValue("$tags", JsonSerializer.Serialize(upload.Tags, CatalogDatabase.Json));
            cmd.Parameters.AddWithValue("$acl", JsonSerializer.Serialize(upload.Acl, CatalogDatabase.Json));
            cmd.Parameters.AddWithValue("$now", now);
            cmd.ExecuteNonQuery();
        }

        ReplaceTags(connection, upload.DocumentId, upload.Tags);
        DocumentAcl.Replace(connection, upload.DocumentId, upload.Acl);
        tx.Commit();
        return new EnqueueResult(Get(connection, upload.DocumentId)!, Enqueued: true);
    }

    /// <summary>Removes a document's chunks, pending chunk ids and duplicate signatures (inside the caller's transaction).</summary>
    private static void DeleteVersionData(SqliteConnection connection, string documentId)
    {
        using var delete = connection.CreateCommand();
        delete.CommandText = """
            DELETE FROM chunks WHERE document_id = $doc;
            DELETE FROM pending_chunks WHERE document_id = $doc;
            DELETE FROM chunk_signatures WHERE document_id = $doc;
            DELETE FROM chunk_bands WHERE document_id = $doc;
            """;
        delete.Parameters.AddWithValue("$doc", documentId);
        delete.ExecuteNonQuery();
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
                Tags = CatalogDatabase.ParseTags(r.GetString(r.GetOrdinal("tags"))),
                Acl = DocumentAcl.Parse(NullableString(r, "acl")),
                State = Enum.Parse<DocumentState>(r.GetString(r.GetOrdinal("state"))),
                Progress = r.GetDouble(r.GetOrdinal("progress")),
                FailedStep = NullableString(r, "failed_step"),
                Error = NullableString(r, "error"),
                Title = NullableString(r, "title"),
                PageCount = r.GetInt32(r.GetOrdinal("page_count")),
                ChunkCount = r.GetInt32(r.GetOrdinal("chunk_count")),
                Attempts = r.GetInt32(r.GetOrdinal("attempts")),
                CreatedAt = CatalogDatabase.ParseTime(r.GetString(r.GetOrdinal("created_at"))),
                UpdatedAt = CatalogDatabase.ParseTime(r.GetString(r.GetOrdinal("updated_at"))),
                StartedAt = NullableString(r, "started_at") is { } s ? CatalogDatabase.ParseTime(s) : null,
                CompletedAt = NullableString(r, "completed_at") is { } c ? CatalogDatabase.ParseTime(c) : null,
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
}
