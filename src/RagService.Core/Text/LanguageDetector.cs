using System.Globalization;

namespace RagService.Core.Text;

/// <summary>
/// The languages a text is written in, each with its share of the text's word units (see
/// <see cref="LanguageDetector"/>). <see cref="Code"/> names the main language, or the two main
/// languages of a mixed text ("zh-en": mostly Chinese with English terms), or "und" for a text without letters.
/// </summary>
public sealed record TextLanguage
{
    /// <summary>A language at or above this share of a text's units counts towards a mixed code.</summary>
    public const double MixedShare = 0.2;

    public TextLanguage(IReadOnlyDictionary<string, double> shares)
    {
        ArgumentNullException.ThrowIfNull(shares);
        Shares = shares;
        var ranked = shares.Where(s => s.Value >= MixedShare).OrderByDescending(s => s.Value).ThenBy(s => s.Key, StringComparer.Ordinal).Take(2).Select(s => s.Key).ToList();
        Code = ranked.Count == 0 ? Undetermined : string.Join('-', ranked);
    }

    /// <summary>The code of a text with no letters (numbers, punctuation): every model covers it.</summary>
    public const string Undetermined = "und";

    /// <summary>Each detected language's share of the word units; the shares sum to 1 (empty for "und").</summary>
    public IReadOnlyDictionary<string, double> Shares { get; }

    /// <summary>"en", "zh", a mixed "zh-en" / "en-zh" (main language first), or "und".</summary>
    public string Code { get; }

    /// <summary>True when two languages each hold at least <see cref="MixedShare"/> of the text.</summary>
    public bool IsMixed => Code.Contains('-', StringComparison.Ordinal);

    /// <summary>The languages of <see cref="Code"/>: one, two for a mixed text, none for "und".</summary>
    public IReadOnlyList<string> Languages => Code == Undetermined ? [] : Code.Split('-');
}

/// <summary>
/// Script rules, no statistical model: a text's word units are counted per script and each script stands
/// for the language the service treats it as. A Han ideograph is one unit (a Chinese word is one to three of
/// them, and each carries meaning); a run of letters or digits of an alphabetic script is one unit (a word).
/// Han without kana is "zh", any kana makes the Han part "ja", Hangul is "ko", Cyrillic "ru", Greek "el",
/// Arabic "ar", Hebrew "he", Thai "th", Devanagari "hi", and Latin-script words count as "en" (the bundled
/// models are English; a French text is, for them, English with unknown words). Digits alone are no unit,
/// so "K8s" is one "en" word and "2024年" one "zh" unit; a word that mixes alphabets counts once, in the
/// script it starts with.
/// </summary>
public static class LanguageDetector
{
    public static TextLanguage Detect(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var hasKana = false;
        string? wordScript = null;
        for (var i = 0; i < text.Length; i++)
        {
            int codePoint = text[i];
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                codePoint = char.ConvertToUtf32(text[i], text[i + 1]);
                i++;
            }

            var script = ScriptOf(codePoint);
            if (script is "han" or "kana" or "ko" or "th")
            {
                // Ideographs and syllables count one unit each; they also end any alphabetic word.
                Add(counts, script);
                hasKana |= script == "kana";
                wordScript = null;
            }
            else if (script is not null)
            {
                // A word mixing alphabets ("αvβ8") is one unit, of the script it starts in.
                if (wordScript is null)
                {
                    Add(counts, script);
                    wordScript = script;
                }
            }
            else if (!IsDigit(codePoint))
            {
                wordScript = null;
            }
        }

        // Kana marks Japanese: its Han characters are kanji, not Chinese.
        var han = counts.Remove("han", out var h) ? h : 0;
        var kana = counts.Remove("kana", out var k) ? k : 0;
        if (han + kana > 0)
        {
            counts[hasKana ? "ja" : "zh"] = han + kana;
        }

        var total = counts.Values.Sum();
        return new TextLanguage(total == 0
            ? new Dictionary<string, double>()
            : counts.ToDictionary(c => c.Key, c => (double)c.Value / total, StringComparer.Ordinal));
    }

    private static void Add(Dictionary<string, int> counts, string key) => counts[key] = counts.GetValueOrDefault(key) + 1;

    private static bool IsDigit(int codePoint) => codePoint <= char.MaxValue && char.IsDigit((char)codePoint);

    /// <summary>The script key of a letter ("han", "kana" and the language codes of alphabetic scripts), or null for anything else.</summary>
    private static string? ScriptOf(int codePoint)
    {
        if (Scripts.IsHan(codePoint))
        {
            return "han";
        }

        return codePoint switch
        {
            >= 0x3040 and <= 0x30FF or >= 0x31F0 and <= 0x31FF or >= 0xFF66 and <= 0xFF9F => "kana",
            >= 0xAC00 and <= 0xD7AF or >= 0x1100 and <= 0x11FF or >= 0x3130 and <= 0x318F => "ko",
            >= 0x0E00 and <= 0x0E7F => "th",
            >= 0x0400 and <= 0x04FF => "ru",
            >= 0x0370 and <= 0x03FF => "el",
            >= 0x0590 and <= 0x05FF => "he",
            >= 0x0600 and <= 0x06FF => "ar",
            >= 0x0900 and <= 0x097F => "hi",
            _ when IsLatinLetter(codePoint) => "en",
            _ => null,
        };
    }

    private static bool IsLatinLetter(int codePoint) =>
        codePoint is >= 'A' and <= 'Z' or >= 'a' and <= 'z' or >= 0xFF21 and <= 0xFF3A or >= 0xFF41 and <= 0xFF5A
        || (codePoint is >= 0x00C0 and <= 0x024F && CharUnicodeInfo.GetUnicodeCategory(codePoint) is UnicodeCategory.LowercaseLetter or UnicodeCategory.UppercaseLetter);
}
