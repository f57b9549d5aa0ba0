namespace RagService.Ingestion.Parsing.Pdf;

/// <summary>
/// Text length in Latin-character units: a Chinese, Japanese or Korean character carries about as much
/// as two Latin letters, so a 25-character Korean line is as much prose as a 50-character English one.
/// </summary>
internal static class TextWidth
{
    public static int Columns(string text)
    {
        var columns = 0;
        foreach (var c in text)
        {
            columns += IsWide(c) ? 2 : 1;
        }

        return columns;
    }

    /// <summary>
    /// Han ideographs, kana, CJK punctuation and full-width forms: Chinese and Japanese, which put no space
    /// between words and wrap lines between any two characters (Korean, which spaces its words, is not one).
    /// </summary>
    public static bool WritesWithoutSpaces(char c) =>
        c is >= '\u3000' and <= '\u30FF' or >= '\u3400' and <= '\u4DBF' or >= '\u4E00' and <= '\u9FFF' or >= '\uF900' and <= '\uFAFF' or >= '\uFF00' and <= '\uFF60';

    private static bool IsWide(char c) =>
        c is >= '\u1100' and <= '\u11FF' or >= '\u2E80' and <= '\u9FFF' or >= '\uAC00' and <= '\uD7AF' or >= '\uF900' and <= '\uFAFF' or >= '\uFF00' and <= '\uFF60';
}
