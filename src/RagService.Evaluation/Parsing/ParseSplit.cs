using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace RagService.Evaluation.Parsing;

/// <summary>
/// The dev/test split of the ground-truthed documents: layout rules are decided on <see cref="Dev"/> files and
/// reported on <see cref="Test"/> files. A file's half follows from its name alone (SHA-256 of the name, first
/// byte even: dev), so a file added later lands in a half without a list to maintain, and the turned copies of
/// a page (<c>x_rotated_90.pdf</c>, <c>x-rotated-180.png</c>) share their upright original's half.
/// </summary>
public static partial class ParseSplit
{
    public const string Dev = "dev";
    public const string Test = "test";

    public static string Of(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var original = RotatedCopy().Replace(Path.GetFileName(fileName), string.Empty);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(original));
        return hash[0] % 2 == 0 ? Dev : Test;
    }

    /// <summary>True when <paramref name="split"/> is null or "all", or names the case's half.</summary>
    public static bool Includes(string? split, ParseCase parseCase)
    {
        ArgumentNullException.ThrowIfNull(parseCase);
        return split is null || split.Equals("all", StringComparison.OrdinalIgnoreCase)
            || split.Equals(parseCase.Split, StringComparison.OrdinalIgnoreCase);
    }

    // "_rotated_90" (Docling's scans) and "-rotated-180" / "-rotated-L" (Tesseract's test images).
    [GeneratedRegex(@"[-_]rotated[-_][0-9A-Za-z]+(?=\.[^.]+$)", RegexOptions.CultureInvariant)]
    private static partial Regex RotatedCopy();
}
