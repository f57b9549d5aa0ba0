using System.Text.RegularExpressions;

namespace RagService.Ingestion.Parsing.Pdf;

/// <summary>
/// A section number set apart from its title by a tab ("5.1␉Hyper Parameter Optimization", "1␉들어가며")
/// is laid out as two fragments of one row, because the gap is wider than a word space. Outside tables
/// the two are one heading or list item, and the number is part of its text.
/// </summary>
internal static partial class SectionNumbers
{
    /// <summary>A tab stop after a section number is rarely wider than this many font sizes.</summary>
    private const double MaxGap = 4.0;

    /// <summary>Joins each number-only line to the text that follows it on the same row, in the same type; table lines are left alone.</summary>
    public static List<PdfLine> JoinToText(List<PdfLine> lines, IReadOnlyDictionary<PdfLine, PdfTable> tables)
    {
        var result = new List<PdfLine>(lines.Count);
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (i + 1 < lines.Count && lines[i + 1] is var next && Joinable(line, next) &&
                !tables.ContainsKey(line) && !tables.ContainsKey(next))
            {
                result.Add(next with { Text = line.Text.Trim() + " " + next.Text, Box = line.Box.Union(next.Box) });
                i++;
                continue;
            }

            result.Add(line);
        }

        return result;
    }

    private static bool Joinable(PdfLine number, PdfLine text)
    {
        if (!Number().IsMatch(number.Text) || number.Page != text.Page || number.Row != text.Row || number.Block != text.Block)
        {
            return false;
        }

        var gap = text.Box.Left - number.Box.Right;
        return gap > 0 && gap <= MaxGap * Math.Max(number.FontSize, text.FontSize) &&
               Math.Abs(number.FontSize - text.FontSize) < 0.5 && number.Bold == text.Bold &&
               // A number in another colour is a badge or a marginal label, drawn apart from the title.
               number.Color == text.Color &&
               text.Text.Length > 0 && char.IsLetter(text.Text[0]);
    }

    /// <summary>"5", "5.", "5.1", "2.1.3", "(2)", "IV.", "A." — a number alone, not a figure like "2,500" or a date.</summary>
    [GeneratedRegex(@"^\s*(?:\d{1,2}(?:\.\d{1,2}){0,4}\.?|\(\d{1,2}\)|[IVX]{1,5}\.|[A-Z]\.)\s*$")]
    private static partial Regex Number();
}
