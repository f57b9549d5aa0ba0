using System.Text;
using RagService.Core.Chunks;
using RagService.Core.Documents;
using RagService.Core.Text;
using RagService.Ingestion.Chunking;
using RagService.Ingestion.Parsing;

namespace RagService.Evaluation.Chunking;

/// <summary>Counts of one structural check: how many items passed out of how many were checked.</summary>
public sealed record QualityCount(int Passed, int Total)
{
    public double Rate => Total == 0 ? 1 : Passed / (double)Total;

    public static QualityCount operator +(QualityCount a, QualityCount b) => new(a.Passed + b.Passed, a.Total + b.Total);

    public static QualityCount Zero { get; } = new(0, 0);
}

/// <summary>The structural quality of one document's chunks, measured against its tree.</summary>
public sealed record ChunkQualityReport(
    QualityCount TablesIntact,
    QualityCount ListsIntact,
    QualityCount BoundariesBetweenSentences,
    QualityCount SentencesWhole,
    IReadOnlyList<int> ChunkTokens)
{
    /// <summary>The ends of chunks that stop inside a sentence (for inspection).</summary>
    public IReadOnlyList<string> BrokenEnds { get; init; } = [];
}

/// <summary>
/// Checks chunks against the tree they were cut from: a table is intact when one chunk holds all of it
/// or when it was split between rows with the header row in every part; a list (a run of list items)
/// that fits the budget is intact when one chunk holds all its items; a boundary between two chunks is
/// between sentences when the earlier chunk ends a sentence or the two chunks meet at a block boundary
/// (rows of a table and lines of code are not sentences); a sentence is whole when one chunk contains it.
/// </summary>
public static class ChunkQuality
{
    public static ChunkQualityReport Measure(DocumentTree tree, IReadOnlyList<ChunkDraft> chunks, int maxTokens, ITokenCounter tokens)
    {
        ArgumentNullException.ThrowIfNull(tree);
        ArgumentNullException.ThrowIfNull(chunks);
        var normalised = chunks.Select(c => Normalise(c.Text)).ToList();
        var holders = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < chunks.Count; i++)
        {
            foreach (var id in chunks[i].BlockIds)
            {
                if (!holders.TryGetValue(id, out var list))
                {
                    holders[id] = list = [];
                }

                list.Add(i);
            }
        }

        List<int> HoldersOf(string id) => holders.TryGetValue(id, out var l) ? l : [];

        // Tables.
        var tables = QualityCount.Zero;
        foreach (var table in tree.Blocks.Where(b => b.Kind == BlockKind.Table))
        {
            var rows = TableRows(table);
            var inChunks = HoldersOf(table.Id);
            var intact = inChunks.Count == 1
                ? rows.All(r => normalised[inChunks[0]].Contains(r, StringComparison.Ordinal))
                : inChunks.Count > 1 && rows.Count > 0 &&
                  inChunks.All(c => normalised[c].Contains(rows[0], StringComparison.Ordinal)) &&
                  rows.Skip(1).All(r => inChunks.Any(c => normalised[c].Contains(r, StringComparison.Ordinal)));
            tables += new QualityCount(intact ? 1 : 0, 1);
        }

        // Lists that fit the budget.
        var lists = QualityCount.Zero;
        foreach (var list in ListRuns(tree.Blocks))
        {
            var size = tokens.CountTokens(string.Join("\n", list.Select(b => b.Text)));
            if (size > maxTokens / 2)
            {
                continue; // a list over half the budget may legitimately be split between items
            }

            var common = list.Select(b => HoldersOf(b.Id).ToHashSet()).Aggregate((a, b) => { a.IntersectWith(b); return a; });
            var whole = common.Any(c => list.All(b => normalised[c].Contains(Normalise(b.Text), StringComparison.Ordinal)));
            lists += new QualityCount(whole ? 1 : 0, 1);
        }

