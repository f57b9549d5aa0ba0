using System.Globalization;
using Microsoft.Data.Sqlite;
using RagService.Core.Indexes;

namespace RagService.Indexing.Catalog;

/// <summary>Translates a <see cref="SearchFilter"/> into a WHERE clause over <c>chunks c</c>, with its parameters.</summary>
internal static class ChunkFilterSql
{
    /// <summary>Adds the filter's parameters to <paramref name="cmd"/> and returns its conditions joined by AND ("1" when none).</summary>
    public static string Where(SqliteCommand cmd, SearchFilter filter)
    {
        var where = new List<string>();
        if (filter.DocumentIds is { Count: > 0 } ids)
        {
            where.Add($"c.document_id IN ({CatalogDatabase.InList(cmd, ids, "$d")})");
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

        if (filter.Principals is { } principals)
        {
            where.Add(DocumentAcl.Visible(cmd, "c.document_id", principals));
        }

        return where.Count == 0 ? "1" : string.Join(" AND ", where);
    }
}
