using Microsoft.Data.Sqlite;
using RagService.Core.Jobs;

namespace RagService.Indexing.Catalog;

/// <summary>
/// MinHash signatures and LSH band keys of the live chunks, in the SQLite catalog: the lookups behind
/// exact and near-duplicate detection. The job store writes them with the chunks (<see cref="Insert"/>).
/// </summary>
internal sealed class SqliteDuplicateIndex(CatalogDatabase database) : IDuplicateIndex
{
    private const int ValuesPerStatement = 400;

    /// <summary>
    /// Only documents with the same ACL as the new one: a link would let a duplicate be collapsed into (or
    /// stand for) text its reader may not see. The tenant is already the same: each tenant has its own catalogs.
    /// </summary>
    private const string SameAcl = """
        COALESCE((SELECT o.acl FROM documents o WHERE o.id = c.document_id), '["tenant"]')
            = COALESCE((SELECT n.acl FROM documents n WHERE n.id = $exclude), '["tenant"]')
        """;

    public Task<IReadOnlyList<DuplicateCandidate>> FindCandidatesAsync(
        string excludeDocumentId, IReadOnlyCollection<string> contentHashes, IReadOnlyCollection<string> bandKeys, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(contentHashes);
        ArgumentNullException.ThrowIfNull(bandKeys);
        return database.RunAsync<IReadOnlyList<DuplicateCandidate>>(connection =>
        {
            var found = new Dictionary<string, DuplicateCandidate>(StringComparer.Ordinal);
            foreach (var batch in contentHashes.Distinct(StringComparer.Ordinal).Chunk(ValuesPerStatement))
            {
                ReadCandidates(connection, excludeDocumentId, batch, """
                    SELECT c.id, c.document_id, c.content_hash, s.minhash, c.text FROM chunks c
                    LEFT JOIN chunk_signatures s ON s.chunk_id = c.id
                    WHERE c.content_hash IN ({0}) AND c.duplicate_of IS NULL AND c.document_id <> $exclude AND {SameAcl}
                    """, found);
            }

            foreach (var batch in bandKeys.Distinct(StringComparer.Ordinal).Chunk(ValuesPerStatement))
            {
                ReadCandidates(connection, excludeDocumentId, batch, """
                    SELECT DISTINCT c.id, c.document_id, c.content_hash, s.minhash, c.text FROM chunk_bands b
                    JOIN chunks c ON c.id = b.chunk_id
                    LEFT JOIN chunk_signatures s ON s.chunk_id = c.id
                    WHERE b.band_key IN ({0}) AND c.duplicate_of IS NULL AND c.document_id <> $exclude AND {SameAcl}
                    """, found);
            }

            return found.Values.ToList();
        }, ct);
    }

    public Task<IReadOnlyList<string>> RequeueOrphanedDuplicatesAsync(CancellationToken ct) =>
        database.RunAsync<IReadOnlyList<string>>(connection =>
        {
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
                        updated_at = $now, started_at = NULL, completed_at = NULL, attempts = 0, seq = (SELECT COALESCE(MAX(seq), 0) + 1 FROM documents)
                    WHERE id = $doc AND state IN ('Ready', 'Failed')
                    """;
                requeue.Parameters.AddWithValue("$now", CatalogDatabase.Now());
                requeue.Parameters.AddWithValue("$doc", id);
                requeue.ExecuteNonQuery();
            }

            tx.Commit();
            return ids;
        }, ct);

    public Task<IReadOnlyList<ChunkSignature>> SignaturesOfAsync(string documentId, CancellationToken ct) =>
        database.RunAsync<IReadOnlyList<ChunkSignature>>(connection =>
        {
            var bands = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            using (var readBands = connection.CreateCommand())
            {
                readBands.CommandText = "SELECT chunk_id, band_key FROM chunk_bands WHERE document_id = $doc ORDER BY rowid";
                readBands.Parameters.AddWithValue("$doc", documentId);
                using var r = readBands.ExecuteReader();
                while (r.Read())
                {
                    var chunkId = r.GetString(0);
                    if (!bands.TryGetValue(chunkId, out var keys))
                    {
                        bands[chunkId] = keys = [];
                    }

                    keys.Add(r.GetString(1));
                }
            }

            using var cmd = connection.CreateCommand();
            cmd.CommandText = "SELECT chunk_id, minhash FROM chunk_signatures WHERE document_id = $doc ORDER BY rowid";
            cmd.Parameters.AddWithValue("$doc", documentId);
            var signatures = new List<ChunkSignature>();
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                var chunkId = reader.GetString(0);
                signatures.Add(new ChunkSignature(chunkId, (byte[])reader[1], bands.TryGetValue(chunkId, out var keys) ? keys : []));
            }

            return signatures;
        }, ct);

    /// <summary>Writes the signatures and band keys of a document inside the caller's transaction.</summary>
    public static void Insert(SqliteConnection connection, string documentId, IReadOnlyList<ChunkSignature> signatures)
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

    private static void ReadCandidates(SqliteConnection connection, string excludeDocumentId, string[] values, string sqlTemplate,
        Dictionary<string, DuplicateCandidate> found)
    {
        using var cmd = connection.CreateCommand();
        var names = CatalogDatabase.InList(cmd, values);
        cmd.Parameters.AddWithValue("$exclude", excludeDocumentId);
        cmd.CommandText = string.Format(System.Globalization.CultureInfo.InvariantCulture, sqlTemplate.Replace("{SameAcl}", SameAcl, StringComparison.Ordinal), names);
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            var id = reader.GetString(0);
            found.TryAdd(id, new DuplicateCandidate(id, reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : (byte[])reader[3], reader.GetString(4)));
        }
    }
}
