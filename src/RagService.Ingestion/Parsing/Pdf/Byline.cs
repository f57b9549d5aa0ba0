using System.Text;
using System.Text.RegularExpressions;

namespace RagService.Ingestion.Parsing.Pdf;

/// <summary>
/// An author line under a paper's or report's title ("Michael J. Montague, Gang Li and Wesley C. Warren",
/// "Kevin Blackistone , Javier Quilez , Belen Lorente-Galdos"): set bold or larger than the body, it passes every
/// size and weight test for a heading, but it names people, not a section.
/// <para>
/// A line is a byline when, with affiliation marks (digits, letters after a comma, *, †, ‡) left out, it is a run
/// of personal names split by commas, semicolons, "and" or "&amp;": two or more names of two to four capitalised
/// words where at least one has an initial ("J.") or there are three names or more; a single name with a
/// middle initial ("Michael J. Montague"; "A. Applicant" is a form's section A); or a piece of such a list cut by the affiliation marks between rows (it opens with a comma or "and").
/// Names run together without word spaces ("PetrasRimantasVenskutonis") count their capitals as words.
/// Three Title Case words in a row ("Sales Planning, Cost Control and Risk Management") would also pass, which
/// is why a list without initials needs three names or more.
/// </para>
/// </summary>
internal static partial class Byline
{
    public static bool IsNames(string text)
    {
        var cleaned = Marks().Replace(text, " ").Trim();
        if (cleaned.Length == 0 || !cleaned.Any(char.IsLetter))
        {
            return false;
        }

        // A piece of a list broken over rows by the affiliation marks between them: ", Gang Li", "and Wesley C. Warren".
        var continuation = cleaned.StartsWith(',') || cleaned.StartsWith('&') || cleaned.StartsWith("and ", StringComparison.Ordinal);
        var items = Separators().Split(cleaned).Select(i => i.Trim()).Where(i => i.Length > 0).ToList();
        if (items.Count == 0)
        {
            return false;
        }

        var names = items.Select(Name).ToList();
        if (names.Any(n => n is null))
        {
            return false;
        }

        var withInitial = names.Count(n => n!.Value.Initial);
        if (continuation)
        {
            return true;
        }

        // Alone, a name needs a middle initial: "A. Applicant" (a form's section A) is set like "J. Smith".
        return items.Count == 1 ? names[0]!.Value.MiddleInitial : withInitial > 0 || items.Count >= 3;
    }

    /// <summary>Two to four capitalised words (initials, hyphenated and particled names allowed), or null.</summary>
    private static (int Words, bool Initial, bool MiddleInitial)? Name(string item)
    {
        var words = new List<string>();
        foreach (var token in item.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            words.AddRange(SplitCamel(token));
        }

        var initial = false;
        var middle = false;
        var capitalised = 0;
        foreach (var word in words)
        {
            if (Initial().IsMatch(word))
            {
                initial = true;
                middle |= capitalised > 0 && !Initial().IsMatch(words[0]);
                capitalised++;
            }
            else if (NameWord().IsMatch(word))
            {
                capitalised++;
            }
            else if (!Particle().IsMatch(word))
            {
                return null;
            }
        }

        // A middle initial stands between a first name and a surname.
        middle &= !Initial().IsMatch(words[^1]);
        return capitalised is >= 2 and <= 4 && words.Count <= 5 ? (capitalised, initial, middle) : null;
    }

    /// <summary>"PetrasRimantasVenskutonis" → Petras, Rimantas, Venskutonis (a name whose word spaces were lost).</summary>
    private static IEnumerable<string> SplitCamel(string token)
    {
        var start = 0;
        for (var i = 1; i < token.Length; i++)
        {
            if (char.IsUpper(token[i]) && char.IsLower(token[i - 1]))
            {
                yield return token[start..i];
                start = i;
            }
        }

        yield return token[start..];
    }

    /// <summary>Affiliation and footnote marks set after names: digits, *, †, ‡, §, ¶, stray accents, and "a,1"-style letter marks.</summary>
    [GeneratedRegex(@"[\d*∗†‡§¶´`^#✉]+|(?<=\p{Ll})\s*\b[a-z](?:,[a-z\d])*\b(?=\s*(?:,|$|\s+and\b))")]
    private static partial Regex Marks();

    [GeneratedRegex(@"\s*(?:,|;|&|\band\b)\s*")]
    private static partial Regex Separators();

    [GeneratedRegex(@"^\p{Lu}\.(?:-?\p{Lu}\.)*$")]
    private static partial Regex Initial();

    [GeneratedRegex(@"^(?:\p{Lu}['’])?\p{Lu}[\p{Ll}'’]+(?:-\p{Lu}?[\p{Ll}'’]+)*$")]
    private static partial Regex NameWord();

    [GeneratedRegex(@"^(?:van|von|de|der|den|da|di|del|della|la|le|du|dos|das|bin|ibn|al|el|ten|ter|zu)$")]
    private static partial Regex Particle();
}
