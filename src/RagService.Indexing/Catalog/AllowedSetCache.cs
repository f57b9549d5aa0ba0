using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;

namespace RagService.Indexing.Catalog;

/// <summary>
/// The chunk ids a filter allows, kept per filter while the catalog's generation (<c>catalog_generation</c>, moved
/// by triggers on every change a filter reads) stays the same. A reader who may open half of a 10,000-chunk index
/// otherwise pays a scan of the chunks on every search. At most <see cref="Capacity"/> filters are kept; the
/// sets are never changed after they are stored, so concurrent searches share them.
/// </summary>
internal sealed class AllowedSetCache
{
    public const int Capacity = 32;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, (long Generation, IReadOnlySet<string>? Set)> _entries = new(StringComparer.Ordinal);

    /// <summary>The filter's SQL and its parameters' values: two filters with the same key select the same rows.</summary>
    public static string Key(SqliteCommand cmd)
    {
        var key = new StringBuilder(cmd.CommandText);
        foreach (SqliteParameter p in cmd.Parameters)
        {
            key.Append('\u001e').Append(p.ParameterName).Append('=').Append(Convert.ToString(p.Value, CultureInfo.InvariantCulture));
        }

        return key.ToString();
    }

    public static long Generation(SqliteConnection connection)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT value FROM catalog_generation WHERE id = 1";
        return cmd.ExecuteScalar() is long value ? value : -1;
    }

    public bool TryGet(string key, long generation, out IReadOnlySet<string>? set)
    {
        lock (_gate)
        {
            if (generation >= 0 && _entries.TryGetValue(key, out var entry) && entry.Generation == generation)
            {
                set = entry.Set;
                return true;
            }
        }

        set = null;
        return false;
    }

    public void Put(string key, long generation, IReadOnlySet<string>? set)
    {
        if (generation < 0)
        {
            return;
        }

        lock (_gate)
        {
            if (_entries.Count >= Capacity && !_entries.ContainsKey(key))
            {
                // Entries of an older generation are useless; when none is, the oldest inserted goes.
                var stale = _entries.Where(e => e.Value.Generation != generation).Select(e => e.Key).ToList();
                foreach (var k in stale.Count > 0 ? stale : [_entries.Keys.First()])
                {
                    _entries.Remove(k);
                }
            }

            _entries[key] = (generation, set);
        }
    }
}
