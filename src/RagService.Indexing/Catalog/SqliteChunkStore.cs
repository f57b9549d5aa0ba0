using Microsoft.Data.Sqlite;
using RagService.Core.Chunks;
using RagService.Core.Indexes;
using RagService.Core.Jobs;

namespace RagService.Indexing.Catalog;

/// <summary>The live chunks and pending chunk ids of an index, in its SQLite catalog.</summary>
internal sealed class SqliteChunkStore(CatalogDatabase database) : IChunkStore
{
    // SQLite allows 32k parameters; a few hundred per statement keeps each one small.
    private const int IdsPerStatement = 500;

    public Task<IReadOnlyList<Chunk>> GetChunksAsync(string documentId, CancellationToken ct) =>
        database.RunAsync<IReadOnlyList<Chunk>>(connection =>
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = $"{ChunkRows.Select} WHERE c.document_id = $doc ORDER BY c.ordinal";
            cmd.Parameters.AddWithValue("$doc", documentId);
            return ChunkRows.Read(cmd);
        }, ct);

    public Task<IReadOnlyList<Chunk>> GetChunksByIdsAsync(IReadOnlyCollection<string> chunkIds, CancellationToken ct) =>
        SelectInAsync("c.id", chunkIds, ct);

    public Task<IReadOnlyList<Chunk>> GetDuplicatesOfAsync(IReadOnlyCollection<string> chunkIds, CancellationToken ct) =>
        SelectInAsync("c.duplicate_of", chunkIds, ct);

    /// <summary>Live chunks whose <paramref name="column"/> is one of <paramref name="values"/>, in batches of bound parameters.</summary>
    private Task<IReadOnlyList<Chunk>> SelectInAsync(string column, IReadOnlyCollection<string> values, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return ct.IsCancellationRequested ? Task.FromCanceled<IReadOnlyList<Chunk>>(ct) : Task.FromResult<IReadOnlyList<Chunk>>([]);
        }

        return database.RunAsync<IReadOnlyList<Chunk>>(connection =>
        {
            var result = new List<Chunk>(values.Count);
            foreach (var batch in values.Chunk(IdsPerStatement))
            {
                using var cmd = connection.CreateCommand();
                cmd.CommandText = $"{ChunkRows.Select} WHERE {column} IN ({CatalogDatabase.InList(cmd, batch)})";
                result.AddRange(ChunkRows.Read(cmd));
            }

            return result;
        }, ct);
    }

    public Task<IReadOnlyList<Chunk>> GetSectionChunksAsync(string documentId, string? parentSectionId, CancellationToken ct) =>
        database.RunAsync<IReadOnlyList<Chunk>>(connection =>
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = $"{ChunkRows.Select} WHERE c.document_id = $doc AND c.parent_section_id IS $section ORDER BY c.ordinal";
            cmd.Parameters.AddWithValue("$doc", documentId);
            cmd.Parameters.AddWithValue("$section", (object?)parentSectionId ?? DBNull.Value);
            return ChunkRows.Read(cmd);
        }, ct);

    public Task RecordPendingChunksAsync(string documentId, int version, IReadOnlyList<string> chunkIds, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(chunkIds);
        return database.RunAsync(connection =>
        {
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
        }, ct);
    }

    public Task<IReadOnlyList<string>> ChunkIdsOfAsync(string documentId, CancellationToken ct) =>
        database.RunAsync(connection => ChunkRows.IdsOf(connection, documentId), ct);

    public Task<IReadOnlySet<string>?> ChunkIdsMatchingAsync(SearchFilter filter, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (filter.IsEmpty)
        {
            return ct.IsCancellationRequested ? Task.FromCanceled<IReadOnlySet<string>?>(ct) : Task.FromResult<IReadOnlySet<string>?>(null);
        }

        return database.RunAsync<IReadOnlySet<string>?>(connection =>
        {
            // One read transaction: the generation and the ids come from the same snapshot of the catalog.
            using var tx = connection.BeginTransaction(deferred: true);
            using var cmd = connection.CreateCommand();
            cmd.CommandText = $"SELECT c.id FROM chunks c WHERE {ChunkFilterSql.Where(cmd, filter)}";
            var key = AllowedSetCache.Key(cmd);
            var generation = AllowedSetCache.Generation(connection);
            if (_allowed.TryGet(key, generation, out var cached))
            {
                return cached;
            }

            var set = Matching(connection, cmd, filter);
            _allowed.Put(key, generation, set);
            return set;
        }, ct);
    }

    /// <summary>The allowed sets of the last few distinct filters (a reader's principals, tags), until the catalog changes.</summary>
    private readonly AllowedSetCache _allowed = new();

    private static HashSet<string>? Matching(SqliteConnection connection, SqliteCommand cmd, SearchFilter filter)
    {
        // An ACL restriction that hides no document of the index restricts nothing: the vector index then
        // searches its graph unfiltered instead of checking every candidate against the whole index's ids.
        if (filter with { Principals = null } is { IsEmpty: true } && !DocumentAcl.AnyHidden(connection, filter.Principals!))
        {
            return null;
        }

        var set = new HashSet<string>(StringComparer.Ordinal);
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            set.Add(reader.GetString(0));
        }

        return set;
    }
}