        // Boundaries.
        var blocks = tree.Blocks.ToDictionary(b => b.Id, StringComparer.Ordinal);
        var boundaries = QualityCount.Zero;
        var brokenEnds = new List<string>();
        for (var i = 0; i + 1 < chunks.Count; i++)
        {
            var last = chunks[i].BlockIds.Count > 0 ? chunks[i].BlockIds[^1] : null;
            var shared = last is not null && chunks[i + 1].BlockIds.Contains(last);
            var ok = true;
            if (shared && blocks.TryGetValue(last!, out var block) && block.Kind is BlockKind.Paragraph or BlockKind.ListItem or BlockKind.Heading)
            {
                var end = chunks[i].Text.TrimEnd().TrimEnd('"', '\'', '”', '’', ')', '）', ']', '*');
                ok = end.Length > 0 && end[^1] is '.' or '?' or '!' or '。' or '！' or '？' or '；' or ':' or '：' or ';' or '؟' or '۔';
            }

            boundaries += new QualityCount(ok ? 1 : 0, 1);
            if (!ok)
            {
                var text = chunks[i].Text;
                brokenEnds.Add("…" + text[Math.Max(0, text.Length - 60)..] + " ‖ " + chunks[i + 1].Text[..Math.Min(40, chunks[i + 1].Text.Length)]);
            }
        }

        // Sentences of prose blocks.
        var sentences = QualityCount.Zero;
        foreach (var block in tree.Blocks.Where(b => b.Kind is BlockKind.Paragraph or BlockKind.ListItem))
        {
            var inChunks = HoldersOf(block.Id);
            foreach (var sentence in SentenceSegmenter.Sentences(block.Text))
            {
                var n = Normalise(sentence);
                sentences += new QualityCount(inChunks.Any(c => normalised[c].Contains(n, StringComparison.Ordinal)) ? 1 : 0, 1);
            }
        }

