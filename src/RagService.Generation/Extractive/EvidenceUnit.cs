using RagService.Core.Chunks;
using RagService.Core.Search;
using RagService.Core.Text;
using RagService.Generation.Text;

namespace RagService.Generation.Extractive;

/// <summary>
/// The smallest piece of a chunk the extractive generator may quote: a sentence of prose, or one row of a
/// Markdown table together with the table's header (quoted as header + that row, never the whole table).
/// Headings and titles repeated in a chunk's text are not evidence: a heading names a topic, it states
/// no fact, and quoting one answers nothing.
/// </summary>
/// <param name="Text">The sentence, or the row line, verbatim from the chunk.</param>
/// <param name="Terms">The unit's own content terms (a row's cells).</param>
/// <param name="HeadingTerms">The terms of the unit's section heading: what it is about without saying it.</param>
/// <param name="TableHeaderTerms">For a row: the table header's terms, which name its cells (empty for prose).</param>
/// <param name="TableHeader">For a row: the header line and the separator line, verbatim; null for prose.</param>
/// <param name="Hit">The hit the unit is cited to: the retrieved hit, or for context the same hit re-pointed at the chunk it came from.</param>
internal sealed record EvidenceUnit(
    string Text,
    HashSet<string> Terms,
    HashSet<string> HeadingTerms,
    HashSet<string> TableHeaderTerms,
    string? TableHeader,
    SearchHit Hit,
    int HitRank,
    int Order,
    bool FromContext)
{
    public bool IsTableRow => TableHeader is not null;

    /// <summary>Heading and table-header terms: evidence only next to a term of the unit itself.</summary>
    public IEnumerable<string> ContextTerms => HeadingTerms.Concat(TableHeaderTerms);

    /// <summary>The units of one chunk, in text order, cited to <paramref name="source"/>.</summary>
    public static List<EvidenceUnit> Read(Chunk chunk, SearchHit source, int hitRank, bool fromContext, int maxSentenceChars)
    {
        var headings = new HashSet<string>(chunk.SectionPath.Select(h => h.Trim()), StringComparer.OrdinalIgnoreCase);
        if (chunk.Title is { } title)
        {
            headings.Add(title.Trim());
        }

        var heading = chunk.SectionPath.Count > 0 ? ContentTerms.Distinct(chunk.SectionPath[^1]) : [];
        var units = new List<EvidenceUnit>();
        void Add(string text, HashSet<string> terms, HashSet<string> headerTerms, string? header) =>
            units.Add(new EvidenceUnit(text, terms, heading, headerTerms, header, source, hitRank, units.Count, fromContext));

        void Prose(List<string> lines)
        {
            var text = string.Join('\n', lines);
            foreach (var span in SentenceSegmenter.Split(text))
            {
                var sentence = span.Of(text);
                if (span.Length <= maxSentenceChars && !headings.Contains(sentence.Trim()) && ContentTerms.Distinct(sentence) is { Count: > 0 } terms)
                {
                    Add(sentence, terms, [], null);
                }
            }

            lines.Clear();
        }

        // Header line, separator line, rows: each row becomes a unit carrying the header (a table without a separator has none).
        void Rows(string[] lines)
        {
            var hasHeader = lines.Length >= 2 && IsSeparator(lines[1]);
            var header = hasHeader ? lines[0].TrimEnd() + "\n" + lines[1].TrimEnd() : string.Empty;
            var headerTerms = hasHeader ? ContentTerms.Distinct(lines[0]) : [];
            foreach (var line in lines.Skip(hasHeader ? 2 : 0))
            {
                if (ContentTerms.Distinct(line) is { Count: > 0 } terms)
                {
                    Add(line.TrimEnd(), terms, headerTerms, header);
                }
            }
        }

        var all = chunk.Text.Split('\n');
        var prose = new List<string>();
        for (var i = 0; i < all.Length; i++)
        {
            if (!IsTableLine(all[i]))
            {
                prose.Add(all[i]);
                continue;
            }

            Prose(prose);
            var start = i;
            while (i + 1 < all.Length && IsTableLine(all[i + 1]))
            {
                i++;
            }

            Rows(all[start..(i + 1)]);
        }

        Prose(prose);
        return units;
    }

    private static bool IsTableLine(string line)
    {
        var trimmed = line.Trim();
        return trimmed.Length >= 2 && trimmed[0] == '|' && trimmed[^1] == '|';
    }

    private static bool IsSeparator(string line) => line.Trim().Trim('|').Split('|').All(cell => cell.Trim().Trim(':') is { Length: >= 3 } dashes && dashes.All(c => c == '-'));
}
