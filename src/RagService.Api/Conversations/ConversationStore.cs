using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using RagService.Api.Hosting;
using RagService.Core.Answers;

namespace RagService.Api.Conversations;

/// <summary>A stored conversation over one index; <see cref="Turns"/> oldest first.</summary>
public sealed record Conversation(string Id, string Index, ConversationOwner Owner, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, IReadOnlyList<StoredTurn> Turns);

/// <param name="StandaloneQuestion">What retrieval ran with: the question itself, or the follow-up rewritten.</param>
/// <param name="RewriteMethod">"none", "rules" or "llm:&lt;model&gt;" (with a fallback note).</param>
public sealed record StoredTurn(
    int Turn,
    string Question,
    string StandaloneQuestion,
    string RewriteMethod,
    string Answer,
    bool NoAnswer,
    IReadOnlyList<Citation> Citations,
    string GeneratedBy,
    DateTimeOffset CreatedAt);

/// <summary>
/// Conversations in SQLite (<c>{DataDirectory}/conversations.db</c>, WAL), durable across restarts. Expiry is
/// sliding: each message moves it <see cref="ConversationOptions.TimeToLive"/> ahead. An expired conversation
/// reads as missing and is deleted when the store next writes.
/// </summary>
public sealed class ConversationStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly string _connectionString;
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeToLive;

    public ConversationStore(IOptions<RagOptions> rag, IOptions<ConversationOptions> options, TimeProvider? time = null)
        : this(Path.Combine(rag.Value.DataDirectory, "conversations.db"), options.Value.TimeToLive, time)
    {
    }

    public ConversationStore(string databasePath, TimeSpan timeToLive, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(databasePath))!);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = true, DefaultTimeout = 30 }.ToString();
        _time = time ?? TimeProvider.System;
        _timeToLive = timeToLive;
        using var connection = Open();
        Execute(connection, """
            PRAGMA journal_mode=WAL;
            CREATE TABLE IF NOT EXISTS conversations(
                id TEXT PRIMARY KEY, tenant TEXT NOT NULL, owner TEXT NOT NULL, index_name TEXT NOT NULL,
                created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS conversations_expiry ON conversations(expires_at);
            CREATE TABLE IF NOT EXISTS turns(
                conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE, turn INTEGER NOT NULL,
                question TEXT NOT NULL, standalone TEXT NOT NULL, rewrite_method TEXT NOT NULL, answer TEXT NOT NULL,
                no_answer INTEGER NOT NULL, citations TEXT NOT NULL, generated_by TEXT NOT NULL, created_at INTEGER NOT NULL,
                PRIMARY KEY(conversation_id, turn));
            """);
    }

    public Conversation Create(string index, ConversationOwner owner)
    {
        ArgumentNullException.ThrowIfNull(owner);
        var now = _time.GetUtcNow();
        var conversation = new Conversation(Guid.NewGuid().ToString("N"), index, owner, now, now + _timeToLive, []);
        using var connection = Open();
        Purge(connection, now);
        Execute(connection, "INSERT INTO conversations(id, tenant, owner, index_name, created_at, expires_at) VALUES ($id, $tenant, $owner, $index, $created, $expires)",
            ("$id", conversation.Id), ("$tenant", owner.Tenant), ("$owner", owner.Principal), ("$index", index),
            ("$created", now.ToUnixTimeMilliseconds()), ("$expires", conversation.ExpiresAt.ToUnixTimeMilliseconds()));
        return conversation;
    }

    /// <summary>The owner's live conversation with its turns; null when there is none, it is another caller's, or it expired.</summary>
    public Conversation? Get(string id, ConversationOwner owner)
    {
        ArgumentNullException.ThrowIfNull(owner);
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT index_name, created_at, expires_at FROM conversations WHERE id = $id AND tenant = $tenant AND owner = $owner AND expires_at > $now";
        Bind(command, ("$id", id), ("$tenant", owner.Tenant), ("$owner", owner.Principal), ("$now", _time.GetUtcNow().ToUnixTimeMilliseconds()));
        string index;
        DateTimeOffset created, expires;
        using (var reader = command.ExecuteReader())
        {
            if (!reader.Read())
            {
                return null;
            }

            index = reader.GetString(0);
            created = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1));
            expires = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2));
        }

        return new Conversation(id, index, owner, created, expires, Turns(connection, id));
    }

    /// <summary>Stores the next turn and moves the expiry ahead; returns the new expiry.</summary>
    public DateTimeOffset Append(string id, StoredTurn turn)
    {
        ArgumentNullException.ThrowIfNull(turn);
        var now = _time.GetUtcNow();
        var expires = now + _timeToLive;
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        Execute(connection, transaction, """
            INSERT INTO turns(conversation_id, turn, question, standalone, rewrite_method, answer, no_answer, citations, generated_by, created_at)
            VALUES ($id, $turn, $question, $standalone, $method, $answer, $noAnswer, $citations, $generatedBy, $created)
            """,
            ("$id", id), ("$turn", turn.Turn), ("$question", turn.Question), ("$standalone", turn.StandaloneQuestion), ("$method", turn.RewriteMethod),
            ("$answer", turn.Answer), ("$noAnswer", turn.NoAnswer ? 1 : 0), ("$citations", JsonSerializer.Serialize(turn.Citations, Json)),
            ("$generatedBy", turn.GeneratedBy), ("$created", turn.CreatedAt.ToUnixTimeMilliseconds()));
        Execute(connection, transaction, "UPDATE conversations SET expires_at = $expires WHERE id = $id", ("$id", id), ("$expires", expires.ToUnixTimeMilliseconds()));
        transaction.Commit();
        return expires;
    }

    /// <summary>Deletes the owner's conversation; false when there was none to delete.</summary>
    public bool Delete(string id, ConversationOwner owner)
    {
        ArgumentNullException.ThrowIfNull(owner);
        using var connection = Open();
        return Execute(connection, "DELETE FROM conversations WHERE id = $id AND tenant = $tenant AND owner = $owner",
            ("$id", id), ("$tenant", owner.Tenant), ("$owner", owner.Principal)) > 0;
    }

    public DateTimeOffset Now => _time.GetUtcNow();

    private static List<StoredTurn> Turns(SqliteConnection connection, string id)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT turn, question, standalone, rewrite_method, answer, no_answer, citations, generated_by, created_at FROM turns WHERE conversation_id = $id ORDER BY turn";
        Bind(command, ("$id", id));
        using var reader = command.ExecuteReader();
        var turns = new List<StoredTurn>();
        while (reader.Read())
        {
            turns.Add(new StoredTurn(
                reader.GetInt32(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetInt64(5) != 0,
                JsonSerializer.Deserialize<List<Citation>>(reader.GetString(6), Json) ?? [],
                reader.GetString(7), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8))));
        }

        return turns;
    }

    private static void Purge(SqliteConnection connection, DateTimeOffset now) =>
        Execute(connection, "DELETE FROM conversations WHERE expires_at <= $now", ("$now", now.ToUnixTimeMilliseconds()));

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, "PRAGMA foreign_keys=ON");
        return connection;
    }

    private static int Execute(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters) =>
        Execute(connection, null, sql, parameters);

    private static int Execute(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        Bind(command, parameters);
        return command.ExecuteNonQuery();
    }

    private static void Bind(SqliteCommand command, params (string Name, object Value)[] parameters)
    {
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
    }
}
