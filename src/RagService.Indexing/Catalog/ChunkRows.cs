using System.Text.Json;
using Microsoft.Data.Sqlite;
using RagService.Core.Chunks;
using RagService.Core.Indexes;

namespace RagService.Indexing.Catalog;

/// <summary>How a chunk is written to and read from the <c>chunks</c> table (live versions only).</summary>
internal static class ChunkRows
{
    /// <summary>Selects the columns <see cref="Read"/> expects; the document's tags come from its row.</summary>
    public const string Select = """
        SELECT c.id, c.document_id, c.version, c.ordinal, c.text, c.index_text, c.title, c.file_name, c.section_path,
            c.page_start, c.page_end, c.block_ids, c.token_count, c.content_hash, d.tags,
            c.section_levels, c.boxes, c.previous_chunk_id, c.next_chunk_id, c.parent_section_id, c.duplicate_of,
            c.document_date, d.acl, c.flags, c.language, c.lexical_only
        FROM chunks c JOIN documents d ON d.id = c.document_id
        """;

    private static readonly JsonSerializerOptions Json = CatalogDatabase.Json;

    /// <summary>Inserts the chunks of a document inside the caller's transaction, with their filter columns.</summary>
    public static void Insert(SqliteConnection connection, string documentId, IReadOnlyList<Chunk> chunks)
    {
        using var insert = connection.CreateCommand();
        insert.CommandText = """
            INSERT INTO chunks (id, document_id, version, ordinal, text, index_text, title, file_name, section_path,
                page_start, page_end, block_ids, token_count, content_hash, section_levels, boxes, previous_chunk_id,
                next_chunk_id, parent_section_id, duplicate_of, section_key, document_date, flags, language, lexical_only)
            VALUES ($id, $doc, $version, $ordinal, $text, $indexText, $title, $file, $section, $pageStart, $pageEnd,
                $blocks, $tokens, $hash, $levels, $boxes, $previous, $next, $parent, $duplicateOf, $sectionKey, $date, $flags, $language, $lexicalOnly)
            """;
        string[] names = ["$id", "$doc", "$version", "$ordinal", "$text", "$indexText", "$title", "$file", "$section",
            "$pageStart", "$pageEnd", "$blocks", "$tokens", "$hash", "$levels", "$boxes", "$previous", "$next", "$parent", "$duplicateOf",
            "$sectionKey", "$date", "$flags", "$language", "$lexicalOnly"];
        var documentDate = DocumentDate(connection, documentId);
        foreach (var name in names)
        {
            insert.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        foreach (var c in chunks)
        {
            object?[] values = [c.Id, c.DocumentId, c.DocumentVersion, c.Ordinal, c.Text, c.IndexText, c.Title, c.FileName,
                JsonSerializer.Serialize(c.SectionPath, Json), c.PageStart, c.PageEnd,
                JsonSerializer.Serialize(c.BlockIds, Json), c.TokenCount, c.ContentHash,
                JsonSerializer.Serialize(c.SectionLevels, Json), JsonSerializer.Serialize(c.Boxes, Json),
                c.PreviousChunkId, c.NextChunkId, c.ParentSectionId, c.DuplicateOf,
                SearchFilter.SectionKey(c.SectionPath),
                (c.DocumentDate ?? documentDate ?? SearchFilter.DateTag(c.Tags))?.ToUnixTimeMilliseconds(),
                JsonSerializer.Serialize(c.Flags, Json), c.Language, c.LexicalOnly ? 1 : 0];
            for (var i = 0; i < values.Length; i++)
            {
                insert.Parameters[i].Value = values[i] ?? DBNull.Value;
            }

            insert.ExecuteNonQuery();
        }
    }

    /// <summary>Every chunk id of the document that may be in an index: its live chunks and the pending ones.</summary>
    public static IReadOnlyList<string> IdsOf(SqliteConnection connection, string documentId)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = """
            SELECT id FROM chunks WHERE document_id = $doc
            UNION SELECT chunk_id FROM pending_chunks WHERE document_id = $doc
            """;
        cmd.Parameters.AddWithValue("$doc", documentId);
        var ids = new List<string>();
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    /// <summary>Reads the rows of a command built on <see cref="Select"/>.</summary>
    public static List<Chunk> Read(SqliteCommand cmd)
    {
        var list = new List<Chunk>();
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            list.Add(new Chunk
            {
                Id = r.GetString(0),
                DocumentId = r.GetString(1),
                DocumentVersion = r.GetInt32(2),
                Ordinal = r.GetInt32(3),
                Text = r.GetString(4),
                IndexText = r.GetString(5),
                Title = r.IsDBNull(6) ? null : r.GetString(6),
                FileName = r.IsDBNull(7) ? null : r.GetString(7),
                SectionPath = JsonSerializer.Deserialize<string[]>(r.GetString(8), Json) ?? [],
                PageStart = r.GetInt32(9),
                PageEnd = r.GetInt32(10),
                BlockIds = JsonSerializer.Deserialize<string[]>(r.GetString(11), Json) ?? [],
                TokenCount = r.GetInt32(12),
                ContentHash = r.GetString(13),
                Tags = CatalogDatabase.ParseTags(r.GetString(14)),
                SectionLevels = JsonSerializer.Deserialize<int[]>(r.GetString(15), Json) ?? [],
                Boxes = JsonSerializer.Deserialize<PageBox[]>(r.GetString(16), Json) ?? [],
                PreviousChunkId = r.IsDBNull(17) ? null : r.GetString(17),
                NextChunkId = r.IsDBNull(18) ? null : r.GetString(18),
                ParentSectionId = r.IsDBNull(19) ? null : r.GetString(19),
                DuplicateOf = r.IsDBNull(20) ? null : r.GetString(20),
                DocumentDate = r.IsDBNull(21) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(21)),
                Acl = DocumentAcl.Parse(r.IsDBNull(22) ? null : r.GetString(22)),
                Flags = JsonSerializer.Deserialize<string[]>(r.GetString(23), Json) ?? [],
                Language = r.IsDBNull(24) ? null : r.GetString(24),
                LexicalOnly = r.GetInt64(25) != 0,
            });
        }

        return list;
    }

    /// <summary>The document date from the document's row: its <c>date</c> tag, else its upload time; null without a row.</summary>
    private static DateTimeOffset? DocumentDate(SqliteConnection connection, string documentId)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT tags, created_at FROM documents WHERE id = $doc";
        cmd.Parameters.AddWithValue("$doc", documentId);
        using var r = cmd.ExecuteReader();
        if (!r.Read())
        {
            return null;
        }

        return SearchFilter.DocumentDateOf(CatalogDatabase.ParseTags(r.GetString(0)), CatalogDatabase.ParseTime(r.GetString(1)));
    }
}
