using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using RagService.Core.Security;

namespace RagService.Api.Security;

/// <summary>
/// API keys and tenants in <c>{data}/secrets/keys.db</c> (SQLite). Each authentication reads the key's row, so a
/// revocation holds for the very next request. The last-used time is written at most once a minute per key.
/// </summary>
public sealed class ApiKeyStore
{
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);
    private readonly string _connectionString;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastUsedWritten = new(StringComparer.Ordinal);

    public ApiKeyStore(string secretsFolder)
    {
        SecretsFolder = secretsFolder;
        SecretFiles.CreatePrivateFolder(secretsFolder);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(secretsFolder, "keys.db"), Pooling = true, DefaultTimeout = 30 }.ToString();
        using var connection = Open();
        Execute(connection, """
            PRAGMA journal_mode=WAL;
            CREATE TABLE IF NOT EXISTS api_keys (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                tenant TEXT NOT NULL,
                role TEXT NOT NULL,
                user_name TEXT,
                groups TEXT NOT NULL,
                salt BLOB NOT NULL,
                hash BLOB NOT NULL,
                created_at TEXT NOT NULL,
                expires_at TEXT,
                last_used_at TEXT,
                is_system INTEGER NOT NULL DEFAULT 0);
            CREATE TABLE IF NOT EXISTS tenants (name TEXT PRIMARY KEY, created_at TEXT NOT NULL);
            """);
        SecretFiles.RestrictToOwner(Path.Combine(secretsFolder, "keys.db"));
    }

    public string SecretsFolder { get; }

    /// <summary>Stores a key's hash under a record; the key is returned to the caller once and never kept.</summary>
    public void Add(ApiKeyRecord record, string key)
    {
        var salt = ApiKeys.NewSalt();
        using var connection = Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = """
            INSERT OR REPLACE INTO api_keys (id, name, tenant, role, user_name, groups, salt, hash, created_at, expires_at, is_system)
            VALUES ($id, $name, $tenant, $role, $user, $groups, $salt, $hash, $created, $expires, $system)
            """;
        cmd.Parameters.AddWithValue("$id", record.Id);
        cmd.Parameters.AddWithValue("$name", record.Name);
        cmd.Parameters.AddWithValue("$tenant", record.Tenant);
        cmd.Parameters.AddWithValue("$role", record.Role);
        cmd.Parameters.AddWithValue("$user", (object?)record.User ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$groups", JsonSerializer.Serialize(record.Groups));
        cmd.Parameters.AddWithValue("$salt", salt);
        cmd.Parameters.AddWithValue("$hash", ApiKeys.Hash(key, salt));
        cmd.Parameters.AddWithValue("$created", record.CreatedAt.ToString("O", CultureInfo.InvariantCulture));
        cmd.Parameters.AddWithValue("$expires", record.ExpiresAt is { } e ? e.ToString("O", CultureInfo.InvariantCulture) : DBNull.Value);
        cmd.Parameters.AddWithValue("$system", record.IsSystem ? 1 : 0);
        cmd.ExecuteNonQuery();
    }

    /// <summary>The live (unexpired) record the key belongs to, or null: unknown, revoked, expired or wrong secret.</summary>
    public ApiKeyRecord? Authenticate(string key, DateTimeOffset now)
    {
        using var connection = Open();
        var found = Find(connection, ApiKeys.IdOf(key) ?? ApiKeys.SystemKeyId);
        if (found is not { } row || !ApiKeys.Matches(key, row.Salt, row.Hash) || row.Record.ExpiresAt <= now)
        {
            return null;
        }

        if (!_lastUsedWritten.TryGetValue(row.Record.Id, out var written) || now - written > LastUsedResolution)
        {
            _lastUsedWritten[row.Record.Id] = now;
            using var touch = connection.CreateCommand();
            touch.CommandText = "UPDATE api_keys SET last_used_at = $now WHERE id = $id";
            touch.Parameters.AddWithValue("$now", now.ToString("O", CultureInfo.InvariantCulture));
            touch.Parameters.AddWithValue("$id", row.Record.Id);
            touch.ExecuteNonQuery();
        }

        return row.Record;
    }

    public ApiKeyRecord? Get(string id)
    {
        using var connection = Open();
        return Find(connection, id)?.Record;
    }

    /// <summary>The keys of a tenant (all tenants when null), oldest first.</summary>
    public IReadOnlyList<ApiKeyRecord> List(string? tenant)
    {
        using var connection = Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = $"SELECT {Columns} FROM api_keys WHERE $tenant IS NULL OR tenant = $tenant ORDER BY created_at, id";
        cmd.Parameters.AddWithValue("$tenant", (object?)tenant ?? DBNull.Value);
        using var r = cmd.ExecuteReader();
        var list = new List<ApiKeyRecord>();
        while (r.Read())
        {
            list.Add(Read(r).Record);
        }

        return list;
    }

    /// <summary>Deletes the key; its next request is refused. False when there was no such key.</summary>
    public bool Revoke(string id)
    {
        using var connection = Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "DELETE FROM api_keys WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", id);
        return cmd.ExecuteNonQuery() > 0;
    }

    /// <summary>Whether the tenant exists: <c>default</c> always does; others once created.</summary>
    public bool TenantExists(string tenant)
    {
        if (tenant == AccessScope.DefaultTenant)
        {
            return true;
        }

        using var connection = Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT 1 FROM tenants WHERE name = $name";
        cmd.Parameters.AddWithValue("$name", tenant);
        return cmd.ExecuteScalar() is not null;
    }

    /// <summary>Creates the tenant; false when it existed.</summary>
    public bool AddTenant(string tenant, DateTimeOffset now)
    {
        if (tenant == AccessScope.DefaultTenant)
        {
            return false;
        }

        using var connection = Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "INSERT OR IGNORE INTO tenants (name, created_at) VALUES ($name, $now)";
        cmd.Parameters.AddWithValue("$name", tenant);
        cmd.Parameters.AddWithValue("$now", now.ToString("O", CultureInfo.InvariantCulture));
        return cmd.ExecuteNonQuery() > 0;
    }

    public IReadOnlyList<string> Tenants()
    {
        using var connection = Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT name FROM tenants ORDER BY name";
        using var r = cmd.ExecuteReader();
        var names = new List<string> { AccessScope.DefaultTenant };
        while (r.Read())
        {
            names.Add(r.GetString(0));
        }

        return names;
    }

    private const string Columns = "id, name, tenant, role, user_name, groups, created_at, expires_at, last_used_at, is_system, salt, hash";

    private static (ApiKeyRecord Record, byte[] Salt, byte[] Hash)? Find(SqliteConnection connection, string id)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = $"SELECT {Columns} FROM api_keys WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", id);
        using var r = cmd.ExecuteReader();
        return r.Read() ? Read(r) : null;
    }

    private static (ApiKeyRecord Record, byte[] Salt, byte[] Hash) Read(SqliteDataReader r) => (
        new ApiKeyRecord(
            r.GetString(0),
            r.GetString(1),
            r.GetString(2),
            r.GetString(3),
            r.IsDBNull(4) ? null : r.GetString(4),
            JsonSerializer.Deserialize<string[]>(r.GetString(5)) ?? [],
            DateTimeOffset.Parse(r.GetString(6), CultureInfo.InvariantCulture),
            r.IsDBNull(7) ? null : DateTimeOffset.Parse(r.GetString(7), CultureInfo.InvariantCulture),
            r.IsDBNull(8) ? null : DateTimeOffset.Parse(r.GetString(8), CultureInfo.InvariantCulture),
            r.GetInt64(9) == 1),
        (byte[])r[10],
        (byte[])r[11]);

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
}
