namespace RagService.Ingestion.Parsing.Ocr;

/// <summary>
/// Keeps what Tesseract read in a picture out of the text flow. Strokes, hatching and bars beside the text
/// come back as "words" Tesseract itself doubts ("|", "_hapter", "—— ,") that would otherwise become a noise
/// table or a heading. A word goes when Tesseract's confidence in it is very low, or low and it has no two
/// letters or digits in a row; a line with nothing left goes too. Words and confidences are Tesseract's own,
/// so a clean page loses nothing. A section number that opens a line of kept words ("7.1 Limits", "3. Check
/// the log") is the line's own, however unsure Tesseract was of it.
/// </summary>
internal static partial class PictureNoise
{
    /// <summary>Below this confidence a word is dropped whatever it looks like.</summary>
    private const double Floor = 35;

    /// <summary>Below this confidence a word without two letters or digits in a row is dropped.</summary>
    private const double Doubtful = 65;

    public static OcrPage Remove(OcrPage page)
    {
        var lines = new List<OcrLine>(page.Lines.Count);
        foreach (var line in page.Lines)
        {
            if (line.Words.Count == 0)
            {
                lines.Add(line);
                continue;
            }

            var kept = line.Words.Where((w, i) => !IsNoise(w) || (i == 0 && OpensLine(line.Words))).ToList();
            if (kept.Count == line.Words.Count)
            {
                lines.Add(line);
            }
            else if (kept.Count > 0)
            {
                lines.Add(line with
                {
                    Text = Join(kept),
                    Box = kept.Select(w => w.Box).Aggregate((a, b) => a.Union(b)),
                    LayoutBox = kept.Select(w => w.LayoutBox).Aggregate((a, b) => a.Union(b)),
                    Words = kept,
                    Confidence = kept.Sum(w => w.Confidence * Math.Max(1, w.Text.Length)) / kept.Sum(w => Math.Max(1, w.Text.Length)),
                });
            }
        }

        return page with { Lines = lines };
    }

    /// <summary>The line's first word is a section number above the floor, and the word after it is kept.</summary>
    private static bool OpensLine(IReadOnlyList<OcrWord> words) =>
        words.Count > 1 && words[0].Confidence >= Floor && SectionNumber().IsMatch(words[0].Text) && !IsNoise(words[1]);

    [System.Text.RegularExpressions.GeneratedRegex(@"^\d{1,2}(?:\.\d{1,2}){0,4}\.?$")]
    private static partial System.Text.RegularExpressions.Regex SectionNumber();

    private static bool IsNoise(OcrWord word) =>
        word.Confidence < Floor || (word.Confidence < Doubtful && !HasTwoInARow(word.Text));

    private static bool HasTwoInARow(string text)
    {
        for (var i = 1; i < text.Length; i++)
        {
            if (char.IsLetterOrDigit(text[i]) && char.IsLetterOrDigit(text[i - 1]))
            {
                return true;
            }
        }

        // A single CJK character is a whole word.
        return text.Length == 1 && text[0] >= '\u3400';
    }

    /// <summary>Words joined with spaces, except between CJK characters, which are set without them.</summary>
    public static string Join(IReadOnlyList<OcrWord> words)
    {
        var sb = new System.Text.StringBuilder(words[0].Text);
        for (var i = 1; i < words.Count; i++)
        {
            var (previous, next) = (words[i - 1].Text, words[i].Text);
            if (!(previous.Length > 0 && next.Length > 0 && previous[^1] >= '\u3000' && next[0] >= '\u3000'))
            {
                sb.Append(' ');
            }

            sb.Append(next);
        }

        return sb.ToString();
    }
}
