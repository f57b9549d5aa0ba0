namespace RagService.Core.Text;

/// <summary>Which writing systems a text uses, as far as search cares (Chinese is tokenised and expanded differently).</summary>
public static class Scripts
{
    /// <summary>True when <paramref name="text"/> holds a Han ideograph (CJK Unified, Extension A, compatibility, or the supplementary planes).</summary>
    public static bool ContainsHan(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        for (var i = 0; i < text.Length; i++)
        {
            int codePoint = text[i];
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                codePoint = char.ConvertToUtf32(text[i], text[i + 1]);
                i++;
            }

            if (IsHan(codePoint))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True for a Han ideograph's code point.</summary>
    public static bool IsHan(int codePoint) =>
        codePoint is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0xF900 and <= 0xFAFF or >= 0x20000 and <= 0x3134F;
}
