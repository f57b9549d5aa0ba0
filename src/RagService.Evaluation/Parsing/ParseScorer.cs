using RagService.Core.Documents;

namespace RagService.Evaluation.Parsing;

/// <summary>How a reference is to be compared.</summary>
public sealed record ScoringMode
{
    /// <summary>Compare text with all whitespace removed (the reference's spacing is an artefact of its extractor).</summary>
    public bool IgnoreWhitespace { get; init; }

    /// <summary>The reference is an OCR transcription: report character and word error rates.</summary>
    public bool Ocr { get; init; }
}

/// <summary>The scores of one parsed document against its reference. Null means "not applicable".</summary>
public sealed record ParseScore
{
    public double TextSimilarity { get; init; }
    public int HeadingsExpected { get; init; }
    public int HeadingsFound { get; init; }
    public int HeadingsMatched { get; init; }
    public double? HeadingPrecision { get; init; }
    public double? HeadingRecall { get; init; }
    public double? HeadingF1 { get; init; }

    /// <summary>Among matched headings, the share whose level agrees once the document's usual level offset is applied.</summary>
    public double? HeadingLevelAccuracy { get; init; }

    public int TablesExpected { get; init; }
    public int TablesFound { get; init; }

    /// <summary>Reference tables matched by one of ours holding at least half of their cells.</summary>
    public int TablesRecovered { get; init; }

    /// <summary>Mean over reference tables of the share of their non-empty cells present in the matched table.</summary>
    public double? CellAccuracy { get; init; }

    /// <summary>Share of pairs of located reference passages that appear in the same order in ours.</summary>
    public double? ReadingOrder { get; init; }

    public double? CharacterErrorRate { get; init; }
    public double? WordErrorRate { get; init; }
}

/// <summary>Scores a <see cref="DocumentTree"/> against a <see cref="GroundTruth"/>.</summary>
public static class ParseScorer
{
    private const double HeadingMatchSimilarity = 0.8;
    private const double TableRecoveredShare = 0.5;
    private const int AnchorLength = 24;
    private const int PlainAnchorStride = 150;

    public static ParseScore Score(GroundTruth truth, DocumentTree tree, ScoringMode? mode = null)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(tree);
        mode ??= new ScoringMode();
        var ours = ScoreText.FromTree(tree);
        var (expected, actual) = mode.IgnoreWhitespace
            ? (ScoreText.WithoutWhitespace(truth.Text), ScoreText.WithoutWhitespace(ours))
            : (ScoreText.Normalize(truth.Text), ScoreText.Normalize(ours));

        var score = new ParseScore
        {
            TextSimilarity = EditDistance.Similarity(expected, actual),
            ReadingOrder = ReadingOrder(truth, ours),
        };

        if (mode.Ocr)
        {
            score = score with
            {
                CharacterErrorRate = EditDistance.CharacterErrorRate(expected, actual),
                WordErrorRate = EditDistance.WordErrorRate(ScoreText.Normalize(truth.Text), ScoreText.Normalize(ours)),
            };
        }

        if (truth.HasStructure)
        {
            score = ScoreHeadings(score, truth, tree);
            score = ScoreTables(score, truth, tree);
        }

