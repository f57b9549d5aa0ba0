using System.Text.RegularExpressions;

namespace RagService.Ingestion.Parsing;

/// <summary>
/// The bullet glyphs that start a list item, in whatever format the item came from: a PDF line, a DOCX paragraph
/// whose author typed the glyph, an OCR'd word. One set, so that a glyph recognised as a bullet in a PDF is
/// recognised in a DOCX too.
/// </summary>
internal static partial class ListGlyphs
{
    /// <summary>The glyphs, as the body of a regular-expression character class.</summary>
    public const string Class = @"•●▪■◦‣∙·➢➤►▶▸✓✔☐□❖○◆◇→\-–*";

    /// <summary>A lone glyph (a word or a fragment of its own).</summary>
    public static bool IsGlyph(string text) => text.Length == 1 && Class.Replace("\\-", "-", StringComparison.Ordinal).Contains(text[0], StringComparison.Ordinal);

    /// <summary>Text that opens with a glyph and white space before a word: "•␉Attach the form", "➢ Sign".</summary>
    public static bool StartsWithGlyph(string text) => Leading().IsMatch(text);

    /// <summary>The text without its leading glyph ("• Attach" → "Attach"); unchanged when it has none.</summary>
    public static string Strip(string text) => Leading().Replace(text, string.Empty, 1);

    [GeneratedRegex(@"^\s*[" + Class + @"]\s+(?=\S)")]
    private static partial Regex Leading();
}
