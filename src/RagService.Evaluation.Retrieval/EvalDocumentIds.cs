using System.Text;
using RagService.Core.Documents;
using RagService.Indexing;

namespace RagService.Evaluation.Retrieval;

/// <summary>BEIR ids are arbitrary strings; document ids are not. Map reversibly where needed.</summary>
public static class EvalDocumentIds
{
    public static string ToDocumentId(string beirId) =>
        DocumentIds.IsValid(beirId) ? beirId : "b64-" + Convert.ToBase64String(Encoding.UTF8.GetBytes(beirId)).Replace('+', '-').Replace('/', '_').TrimEnd('=');

    public static string ToBeirId(string documentId)
    {
        ArgumentNullException.ThrowIfNull(documentId);
        if (!documentId.StartsWith("b64-", StringComparison.Ordinal))
        {
            return documentId;
        }

        var b64 = documentId[4..].Replace('-', '+').Replace('_', '/');
        b64 = b64.PadRight(b64.Length + ((4 - (b64.Length % 4)) % 4), '=');
        return Encoding.UTF8.GetString(Convert.FromBase64String(b64));
    }

    /// <summary>
    /// A name usable as an index name or file name: lower case, letters, digits, '-' and '_' kept, anything
    /// else becomes '-'.
    /// </summary>
    public static string Sanitize(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return new string(name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-').ToArray());
    }

    /// <summary>
    /// The index an evaluation of <paramref name="datasetName"/> builds with <paramref name="settings"/> (<c>rag eval</c>'s
    /// default, and the index of a run started in the service): <c>eval-{dataset}-{model}-{chunk tokens}</c>, with
    /// <c>-nohdr</c> without the contextual header, sanitized and cut to the 64 characters an index name may have.
    /// </summary>
    public static string IndexName(string datasetName, IndexSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var name = Sanitize($"eval-{datasetName}-{settings.EmbeddingModel}-{settings.Chunking.MaxTokens}{(settings.Chunking.ContextualHeader ? "" : "-nohdr")}");
        return name.Length <= 64 ? name : name[..64];
    }
}