        return score;
    }

    private static ParseScore ScoreHeadings(ParseScore score, GroundTruth truth, DocumentTree tree)
    {
        var ours = tree.Blocks.Where(b => b.Kind == BlockKind.Heading).Select(b => new ScoredHeading(b.Level, b.Text)).ToList();
        var expected = truth.Headings;
        var pairs = MatchHeadings(expected, ours);
        var matched = pairs.Count;
        double? precision = ours.Count == 0 ? (expected.Count == 0 ? null : 0) : (double)matched / ours.Count;
        double? recall = expected.Count == 0 ? null : (double)matched / expected.Count;
        double? f1 = (expected.Count, ours.Count) switch
        {
            (0, 0) => null,
            _ when matched == 0 => 0,
            _ => 2.0 * matched / (expected.Count + ours.Count),
        };

        double? levels = null;
        if (matched > 0)
        {
            // Conventions differ (Docling writes a DOCX Title as # and Heading 1 as ##); a consistent shift is not an error.
            var offsets = pairs.Select(p => p.Expected.Level - p.Ours.Level).ToList();
            var usual = offsets.GroupBy(o => o).OrderByDescending(g => g.Count()).ThenBy(g => Math.Abs(g.Key)).First().Key;
            levels = (double)offsets.Count(o => o == usual) / matched;
        }

        return score with
        {
            HeadingsExpected = expected.Count,
            HeadingsFound = ours.Count,
            HeadingsMatched = matched,
            HeadingPrecision = precision,
            HeadingRecall = recall,
            HeadingF1 = f1,
            HeadingLevelAccuracy = levels,
        };
    }

    /// <summary>In document order: each reference heading takes the first unmatched heading of ours that says the same.</summary>
    private static List<(ScoredHeading Expected, ScoredHeading Ours)> MatchHeadings(IReadOnlyList<ScoredHeading> expected, List<ScoredHeading> ours)
    {
        var used = new bool[ours.Count];
        var keys = ours.Select(h => ScoreText.Key(h.Text)).ToList();
        var pairs = new List<(ScoredHeading, ScoredHeading)>();
        foreach (var heading in expected)
        {
            var key = ScoreText.Key(heading.Text);
            if (key.Length == 0)
            {
                continue;
            }

            var index = -1;
            for (var i = 0; i < ours.Count && index < 0; i++)
            {
                if (!used[i] && keys[i] == key)
                {
                    index = i;
                }
            }

            for (var i = 0; i < ours.Count && index < 0; i++)
            {
                if (!used[i] && keys[i].Length > 0 && EditDistance.Similarity(key, keys[i]) >= HeadingMatchSimilarity)
                {
                    index = i;
                }
            }

            if (index >= 0)
            {
                used[index] = true;
                pairs.Add((heading, ours[index]));
            }
        }

        return pairs;
    }

    private static ParseScore ScoreTables(ParseScore score, GroundTruth truth, DocumentTree tree)
    {
        var ours = tree.Blocks.Where(b => b.Kind == BlockKind.Table && b.Rows is not null).Select(b => b.Rows!).ToList();
        if (truth.Tables.Count == 0)
        {
            return score with { TablesFound = ours.Count };
        }

        var used = new bool[ours.Count];
        var recovered = 0;
        var cellShares = new List<double>();
        foreach (var table in truth.Tables)
        {
            var cells = table.SelectMany(r => r).Select(ScoreText.Key).Where(k => k.Length > 0).ToList();
            var best = -1;
            var bestShare = 0.0;
            for (var i = 0; i < ours.Count; i++)
            {
                if (used[i])
                {
                    continue;
                }

                var share = CellShare(cells, ours[i]);
                if (share > bestShare)
                {
                    (best, bestShare) = (i, share);
                }
            }

            if (best >= 0 && bestShare >= TableRecoveredShare)
            {
                used[best] = true;
                recovered++;
                cellShares.Add(bestShare);
            }
            else
            {
                cellShares.Add(cells.Count == 0 ? 1 : 0);
            }
        }

        return score with
        {
            TablesExpected = truth.Tables.Count,
            TablesFound = ours.Count,
            TablesRecovered = recovered,
            CellAccuracy = cellShares.Average(),
        };
    }

    /// <summary>The share of reference cells found among ours, as a multiset (a value counted once per occurrence).</summary>
    private static double CellShare(List<string> expected, IReadOnlyList<IReadOnlyList<string>> table)
    {
        if (expected.Count == 0)
        {
            return 1;
        }

        var available = table.SelectMany(r => r).Select(ScoreText.Key).Where(k => k.Length > 0)
            .GroupBy(k => k).ToDictionary(g => g.Key, g => g.Count());
        var found = 0;
        foreach (var cell in expected)
        {
            if (available.TryGetValue(cell, out var n) && n > 0)
            {
                available[cell] = n - 1;
                found++;
            }
        }

        return (double)found / expected.Count;
    }

    /// <summary>
    /// Anchors (the start of each reference paragraph, or evenly spaced snippets of plain references) that
    /// occur exactly once on both sides are located in ours; the score is the share of anchor pairs in
    /// the reference's order: 1 when reading order is kept, about 0.5 when it is shuffled.
    /// </summary>
    private static double? ReadingOrder(GroundTruth truth, string ours)
    {
        var ourKey = ScoreText.Key(ours);
        var anchors = new List<string>();
        if (truth.HasStructure)
        {
            anchors.AddRange(truth.Paragraphs.Select(ScoreText.Key).Where(k => k.Length >= AnchorLength).Select(k => k[..AnchorLength]));
        }
        else
        {
            var key = ScoreText.Key(truth.Text);
            for (var i = 0; i + AnchorLength <= key.Length; i += PlainAnchorStride)
            {
                anchors.Add(key.Substring(i, AnchorLength));
            }
        }

        var counts = anchors.GroupBy(a => a).ToDictionary(g => g.Key, g => g.Count());
        var positions = anchors
            .Where(a => counts[a] == 1)
            .Select(a => (First: ourKey.IndexOf(a, StringComparison.Ordinal), Last: ourKey.LastIndexOf(a, StringComparison.Ordinal)))
            .Where(p => p.First >= 0 && p.First == p.Last)
            .Select(p => p.First)
            .ToList();
        if (positions.Count < 2)
        {
            return null;
        }

        long concordant = 0, total = 0;
        for (var i = 0; i < positions.Count; i++)
        {
            for (var j = i + 1; j < positions.Count; j++)
            {
                total++;
                if (positions[i] < positions[j])
                {
                    concordant++;
                }
            }
        }

        return (double)concordant / total;
    }
}
