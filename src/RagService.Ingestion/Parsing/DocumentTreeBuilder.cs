using System.Text;
using RagService.Core.Documents;

namespace RagService.Ingestion.Parsing;

/// <summary>
/// Collects blocks in reading order, numbering them "b0", "b1"... so ids stay stable across parses
/// of the same document version, and refuses documents that turn out to carry no text.
/// </summary>
public sealed class DocumentTreeBuilder
{
    private readonly List<DocumentBlock> _blocks = [];

    public int Count => _blocks.Count;

    public IReadOnlyList<DocumentBlock> Blocks => _blocks;

    public string NextId => $"b{_blocks.Count}";

    /// <summary>Adds a block unless its text is blank; the id is assigned here.</summary>
    public void Add(BlockKind kind, string text, int level = 0, int pageStart = 1, int pageEnd = 1,
        BoundingBox? box = null, IReadOnlyList<IReadOnlyList<string>>? rows = null)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return;
        }

        _blocks.Add(new DocumentBlock
        {
            Id = NextId,
            Kind = kind,
            Text = kind == BlockKind.Code ? text.TrimEnd() : text.Trim(),
            Level = level,
            PageStart = pageStart,
            PageEnd = pageEnd,
            Box = box,
            Rows = rows,
        });
    }

    public void AddTable(IReadOnlyList<IReadOnlyList<string>> rows, int pageStart = 1, int pageEnd = 1, BoundingBox? box = null)
    {
        var kept = rows.Where(r => r.Any(c => !string.IsNullOrWhiteSpace(c))).ToList();
        if (kept.Count == 0)
        {
            return;
        }

        Add(BlockKind.Table, MarkdownTable.Render(kept), 0, pageStart, pageEnd, box, kept);
    }

    /// <exception cref="DocumentRejectedException">No block carries text.</exception>
    public DocumentTree Build(string? title, int pageCount = 1)
    {
        if (_blocks.Count == 0)
        {
            throw new DocumentRejectedException("empty document");
        }

        var resolvedTitle = string.IsNullOrWhiteSpace(title)
            ? _blocks.FirstOrDefault(b => b.Kind == BlockKind.Heading)?.Text
            : title.Trim();
        return new DocumentTree(resolvedTitle, _blocks.ToArray(), Math.Max(1, pageCount))
        {
            Language = ScriptLanguage.Guess(_blocks.Select(b => b.Text)),
        };
    }
}

/// <summary>
/// A script-based language guess: enough to choose between the Chinese and the English analysers
/// downstream. Latin script is reported as "en" because that is the analyser it will get; anything
/// else is left null rather than guessed.
/// </summary>
public static class ScriptLanguage
{
    private const int SampleLetters = 20_000;

    public static string? Guess(IEnumerable<string> texts)
    {
        int han = 0, latin = 0, letters = 0;
        foreach (var text in texts)
        {
            foreach (var c in text)
            {
                if (!char.IsLetter(c))
                {
                    continue;
                }

                letters++;
                if (c is >= '\u4E00' and <= '\u9FFF' or >= '\u3400' and <= '\u4DBF')
                {
                    han++;
                }
                else if (c < '\u0250')
                {
                    latin++;
                }
            }

            if (letters >= SampleLetters)
            {
                break;
            }
        }

        // One Han character carries about as much as a Latin word, so a third is already "mostly Chinese".
        return letters == 0 ? null
            : han * 3 >= letters ? "zh"
            : latin * 2 >= letters ? "en"
            : null;
    }
}

/// <summary>Renders table rows as a GitHub pipe table: the form both readers and embedders handle well.</summary>
public static class MarkdownTable
{
    public static string Render(IReadOnlyList<IReadOnlyList<string>> rows)
    {
        if (rows.Count == 0)
        {
            return string.Empty;
        }

        var width = rows.Max(r => r.Count);
        var sb = new StringBuilder();
        AppendRow(sb, rows[0], width);
        sb.Append("\n|");
        for (var i = 0; i < width; i++)
        {
            sb.Append(" --- |");
        }

        foreach (var row in rows.Skip(1))
        {
            sb.Append('\n');
            AppendRow(sb, row, width);
        }

        return sb.ToString();
    }

    /// <summary>One row, used by the chunker to rebuild a table slice with its header.</summary>
    public static string RenderRow(IReadOnlyList<string> row, int width)
    {
        var sb = new StringBuilder();
        AppendRow(sb, row, width);
        return sb.ToString();
    }

    private static void AppendRow(StringBuilder sb, IReadOnlyList<string> row, int width)
    {
        sb.Append('|');
        for (var i = 0; i < width; i++)
        {
            var cell = i < row.Count ? row[i] : string.Empty;
            // A pipe or newline inside a cell would break the row structure.
            cell = cell.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ").Trim();
            sb.Append(' ').Append(cell).Append(" |");
        }
    }
}
