using RagService.Core.Documents;
using RagService.Ingestion.Parsing;

namespace RagService.Ingestion.Chunking;

/// <summary>
/// Follows the headings of a document in reading order and says which section path is in force. The
/// heading that is the document's title (see <see cref="FindTitleHeading"/>) is not a section: the
/// title travels separately (contextual header, citation), so repeating it at the root of every path
/// would only lengthen citations ("Guide > Guide > 2 Installation"). Its id is still the section id of
/// the text between it and the first real section.
/// </summary>
internal sealed class SectionPathTracker(DocumentTree tree)
{
    private readonly string? _titleHeadingId = FindTitleHeading(tree)?.Id;
    private readonly List<(int Level, string Text, string Id)> _path = [];
    private string? _titleSectionId;

    public string[] Path => _path.Select(p => p.Text).ToArray();

    public int[] Levels => _path.Select(p => p.Level).ToArray();

    /// <summary>The id of the heading that opened the innermost section, or null before the first heading.</summary>
    public string? SectionId => _path.Count == 0 ? _titleSectionId : _path[^1].Id;

    /// <summary>A heading closes every section at its level or deeper and opens its own.</summary>
    public void Enter(DocumentBlock heading)
    {
        if (heading.Id == _titleHeadingId)
        {
            _path.Clear();
            _titleSectionId = heading.Id;
            return;
        }

        var level = Math.Max(1, heading.Level);
        _path.RemoveAll(p => p.Level >= level);
        _path.Add((level, heading.Text, heading.Id));
    }

    /// <summary>
    /// The heading that is the document's title: the first heading, alone at the top level (every other
    /// heading is deeper), with the document title's text. A DOCX Title paragraph, a Markdown document's
    /// single "# Title" or an HTML page's single h1 qualify; the first of several top-level sections does not,
    /// even when the title was taken from it, and neither does a numbered section ("4 Accommodation" alone on a page).
    /// </summary>
    public static DocumentBlock? FindTitleHeading(DocumentTree tree)
    {
        ArgumentNullException.ThrowIfNull(tree);
        if (string.IsNullOrWhiteSpace(tree.Title))
        {
            return null;
        }

        var headings = tree.Blocks.Where(b => b.Kind == BlockKind.Heading).ToList();
        if (headings.Count == 0)
        {
            return null;
        }

        var first = headings[0];
        if (NumberedHeading.IsNumbered(first.Text))
        {
            return null;
        }

        var top = Math.Max(1, first.Level);
        var alone = headings.Skip(1).All(h => Math.Max(1, h.Level) > top);
        return alone && SameText(first.Text, tree.Title) ? first : null;
    }

    private static bool SameText(string a, string b) =>
        string.Equals(string.Join(' ', a.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)),
            string.Join(' ', b.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)), StringComparison.OrdinalIgnoreCase);
}
