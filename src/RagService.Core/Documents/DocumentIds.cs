using System.Text.RegularExpressions;

namespace RagService.Core.Documents;

/// <summary>Document id rules: client-chosen ids are validated; without one, the content decides.</summary>
public static partial class DocumentIds
{
    public static bool IsValid(string id) => IdPattern().IsMatch(id);

    /// <summary>
    /// The id of an upload that names none: derived from its bytes, so uploading identical bytes again
    /// finds the same document and does no new work.
    /// </summary>
    public static string FromContent(string contentHash) => "doc-" + contentHash[..Math.Min(20, contentHash.Length)];

    [GeneratedRegex("^[A-Za-z0-9._-]{1,128}$")]
    private static partial Regex IdPattern();
}
