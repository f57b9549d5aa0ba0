using System.Text;
using UglyToad.PdfPig.Content;

namespace RagService.Ingestion.Parsing.Pdf;

/// <summary>
/// Accents drawn as glyphs of their own over (or, a cedilla, under) the letter they belong to: TeX and many Type 1
/// producers set "é" as "e" plus a spacing "´" placed above it, which reads "Universite ´ de la Reunion ´" where the
/// page shows "Université de la Réunion". A spacing accent whose box lies over a neighbouring letter on the same
/// baseline (its centre within the letter's width, its bottom in the upper part of the letter's height; a cedilla's top
/// in the lower part) is folded into that letter as one composed character, and dropped as a letter of its own. An
/// accent not over a letter (a caret or a tilde in code, "a^b", "~/x") stays as it is.
/// </summary>
internal static class Accents
{
    private const int Window = 256;

    public static IReadOnlyList<Letter> Compose(IReadOnlyList<Letter> letters)
    {
        List<Letter>? result = null;
        var dropped = new HashSet<int>();
        Dictionary<int, Letter>? replaced = null;
        for (var i = 0; i < letters.Count; i++)
        {
            if (letters[i].Value is not [var accent] || Combining(accent) is not { } mark)
            {
                continue;
            }

            // The base is usually the letter drawn just before the accent or just after it; a producer that draws the
            // accents after the line (or before it) leaves it further away in drawing order.
            foreach (var j in Outward(i, letters.Count))
            {
                if (dropped.Contains(j) || !Over(letters[i], letters[j], below: mark == '\u0327'))
                {
                    continue;
                }

                var baseLetter = replaced is not null && replaced.TryGetValue(j, out var earlier) ? earlier : letters[j];
                var value = (baseLetter.Value switch { "ı" => "i", "ȷ" => "j", var v => v }) + mark;
                var composed = value.Normalize(NormalizationForm.FormC);
                replaced ??= [];
                replaced[j] = With(baseLetter, composed);
                dropped.Add(i);
                break;
            }
        }

        if (replaced is null)
        {
            return letters;
        }

        result = new List<Letter>(letters.Count - dropped.Count);
        for (var i = 0; i < letters.Count; i++)
        {
            if (!dropped.Contains(i))
            {
                result.Add(replaced.TryGetValue(i, out var letter) ? letter : letters[i]);
            }
        }

        return result;
    }

    /// <summary>
    /// Indexes by distance from <paramref name="i"/> in drawing order, i - 1, i + 1, i - 2, i + 2, ..., within a few
    /// lines' worth of letters (a caret or a tilde in a code listing, over no letter, costs no more than that).
    /// </summary>
    private static IEnumerable<int> Outward(int i, int count)
    {
        for (var d = 1; d <= Window && (i - d >= 0 || i + d < count); d++)
        {
            if (i - d >= 0)
            {
                yield return i - d;
            }

            if (i + d < count)
            {
                yield return i + d;
            }
        }
    }

    /// <summary>The combining mark a spacing accent stands for, or null for any other character.</summary>
    private static char? Combining(char c) => c switch
    {
        '´' or 'ˊ' => '\u0301',
        '`' or 'ˋ' => '\u0300',
        'ˆ' or '^' => '\u0302',
        '˜' or '~' => '\u0303',
        '¨' => '\u0308',
        '¸' => '\u0327',
        'ˇ' => '\u030C',
        '˘' => '\u0306',
        '˙' => '\u0307',
        '˚' => '\u030A',
        '˝' => '\u030B',
        '¯' or 'ˉ' => '\u0304',
        _ => null,
    };

    private static bool Over(Letter accent, Letter letter, bool below)
    {
        if (letter.Value is not [var c] || !char.IsLetter(c))
        {
            return false;
        }

        var box = letter.BoundingBox;
        var mark = accent.BoundingBox;
        var centre = (mark.Left + mark.Right) / 2;
        var height = Math.Max(box.Height, letter.PointSize * 0.3);
        var size = Math.Max(letter.PointSize, 1);
        return centre >= box.Left && centre <= box.Right &&
               Math.Abs(accent.StartBaseLine.Y - letter.StartBaseLine.Y) < size * 0.5 &&
               (below ? mark.Top <= box.Bottom + height * 0.4 : mark.Bottom >= box.Bottom + height * 0.5);
    }

    private static Letter With(Letter letter, string value) => new(
        value, letter.BoundingBox, letter.GlyphRectangleLoose, letter.StartBaseLine, letter.EndBaseLine, letter.Width, letter.FontSize,
        letter.FontDetails, letter.RenderingMode, letter.StrokeColor, letter.FillColor, letter.PointSize, letter.TextSequence);
}
