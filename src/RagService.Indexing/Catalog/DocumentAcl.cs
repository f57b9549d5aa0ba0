using System.Text.Json;
using Microsoft.Data.Sqlite;
using RagService.Core.Security;

namespace RagService.Indexing.Catalog;

/// <summary>
/// A document's ACL in the catalog: the <c>acl</c> JSON column of its row (what status shows) and one
/// <c>doc_acl</c> row per principal (what filters use, indexed by principal). A document without rows, written
/// before ACLs existed, is visible to its whole tenant.
/// </summary>
internal static class DocumentAcl
{
    public static IReadOnlyList<string> Parse(string? json) =>
        json is null ? AclPrincipals.Default : JsonSerializer.Deserialize<string[]>(json, CatalogDatabase.Json) is { Length: > 0 } acl ? acl : AclPrincipals.Default;

    /// <summary>Replaces the document's principal rows inside the caller's transaction.</summary>
    public static void Replace(SqliteConnection connection, string documentId, IReadOnlyList<string> acl)
    {
        using var delete = connection.CreateCommand();
        delete.CommandText = "DELETE FROM doc_acl WHERE document_id = $doc";
        delete.Parameters.AddWithValue("$doc", documentId);
        delete.ExecuteNonQuery();
        foreach (var principal in acl.Distinct(StringComparer.Ordinal))
        {
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO doc_acl (document_id, principal) VALUES ($doc, $principal)";
            insert.Parameters.AddWithValue("$doc", documentId);
            insert.Parameters.AddWithValue("$principal", principal);
            insert.ExecuteNonQuery();
        }
    }

    /// <summary>
    /// A condition true when the document in <paramref name="documentColumn"/> is visible to a holder of
    /// <paramref name="principals"/> ("1" for null: no restriction); adds its parameters to <paramref name="cmd"/>.
    /// </summary>
    public static string Visible(SqliteCommand cmd, string documentColumn, IReadOnlySet<string>? principals)
    {
        if (principals is null)
        {
            return "1";
        }

        var list = principals.Count == 0 ? "NULL" : CatalogDatabase.InList(cmd, principals.ToList(), "$acl");
        return $"""
            (EXISTS (SELECT 1 FROM doc_acl a WHERE a.document_id = {documentColumn} AND a.principal IN ({list}))
             OR ('{AccessScope.TenantPrincipal}' IN ({list}) AND NOT EXISTS (SELECT 1 FROM doc_acl a WHERE a.document_id = {documentColumn})))
            """;
    }

    /// <summary>Whether some document of the catalog is hidden from a holder of <paramref name="principals"/>.</summary>
    public static bool AnyHidden(SqliteConnection connection, IReadOnlySet<string> principals)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = $"SELECT 1 FROM documents d WHERE NOT {Visible(cmd, "d.id", principals)} LIMIT 1";
        return cmd.ExecuteScalar() is not null;
    }
}