        return new ChunkQualityReport(tables, lists, boundaries, sentences, chunks.Select(c => c.TokenCount).ToList()) { BrokenEnds = brokenEnds };
    }

    /// <summary>
    /// Section-path accuracy against a ground-truth tree of the same document: each chunk is located in
    /// the ground truth by its first body block's text (the next occurrence after the previous chunk's,
    /// an exact text before a partial one, since documents repeat text), and its section path is compared
    /// with the ground truth's heading path there (headings compared by letters and digits only). The
    /// document title is not a section: a path whose root heading equals the source document's title
    /// loses that root on both sides (docling nests a DOCX's sections under its Title paragraph; our
    /// chunks do not repeat the title, which travels separately). Returns the full path matches and the
    /// innermost-heading matches, each over the chunks that could be located.
    /// </summary>
    public static (QualityCount FullPath, QualityCount Innermost, int Unlocated) SectionPathAccuracy(
        DocumentTree source, IReadOnlyList<ChunkDraft> chunks, DocumentTree groundTruth, List<string>? mismatches = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(chunks);
        ArgumentNullException.ThrowIfNull(groundTruth);
        var truth = new List<(string Text, IReadOnlyList<string> Path)>();
        var path = new List<(int Level, string Text)>();
        foreach (var block in groundTruth.Blocks)
        {
            if (block.Kind == BlockKind.Heading)
            {
                var level = Math.Max(1, block.Level);
                path.RemoveAll(p => p.Level >= level);
                path.Add((level, block.Text));
                continue;
            }

            truth.Add((Key(block.Text), path.Select(p => HeadingKey(p.Text)).ToArray()));
        }

        var blocks = source.Blocks.ToDictionary(b => b.Id, StringComparer.Ordinal);
        var title = string.IsNullOrWhiteSpace(source.Title) ? null : HeadingKey(source.Title);
        var full = QualityCount.Zero;
        var innermost = QualityCount.Zero;
        var unlocated = 0;
        var cursor = -1;
        DocumentBlock? previousBody = null;
        foreach (var chunk in chunks)
        {
            var body = chunk.BlockIds.Select(id => blocks.GetValueOrDefault(id)).FirstOrDefault(b => b is not null && b.Kind != BlockKind.Heading && Key(b.Text).Length >= 12);
            if (body is null)
            {
                continue;
            }

            var whole = Key(body.Text);
            var key = whole[..Math.Min(whole.Length, 60)];
            bool Exact((string Text, IReadOnlyList<string> Path) t) => t.Text == whole;
            bool Partial((string Text, IReadOnlyList<string> Path) t) =>
                t.Text.Length >= 12 && (t.Text.Contains(key, StringComparison.Ordinal) || key.Contains(t.Text, StringComparison.Ordinal));
            // Documents repeat text ("Paragraph 1.1.1" under two headings): search on after the last match
            // first; a block split over several chunks stays where it was found.
            var match = ReferenceEquals(body, previousBody) ? cursor : -1;
            if (match < 0)
            {
                var from = Math.Min(cursor + 1, truth.Count);
                match = truth.FindIndex(from, Exact);
                match = match >= 0 ? match : truth.FindIndex(from, Partial);
                match = match >= 0 ? match : truth.FindIndex(Exact);
                match = match >= 0 ? match : truth.FindIndex(Partial);
            }

            previousBody = body;
            if (match < 0)
            {
                unlocated++;
                continue;
            }

            cursor = match;
            var expected = WithoutTitle(truth[match].Path);
            var actual = WithoutTitle(chunk.SectionPath.Select(HeadingKey).ToArray());
            full += new QualityCount(expected.SequenceEqual(actual) ? 1 : 0, 1);
            if (!expected.SequenceEqual(actual))
            {
                mismatches?.Add($"expected [{string.Join(" > ", expected)}] got [{string.Join(" > ", actual)}] at '{key[..Math.Min(30, key.Length)]}'");
            }
            innermost += new QualityCount((expected.Count == 0 ? "" : expected[^1]) == (actual.Count == 0 ? "" : actual[^1]) ? 1 : 0, 1);
        }

        return (full, innermost, unlocated);

        IReadOnlyList<string> WithoutTitle(IReadOnlyList<string> path) =>
            path.Count > 0 && title is not null && path[0] == title ? path.Skip(1).ToArray() : path;

        static string Key(string text) => new(text.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());
    }

    /// <summary>
    /// A heading compared by its words only: letters and digits, lower case, without a leading section
    /// number ("2.1 Linux" and "Linux" are the same heading; Word renders the number from list numbering,
    /// which some parsers keep and others do not).
    /// </summary>
    private static string HeadingKey(string text)
    {
        var trimmed = text.TrimStart();
        var i = 0;
        while (i < trimmed.Length && (char.IsDigit(trimmed[i]) || trimmed[i] is '.' or ')' || (char.IsWhiteSpace(trimmed[i]) && i > 0 && !char.IsLetter(trimmed[i - 1]))))
        {
            i++;
        }

        var rest = i > 0 && i < trimmed.Length ? trimmed[i..] : trimmed;
        return new string(rest.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());
    }

    /// <summary>Maximal runs of consecutive list items.</summary>
    public static IEnumerable<IReadOnlyList<DocumentBlock>> ListRuns(IReadOnlyList<DocumentBlock> blocks)
    {
        var run = new List<DocumentBlock>();
        foreach (var block in blocks)
        {
            if (block.Kind == BlockKind.ListItem)
            {
                run.Add(block);
                continue;
            }

            if (run.Count > 0)
            {
                yield return run.ToArray();
                run.Clear();
            }
        }

        if (run.Count > 0)
        {
            yield return run.ToArray();
        }
    }

    /// <summary>The table's rows as they read in any chunk (normalised), header first.</summary>
    private static List<string> TableRows(DocumentBlock table)
    {
        if (table.Rows is { Count: > 0 } rows)
        {
            var width = rows.Max(r => r.Count);
            return rows.Select(r => Normalise(MarkdownTable.RenderRow(r, width))).ToList();
        }

        return table.Text.Split('\n').Where((_, i) => i != 1).Select(Normalise).Where(l => l.Length > 0).ToList();
    }

    /// <summary>Lower case, whitespace collapsed: chunk texts join blocks and words with varying whitespace.</summary>
    public static string Normalise(string text)
    {
        var sb = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                space = sb.Length > 0;
                continue;
            }

            if (space)
            {
                sb.Append(' ');
                space = false;
            }

            sb.Append(char.ToLowerInvariant(c));
        }

        return sb.ToString();
    }

    public static int Percentile(IReadOnlyList<int> values, double p)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToList();
        var rank = (int)Math.Ceiling(p * sorted.Count) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
    }
}
