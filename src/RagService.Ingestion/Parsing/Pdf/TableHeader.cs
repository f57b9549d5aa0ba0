namespace RagService.Ingestion.Parsing.Pdf;

/// <summary>
/// Header cells that wrap onto a second line ("Nightly cap" over "(EUR)") are read as two rows; they are one
/// header row. The second line continues the first when it fills only some of the columns, each under a
/// filled header cell, with words that read as a continuation (a bracketed unit, a lower-case word, a short
/// CJK phrase), while the body fills the columns it leaves empty.
/// </summary>
internal static class TableHeader
{
    /// <summary>Body columns at least this full are ones a real row would have filled too.</summary>
    private const double Filled = 0.8;

    /// <param name="knownHeader">The header of the table this part continues: a wrapped repetition of it joins whatever the body says.</param>
    public static IReadOnlyList<IReadOnlyList<string>> JoinWrapped(IReadOnlyList<IReadOnlyList<string>> rows, IReadOnlyList<string>? knownHeader = null)
    {
        if (rows.Count < 2 || rows[0].Count < 2 || rows[1].Count != rows[0].Count)
        {
            return rows;
        }

        var (head, next) = (rows[0], rows[1]);
        var joined = head.Zip(next, (a, b) => b.Length == 0 ? a : a.Length == 0 ? b : $"{a} {b}").ToList();
        if (knownHeader is not null && joined.Select(PdfOutline.Key).SequenceEqual(knownHeader.Select(PdfOutline.Key)))
        {
            return [joined, .. rows.Skip(2)];
        }

        var body = rows.Skip(2).ToList();
        if (body.Count < 2)
        {
            return rows;
        }

        var continues = 0;
        var gaps = 0;
        for (var c = 0; c < head.Count; c++)
        {
            if (next[c].Length > 0)
            {
                if (head[c].Length == 0 || !Continuation(next[c]))
                {
                    return rows;
                }

                continues++;
            }
            else if (body.Count(r => r[c].Length > 0) >= Filled * body.Count)
            {
                gaps++;
            }
        }

        return continues > 0 && gaps > 0 ? [joined, .. body] : rows;
    }

    /// <summary>"(EUR)", "revenue", "（元）", "收入": what the second line of a header cell looks like; "Dublin" and "149" do not.</summary>
    private static bool Continuation(string text)
    {
        var t = text.Trim();
        if (t.Length == 0 || t.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length > 3)
        {
            return false;
        }

        return t[0] is '(' or '（' or '[' || char.IsLower(t[0]) || (t.Length <= 6 && t.All(ch => ch >= '\u3000'));
    }
}
