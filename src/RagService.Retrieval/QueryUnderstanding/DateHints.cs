using System.Globalization;
using System.Text.RegularExpressions;

namespace RagService.Retrieval.QueryUnderstanding;

/// <summary>
/// A date range named in a query, on the document date (see <c>SearchFilter.ModifiedAfter/Before</c>).
/// </summary>
/// <param name="After">Inclusive lower bound, or null.</param>
/// <param name="Before">Exclusive upper bound, or null.</param>
/// <param name="Directional">
/// True for a range with a direction ("since March 2024", "before 2022-06-01", "between 2021 and 2023",
/// "2023年以来"): the user restricts the documents, so in "auto" mode it becomes a filter. False for a
/// period ("in 2023", "March 2024", "2024年3月"): it may describe the content rather than the document, so
/// it becomes a boost.
/// </param>
/// <param name="Text">The words of the query the range was read from, for the trace.</param>
public sealed record DateHint(DateTimeOffset? After, DateTimeOffset? Before, bool Directional, string Text)
{
    /// <summary>True when <paramref name="date"/> is in [After, Before).</summary>
    public bool Contains(DateTimeOffset date) => (After is not { } a || date >= a) && (Before is not { } b || date < b);

    /// <summary>As the trace shows it: "[2024-03-01, …)".</summary>
    public string Range => $"[{Day(After)}, {Day(Before)})";

    private static string Day(DateTimeOffset? date) => date is { } d ? d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "…";
}

/// <summary>
/// Reads dates out of a query with rules: ISO dates ("2022-06-01", "2024-03"), month names with a year
/// ("March 2024", "Mar 15, 2024"), Chinese dates ("2024年3月", "2023年"), and years after a preposition
/// ("in 2023", "since 2021"). The words around a date give its direction: since / as of / onwards /
/// 以来 / 起 (from its start), after / 之后 / 以后 (from its end), before / 之前 / 以前 (until its start),
/// until / through / by (until its end), between … and … / from … to … / …到… (a range); in / during / on /
/// from (without "to": "reports from 2023") / 在 or none (the period itself). A bare year with no such word ("ISO 2022 report") is not read as a date.
/// </summary>
public static partial class DateHints
{
    public static DateHint? Extract(string query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var atoms = Atom().Matches(query).Select(ToAtom).ToList();
        if (atoms.Count == 0)
        {
            return null;
        }

        DateTimeOffset? after = null;
        DateTimeOffset? before = null;
        var directional = false;
        var parts = new List<string>();
        for (var i = 0; i < atoms.Count; i++)
        {
            var atom = atoms[i];
            var prefix = query[..atom.Index];
            var keyword = Keyword().Match(prefix);
            var word = keyword.Success ? keyword.Groups["k"].Value.ToLowerInvariant() : "";
            var start = keyword.Success ? keyword.Groups["k"].Index : atom.Index;

            // A range: "between A and B", "from A to B", "A to B", "A到B", "A–B".
            if (i + 1 < atoms.Count)
            {
                var next = atoms[i + 1];
                var between = query[(atom.Index + atom.Length)..next.Index];
                if (RangeJoin().IsMatch(between) && (word is "between" or "from" or "自" or "从" || !between.Trim().Equals("and", StringComparison.OrdinalIgnoreCase)))
                {
                    after = Later(after, atom.Start);
                    before = Earlier(before, next.End);
                    directional = true;
                    parts.Add(query[start..(next.Index + next.Length)].Trim());
                    i++;
                    continue;
                }
            }

            var suffix = Suffix().Match(query[(atom.Index + atom.Length)..]);
            var end = suffix.Success ? atom.Index + atom.Length + suffix.Length : atom.Index + atom.Length;
            var tail = suffix.Success ? suffix.Groups["s"].Value.ToLowerInvariant() : "";
            var text = query[start..end].Trim();
            switch (word, tail)
            {
                case (_, "onward" or "onwards" or "and later" or "or later" or "以来" or "起" or "开始" or "至今"):
                case ("since" or "as of" or "starting", _):
                    after = Later(after, atom.Start);
                    directional = true;
                    break;
                case (_, "之后" or "以后" or "后"):
                case ("after", _):
                    after = Later(after, atom.End);
                    directional = true;
                    break;
                case (_, "之前" or "以前" or "前"):
                case ("before" or "prior to", _):
                    before = Earlier(before, atom.Start);
                    directional = true;
                    break;
                case (_, "and earlier" or "or earlier"):
                case ("until" or "till" or "through" or "up to" or "by", _):
                    before = Earlier(before, atom.End);
                    directional = true;
                    break;
                default:
                    if (word.Length == 0 && atom.BareYear)
                    {
                        // "ISO 2022", "2023 budget": a number, not clearly a date.
                        continue;
                    }

                    after = Later(after, atom.Start);
                    before = Earlier(before, atom.End);
                    break;
            }

            parts.Add(text);
        }

        if (parts.Count == 0 || (after is { } a && before is { } b && a >= b))
        {
            return null;
        }

        return new DateHint(after, before, directional, string.Join(" … ", parts));
    }

