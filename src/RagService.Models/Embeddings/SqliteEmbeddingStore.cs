using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using RagService.Core.Models;

namespace RagService.Models.Embeddings;

/// <summary>
/// The durable embedding cache: one SQLite file, rows keyed by (model name, max tokens, purpose, SHA-256
/// of the text), since any of these changes the vector. Each write commits (fsync'd), so an ingestion that
/// stops half-way keeps what it paid for.
/// </summary>
internal sealed class SqliteEmbeddingStore : IEmbeddingStore
{
    // SQLite allows 32766 host parameters; stay far below so statements stay cheap to prepare.
    private const int LookupChunk = 400;

    private readonly string _connectionString;
    private readonly string _model;
    private readonly int _maxTokens;

    public SqliteEmbeddingStore(string databasePath, string model, int maxTokens)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        _model = model;
        _maxTokens = maxTokens;
        var folder = Path.GetDirectoryName(Path.GetFullPath(databasePath));
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            DefaultTimeout = 30,
            Pooling = true,
        }.ToString();

        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS embeddings (
                model TEXT NOT NULL,
                max_tokens INTEGER NOT NULL,
                purpose INTEGER NOT NULL,
                text_sha256 BLOB NOT NULL,
                vector BLOB NOT NULL,
                PRIMARY KEY (model, max_tokens, purpose, text_sha256)
            ) WITHOUT ROWID;
            """;
        command.ExecuteNonQuery();
    }

    public async Task<Dictionary<string, float[]>> LookupAsync(IReadOnlyList<byte[]> hashes, EmbeddingPurpose purpose, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, float[]>(StringComparer.Ordinal);
        await using var connection = Open();
        foreach (var chunk in hashes.DistinctBy(Convert.ToHexString).Chunk(LookupChunk))
        {
            await using var command = connection.CreateCommand();
            var names = new string[chunk.Length];
            for (var i = 0; i < chunk.Length; i++)
            {
                names[i] = "$h" + i;
                command.Parameters.AddWithValue(names[i], chunk[i]);
            }

            command.CommandText = $"""
                SELECT text_sha256, vector FROM embeddings
                WHERE model = $model AND max_tokens = $maxTokens AND purpose = $purpose
                  AND text_sha256 IN ({string.Join(", ", names)})
                """;
            AddKeyParameters(command, purpose);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var hash = (byte[])reader[0];
                var blob = (byte[])reader[1];
                found[Convert.ToHexString(hash)] = MemoryMarshal.Cast<byte, float>(blob).ToArray();
            }
        }

        return found;
    }

    public async Task StoreAsync(IReadOnlyList<byte[]> hashes, IReadOnlyList<float[]> vectors, EmbeddingPurpose purpose, CancellationToken cancellationToken)
    {
        await using var connection = Open();
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT OR REPLACE INTO embeddings (model, max_tokens, purpose, text_sha256, vector)
            VALUES ($model, $maxTokens, $purpose, $hash, $vector)
            """;
        AddKeyParameters(command, purpose);
        var hash = command.Parameters.Add("$hash", SqliteType.Blob);
        var vector = command.Parameters.Add("$vector", SqliteType.Blob);
        for (var i = 0; i < hashes.Count; i++)
        {
            hash.Value = hashes[i];
            vector.Value = MemoryMarshal.AsBytes(vectors[i].AsSpan()).ToArray();
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    private void AddKeyParameters(SqliteCommand command, EmbeddingPurpose purpose)
    {
        command.Parameters.AddWithValue("$model", _model);
        command.Parameters.AddWithValue("$maxTokens", _maxTokens);
        command.Parameters.AddWithValue("$purpose", (int)purpose);
    }
}
