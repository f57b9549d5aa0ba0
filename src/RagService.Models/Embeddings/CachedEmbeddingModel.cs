using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using RagService.Core.Models;

namespace RagService.Models.Embeddings;

/// <summary>
/// Remembers embeddings in SQLite so that re-ingesting unchanged text or re-running an evaluation
/// does no model work (the model is the ingestion bottleneck: tens of texts a second on 2 cores).
/// The key is (model name, max tokens, purpose, SHA-256 of the text): any of these changes the vector.
/// </summary>
public sealed class CachedEmbeddingModel : IEmbeddingModel, IDisposable
{
    // SQLite allows 32766 host parameters; stay far below so statements stay cheap to prepare.
    private const int LookupChunk = 400;

    private readonly IEmbeddingModel _inner;
    private readonly string _connectionString;
    private readonly bool _ownsInner;

    /// <param name="inner">The model that computes misses.</param>
    /// <param name="databasePath">SQLite file; created with its folder when missing.</param>
    /// <param name="ownsInner">Dispose <paramref name="inner"/> with this instance.</param>
    public CachedEmbeddingModel(IEmbeddingModel inner, string databasePath, bool ownsInner = false)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        _inner = inner;
        _ownsInner = ownsInner;
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

    public string Name => _inner.Name;

    public int Dimensions => _inner.Dimensions;

    public int MaxTokens => _inner.MaxTokens;

    public int CountTokens(string text) => _inner.CountTokens(text);

    public async Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, EmbeddingPurpose purpose, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var result = new float[texts.Count][];
        var hashes = texts.Select(t => SHA256.HashData(Encoding.UTF8.GetBytes(t ?? string.Empty))).ToArray();
        var clock = Stopwatch.StartNew();
        var found = await LookupAsync(hashes, purpose, cancellationToken).ConfigureAwait(false);
        EmbeddingMetrics.RecordLookup(clock.Elapsed.TotalMilliseconds, Name, purpose);

        // Duplicate texts in one request are embedded once.
        var missing = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < texts.Count; i++)
        {
            var key = Convert.ToHexString(hashes[i]);
            if (found.TryGetValue(key, out var vector))
            {
                result[i] = (float[])vector.Clone();
            }
            else if (missing.TryGetValue(key, out var positions))
            {
                positions.Add(i);
            }
            else
            {
                missing[key] = [i];
            }
        }

        if (missing.Count == 0)
        {
            return result;
        }

        var firsts = missing.Values.Select(p => p[0]).ToArray();
        clock.Restart();
        var computed = await _inner.EmbedAsync(firsts.Select(i => texts[i]).ToArray(), purpose, cancellationToken).ConfigureAwait(false);
        EmbeddingMetrics.RecordInference(clock.Elapsed.TotalMilliseconds, Name, purpose);
        var k = 0;
        foreach (var positions in missing.Values)
        {
            foreach (var i in positions)
            {
                result[i] = positions.Count == 1 ? computed[k] : (float[])computed[k].Clone();
            }

            k++;
        }

        clock.Restart();
        await StoreAsync(firsts.Select(i => hashes[i]).ToArray(), computed, purpose, cancellationToken).ConfigureAwait(false);
        EmbeddingMetrics.RecordWrite(clock.Elapsed.TotalMilliseconds, Name, purpose);
        return result;
    }

    public void Dispose()
    {
        if (_ownsInner && _inner is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    private async Task<Dictionary<string, float[]>> LookupAsync(byte[][] hashes, EmbeddingPurpose purpose, CancellationToken cancellationToken)
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

    private async Task StoreAsync(byte[][] hashes, float[][] vectors, EmbeddingPurpose purpose, CancellationToken cancellationToken)
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
        for (var i = 0; i < hashes.Length; i++)
        {
            hash.Value = hashes[i];
            vector.Value = MemoryMarshal.AsBytes(vectors[i].AsSpan()).ToArray();
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private void AddKeyParameters(SqliteCommand command, EmbeddingPurpose purpose)
    {
        command.Parameters.AddWithValue("$model", _inner.Name);
        command.Parameters.AddWithValue("$maxTokens", _inner.MaxTokens);
        command.Parameters.AddWithValue("$purpose", (int)purpose);
    }
}