    private static DateTimeOffset? Later(DateTimeOffset? current, DateTimeOffset value) => current is { } c && c > value ? c : value;

    private static DateTimeOffset? Earlier(DateTimeOffset? current, DateTimeOffset value) => current is { } c && c < value ? c : value;

    private static DateAtom ToAtom(Match m)
    {
        int year;
        int? month = null;
        int? day = null;
        var bareYear = false;
        if (m.Groups["cy"].Success)
        {
            year = Int(m.Groups["cy"]);
            month = m.Groups["cm"].Success ? Int(m.Groups["cm"]) : null;
            day = m.Groups["cd"].Success ? Int(m.Groups["cd"]) : null;
        }
        else if (m.Groups["iy"].Success)
        {
            year = Int(m.Groups["iy"]);
            month = Int(m.Groups["im"]);
            day = m.Groups["id"].Success ? Int(m.Groups["id"]) : null;
        }
        else if (m.Groups["my"].Success)
        {
            year = Int(m.Groups["my"]);
            month = MonthNumber(m.Groups["mon"].Value);
            day = m.Groups["md"].Success ? Int(m.Groups["md"]) : null;
        }
        else
        {
            year = Int(m.Groups["yy"]);
            bareYear = true;
        }

        DateTimeOffset start;
        DateTimeOffset end;
        if (month is { } mo && day is { } d && d <= DateTime.DaysInMonth(year, mo))
        {
            start = new DateTimeOffset(year, mo, d, 0, 0, 0, TimeSpan.Zero);
            end = start.AddDays(1);
        }
        else if (month is { } mo2)
        {
            start = new DateTimeOffset(year, mo2, 1, 0, 0, 0, TimeSpan.Zero);
            end = start.AddMonths(1);
        }
        else
        {
            start = new DateTimeOffset(year, 1, 1, 0, 0, 0, TimeSpan.Zero);
            end = start.AddYears(1);
        }

        return new DateAtom(m.Index, m.Length, start, end, bareYear);
    }

    private static int Int(Group group) => int.Parse(group.Value, NumberStyles.None, CultureInfo.InvariantCulture);

    private static int MonthNumber(string name) => name[..3].ToLowerInvariant() switch
    {
        "jan" => 1,
        "feb" => 2,
        "mar" => 3,
        "apr" => 4,
        "may" => 5,
        "jun" => 6,
        "jul" => 7,
        "aug" => 8,
        "sep" => 9,
        "oct" => 10,
        "nov" => 11,
        _ => 12,
    };

    private sealed record DateAtom(int Index, int Length, DateTimeOffset Start, DateTimeOffset End, bool BareYear);

    // Alternatives, most specific first: Chinese (2024年3月15日), ISO (2022-06-01, 2024-03), month name (March 15, 2024), year.
    [GeneratedRegex(
        @"(?<cy>(?:19|20)\d{2})\s*年(?:\s*(?<cm>1[0-2]|0?[1-9])\s*月(?:\s*(?<cd>[12]\d|3[01]|0?[1-9])\s*[日号])?)?" +
        @"|(?<![\d-])(?<iy>(?:19|20)\d{2})-(?<im>1[0-2]|0[1-9])(?:-(?<id>[12]\d|3[01]|0[1-9]))?(?![\d-])" +
        @"|\b(?<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?\s+(?:(?<md>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?,?\s+)?(?<my>(?:19|20)\d{2})\b" +
        @"|(?<![\w.-])(?<yy>(?:19|20)\d{2})(?![\w.-]|\s*年)",
        RegexOptions.IgnoreCase)]
    private static partial Regex Atom();

    [GeneratedRegex(@"(?:^|[^\p{L}])(?<k>between|from|since|after|before|prior to|until|till|through|up to|by|as of|starting|in|during|of|for|on|自|从|在|于)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex Keyword();

    [GeneratedRegex(@"^\s*(?<s>onwards?|and later|or later|and earlier|or earlier|以来|至今|开始|起|之后|以后|后|之前|以前|前)", RegexOptions.IgnoreCase)]
    private static partial Regex Suffix();

    [GeneratedRegex(@"^\s*(?:and|to|until|till|through|-|–|—|到|至)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex RangeJoin();
}
