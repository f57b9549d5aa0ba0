using UglyToad.PdfPig;

namespace RagService.Ingestion.Parsing.Pdf;

/// <summary>The PDF outline (bookmarks): heading titles with their depth, authoritative when a document has one.</summary>
internal static class PdfOutline
{
    public static IReadOnlyDictionary<string, int> Read(PdfDocument document)
    {
        var levels = new Dictionary<string, int>(StringComparer.Ordinal);
        try
        {
            if (document.TryGetBookmarks(out var bookmarks))
            {
                Visit(bookmarks.Roots, 1, levels);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A broken outline is no reason to lose the document: headings then come from typography alone.
        }

        return levels;
    }

    public static string Key(string text) => new(text.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());

    private static void Visit(IEnumerable<UglyToad.PdfPig.Outline.BookmarkNode> nodes, int level, Dictionary<string, int> levels)
    {
        foreach (var node in nodes)
        {
            var key = Key(node.Title ?? string.Empty);
            if (key.Length > 0)
            {
                levels.TryAdd(key, Math.Min(level, 6));
            }

            Visit(node.Children, level + 1, levels);
        }
    }
}
