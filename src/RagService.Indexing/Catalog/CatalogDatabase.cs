using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace RagService.Indexing.Catalog;

/// <summary>
/// The catalog's SQLite file (WAL), shared by its job store, chunk store and duplicate index: one connection
/// pool, one schema, so that a version commit can write every table in one transaction.
/// </summary>
internal sealed class CatalogDatabase : IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly string _connectionString;
    private volatile bool _closed;

    public CatalogDatabase(string databasePath)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(databasePath))!);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        try
        {
            using var connection = Open();
            CatalogSchema.Apply(connection);
        }
        catch
        {
            // A catalog that cannot be opened must not stay open in the pool (its folder may be deleted or restored next).
            Dispose();
            throw;
        }
    }

    /// <exception cref="ObjectDisposedException">The catalog was closed (its index deleted, restored or repaired): a new
    /// connection would create the file again in a folder that is being removed.</exception>
    public SqliteConnection Open()
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    /// <summary>
    /// Runs <paramref name="work"/> on a pooled connection inline. Microsoft.Data.Sqlite executes synchronously
    /// even behind its async API, so the contracts' tasks complete here; a cancelled token stops the work
    /// before it starts.
    /// </summary>
    public Task<T> RunAsync<T>(Func<SqliteConnection, T> work, CancellationToken ct)
    {
        if (ct.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(ct);
        }

        try
        {
            using var connection = Open();
            return Task.FromResult(work(connection));
        }
        catch (Exception e)
        {
            return Task.FromException<T>(e);
        }
    }

    public Task RunAsync(Action<SqliteConnection> work, CancellationToken ct) =>
        RunAsync(connection =>
        {
            work(connection);
            return true;
        }, ct);

    public static void Execute(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    /// <summary>Adds <c>$p0, $p1, …</c> parameters for the values and returns their names joined for an IN list.</summary>
    public static string InList(SqliteCommand cmd, IReadOnlyList<string> values, string prefix = "$p")
    {
        var names = new string[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            names[i] = prefix + i.ToString(CultureInfo.InvariantCulture);
            cmd.Parameters.AddWithValue(names[i], values[i]);
        }

        return string.Join(',', names);
    }

    public static string Now() => DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);

    public static DateTimeOffset ParseTime(string s) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    public static Dictionary<string, string> ParseTags(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(json, Json) ?? [];

    public void Dispose()
    {
        _closed = true;

        // Pooled connections keep the file open; clear them so the index folder can be deleted.
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }
}
