using System.Text;

namespace RagService.Ingestion.Parsing.Pdf;

/// <summary>
/// PDF text comes in visual order. A right-to-left line (Arabic, Hebrew) is reversed into logical order,
/// and the left-to-right runs inside it (Latin words, numbers) are turned back.
/// </summary>
internal static class Bidi
{
    public static string ToLogicalOrder(string line) => ToLogicalOrder(line.Select(c => c.ToString()).ToList());

    /// <summary>Mostly right-to-left letters: the line is in visual order and must be turned.</summary>
    public static bool IsRightToLeftLine(IEnumerable<string> texts)
    {
        int rtl = 0, ltr = 0;
        foreach (var c in texts.SelectMany(t => t))
        {
            if (IsRightToLeft(c))
            {
                rtl++;
            }
            else if (char.IsLetter(c))
            {
                ltr++;
            }
        }

        return rtl > 0 && rtl >= ltr;
    }

    /// <summary>
    /// Reverses glyph units, not characters: one glyph can stand for two letters already in logical
    /// order (the Arabic lam-alef ligature), and those must not be swapped.
    /// </summary>
    public static string ToLogicalOrder(IReadOnlyList<string> units)
    {
        if (!IsRightToLeftLine(units))
        {
            return string.Concat(units);
        }

        var reversed = units.Reverse().ToArray();
        var sb = new StringBuilder();
        var i = 0;
        while (i < reversed.Length)
        {
            if (IsLeftToRight(reversed[i]))
            {
                var j = i;
                // A left-to-right run continues through spaces and punctuation that sit between LTR characters.
                while (j + 1 < reversed.Length && (IsLeftToRight(reversed[j + 1]) ||
                       (!IsRightToLeft(reversed[j + 1]) && NextStrongIsLeftToRight(reversed, j + 1))))
                {
                    j++;
                }

                for (var k = j; k >= i; k--)
                {
                    sb.Append(reversed[k]);
                }

                i = j + 1;
            }
            else
            {
                sb.Append(reversed[i].Length == 1 ? Mirror(reversed[i][0]).ToString() : reversed[i]);
                i++;
            }
        }

        return sb.ToString();
    }

    private static bool NextStrongIsLeftToRight(string[] text, int from)
    {
        for (var k = from; k < text.Length; k++)
        {
            if (IsRightToLeft(text[k]))
            {
                return false;
            }

            if (IsLeftToRight(text[k]))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsRightToLeft(string unit) => unit.Any(IsRightToLeft);

    private static bool IsLeftToRight(string unit) => unit.Length > 0 && unit.All(c => !IsRightToLeft(c)) && unit.Any(char.IsLetterOrDigit);

    private static bool IsRightToLeft(char c) => c is >= '\u0590' and <= '\u08FF' or >= '\uFB1D' and <= '\uFDFF' or >= '\uFE70' and <= '\uFEFF';

    private static bool IsLeftToRight(char c) => char.IsLetterOrDigit(c) && !IsRightToLeft(c);

    private static char Mirror(char c) => c switch
    {
        '(' => ')',
        ')' => '(',
        '[' => ']',
        ']' => '[',
        '{' => '}',
        '}' => '{',
        '<' => '>',
        '>' => '<',
        _ => c,
    };
}
