using System.Text;
using System.Text.RegularExpressions;
using RagService.Core.Documents;

namespace RagService.Evaluation.Parsing;

/// <summary>The normalisations both sides of a comparison go through, so markup never counts as an error.</summary>
public static partial class ScoreText
{
    /// <summary>Compatibility-folded (ligatures, full-width forms), whitespace collapsed to single spaces.</summary>
    public static string Normalize(string text) =>
        Whitespace().Replace(text.Normalize(NormalizationForm.FormKC), " ").Trim();

    /// <summary>Without any whitespace: for references whose word spacing is not meaningful (PdfPig's expected text).</summary>
    public static string WithoutWhitespace(string text) =>
        Whitespace().Replace(text.Normalize(NormalizationForm.FormKC), string.Empty);

    /// <summary>Lower-case letters and digits only: the identity of a heading or paragraph for matching.</summary>
    public static string Key(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text.Normalize(NormalizationForm.FormKC))
        {
            if (char.IsLetterOrDigit(c))
            {
                sb.Append(char.ToLowerInvariant(c));
            }
        }

        return sb.ToString();
    }

    /// <summary>A list item's own numbering label ("1.2.", "a)") is presentation, not content.</summary>
    public static string StripListLabel(string text) => ListLabel().Replace(text.TrimStart(), string.Empty).Trim();

    /// <summary>The tree as reading text, one unit per line, rendered like <see cref="GroundTruth.FromMarkdown"/> reads Markdown.</summary>
    public static string FromTree(DocumentTree tree)
    {
        var sb = new StringBuilder();
        foreach (var block in tree.Blocks)
        {
            switch (block.Kind)
            {
                case BlockKind.Table when block.Rows is { } rows:
                    foreach (var row in rows)
                    {
                        sb.AppendLine(string.Join(' ', row));
                    }

                    break;
                case BlockKind.ListItem:
                    sb.AppendLine(StripListLabel(block.Text));
                    break;
                default:
                    sb.AppendLine(block.Text);
                    break;
            }
        }

        return sb.ToString();
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"^(?:\d{1,3}(?:\.\d{1,3})*[.)]?|[a-zA-Z][.)]|[ivxIVX]{1,5}[.)])\s+")]
    private static partial Regex ListLabel();
}
