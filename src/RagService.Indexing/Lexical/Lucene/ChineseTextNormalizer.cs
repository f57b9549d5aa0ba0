using System.Collections.Frozen;
using System.Text;

namespace RagService.Indexing.Lexical.Lucene;

/// <summary>
/// Folds the forms of Chinese text that mean the same so a query matches a document written either way:
/// Unicode NFKC (full-width letters, digits and punctuation become their ASCII forms: "Ｋ８ｓ" is "K8s",
/// compatibility ideographs become unified ones) and Traditional characters become Simplified ones
/// ("網關" is "网关"), one character at a time from ICU's Traditional-Simplified table. Both the index and
/// the query side of the Chinese fields run it, so a character the table conflates is conflated on both.
/// </summary>
public static class ChineseTextNormalizer
{
    private static readonly FrozenDictionary<int, int> TraditionalToSimplified = LoadTable();

    /// <summary>How many Traditional characters the table maps.</summary>
    public static int MappedCharacters => TraditionalToSimplified.Count;

    public static string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var folded = text.IsNormalized(NormalizationForm.FormKC) ? text : text.Normalize(NormalizationForm.FormKC);
        var builder = new StringBuilder(folded.Length);
        foreach (var rune in folded.EnumerateRunes())
        {
            builder.Append(TraditionalToSimplified.TryGetValue(rune.Value, out var simplified) ? new Rune(simplified) : rune);
        }

        return builder.ToString();
    }

    /// <summary>Reads the rest of <paramref name="reader"/> and returns a reader over its normalised text (Lucene's reader hook).</summary>
    public static TextReader Wrap(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return new StringReader(Normalize(reader.ReadToEnd()));
    }

    private static FrozenDictionary<int, int> LoadTable()
    {
        using var stream = typeof(ChineseTextNormalizer).Assembly.GetManifestResourceStream("TraditionalToSimplified.txt")
            ?? throw new InvalidOperationException("The Traditional-Simplified table is not embedded in the assembly.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var table = new Dictionary<int, int>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var runes = line.EnumerateRunes().ToArray();
            if (runes.Length == 2)
            {
                table[runes[0].Value] = runes[1].Value;
            }
        }

        return table.ToFrozenDictionary();
    }
}
