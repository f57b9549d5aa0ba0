namespace RagService.Ingestion.Chunking;

/// <summary>
/// The line prefixed to a chunk's indexed text: "Title > Section > Sub". A chunk like "It requires
/// 4 GB" only matches a query about Linux installation when the section it came from travels with it.
/// </summary>
public static class ContextualHeader
{
    public const string Separator = " > ";

    /// <summary>The header line alone, or an empty string when there is no title and no section.</summary>
    public static string Line(string? title, IReadOnlyList<string> sectionPath)
    {
        ArgumentNullException.ThrowIfNull(sectionPath);
        var parts = new List<string>(sectionPath.Count + 1);
        if (!string.IsNullOrWhiteSpace(title))
        {
            parts.Add(title.Trim());
        }

        foreach (var section in sectionPath)
        {
            // A title that is also the first heading (DOCX "Title" style, HTML h1) would repeat itself.
            if (parts.Count == 1 && parts[0].Equals(section.Trim(), StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(title))
            {
                continue;
            }

            if (!string.IsNullOrWhiteSpace(section))
            {
                parts.Add(section.Trim());
            }
        }

        return string.Join(Separator, parts);
    }

    /// <summary>The text as it is embedded and BM25-indexed: header line, blank line, chunk text.</summary>
    public static string Compose(string? title, IReadOnlyList<string> sectionPath, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var header = Line(title, sectionPath);
        return header.Length == 0 ? text : $"{header}\n\n{text}";
    }
}
