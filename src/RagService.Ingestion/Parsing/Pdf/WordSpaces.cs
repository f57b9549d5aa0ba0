using UglyToad.PdfPig.Content;

namespace RagService.Ingestion.Parsing.Pdf;

/// <summary>
/// Word boundaries a word extractor got wrong, found again from the gaps between glyphs.
/// <para>
/// Word spaces lost (<see cref="SplitLostSpaces"/>): a producer that draws no space glyph and only moves the pen leaves
/// gaps a word extractor may take for tracking ("Invitro comparisonofthreecommon" in a journal's title, where each
/// word space is 0.21 em and the extractor wants 0.39 of a letter's height). Inside a word whose letters abut
/// (their advances meet within a twentieth of the size), a pen move of more than 0.15 of the size is a word space.
/// </para>
/// <para>
/// Words that came apart into single letters ("T h e S S M 2 1 6 3 i s a n"): producers that place every glyph on
/// its own leave gaps between letters that a word extractor cannot tell from word spaces on its own. Across a run
/// of three or more one-letter words on one baseline, in one size, read left to right, the gaps between letters of
/// a word are the common, small ones; a gap clearly wider than the run's typical gap is a word space. The run is
/// rebuilt into words at those spaces, but only when its typical gap is well under a word space (a fifth of the
/// size): single letters standing a space apart ("x y z", a rating scale "1 2 3 4 5") stay as they are.
/// </para>
/// </summary>
internal static class WordSpaces
{
    private const double AbuttingAtMost = 0.05;
    private const double LostSpaceOver = 0.15;

    public static List<Word> SplitLostSpaces(List<Word> words)
    {
        List<Word>? result = null;
        for (var w = 0; w < words.Count; w++)
        {
            var pieces = Split(words[w]);
            if (pieces is not null)
            {
                result ??= [.. words.Take(w)];
                result.AddRange(pieces);
            }
            else
            {
                result?.Add(words[w]);
            }
        }

        return result ?? words;
    }

    private static List<Word>? Split(Word word)
    {
        var letters = word.Letters;
        if (letters.Count < 4)
        {
            return null;
        }

        var size = Math.Max(letters[0].PointSize, 1);
        Span<double> gaps = letters.Count <= 256 ? stackalloc double[letters.Count - 1] : new double[letters.Count - 1];
        var wide = false;
        for (var i = 1; i < letters.Count; i++)
        {
            gaps[i - 1] = letters[i].StartBaseLine.X - letters[i - 1].EndBaseLine.X;
            wide |= gaps[i - 1] > size * LostSpaceOver;
        }

        if (!wide)
        {
            return null;
        }

        var sorted = gaps.ToArray();
        Array.Sort(sorted);
        var typical = sorted[(sorted.Length - 1) / 2];
        if (Math.Abs(typical) > size * AbuttingAtMost)
        {
            return null;
        }

        var pieces = new List<Word>();
        var start = 0;
        for (var i = 1; i < letters.Count; i++)
        {
            if (gaps[i - 1] > size * LostSpaceOver &&
                Math.Abs(letters[i].StartBaseLine.Y - letters[i - 1].StartBaseLine.Y) < size * 0.2)
            {
                pieces.Add(new Word(letters.Skip(start).Take(i - start).ToList()));
                start = i;
            }
        }

        pieces.Add(new Word(letters.Skip(start).ToList()));
        return pieces.Count > 1 ? pieces : null;
    }

    private const int MinRun = 3;
    private const double TypicalGapAtMost = 0.2;
    private const double WordSpaceOver = 0.12;

    public static List<Word> JoinSpacedLetters(List<Word> words)
    {
        List<Word>? result = null;
        var i = 0;
        while (i < words.Count)
        {
            var end = i;
            if (IsLetter(words[i]))
            {
                while (end + 1 < words.Count && IsLetter(words[end + 1]) && Follows(words[end], words[end + 1]))
                {
                    end++;
                }
            }

            if (end - i + 1 >= MinRun && Rebuild(words, i, end) is { } rebuilt)
            {
                result ??= [.. words.Take(i)];
                result.AddRange(rebuilt);
            }
            else
            {
                for (var k = i; k <= end; k++)
                {
                    result?.Add(words[k]);
                }
            }

            i = end + 1;
        }

        return result ?? words;
    }

    private static List<Word>? Rebuild(List<Word> words, int first, int last)
    {
        var size = Size(words[first]);
        var gaps = new List<double>(last - first);
        for (var k = first + 1; k <= last; k++)
        {
            gaps.Add(words[k].BoundingBox.Left - words[k - 1].BoundingBox.Right);
        }

        var sorted = gaps.Order().ToList();
        var typical = sorted[(sorted.Count - 1) / 2];
        if (typical > size * TypicalGapAtMost)
        {
            return null;
        }

        var space = typical + size * WordSpaceOver;
        var rebuilt = new List<Word>();
        var letters = new List<Letter>(words[first].Letters);
        for (var k = first + 1; k <= last; k++)
        {
            if (gaps[k - first - 1] > space)
            {
                rebuilt.Add(new Word(letters));
                letters = [];
            }

            letters.AddRange(words[k].Letters);
        }

        rebuilt.Add(new Word(letters));
        return rebuilt;
    }

    /// <summary>One letter or digit; a digit with its separator (",7", "5."); or two ideographs (Chinese and Japanese run without spaces).</summary>
    private static bool IsLetter(Word word) => word.Text switch
    {
        [var c] => char.IsLetterOrDigit(c),
        [var a, var b] => (char.IsDigit(a) && b is '.' or ',') || (a is '.' or ',' && char.IsDigit(b)) || (Ideograph(a) && Ideograph(b)),
        _ => false,
    };

    private static bool Ideograph(char c) => c is >= '\u3040' and <= '\u30FF' or >= '\u3400' and <= '\u9FFF' or >= '\uF900' and <= '\uFAFF';

    private static double Size(Word word) => Math.Max(word.Letters[0].PointSize, 1);

    /// <summary>The next one-letter word on the same baseline in the same size, to the right and less than half a size away.</summary>
    private static bool Follows(Word left, Word right)
    {
        var size = Size(left);
        var gap = right.BoundingBox.Left - left.BoundingBox.Right;
        return Math.Abs(Size(right) - size) < 0.5 &&
               Math.Abs(right.Letters[0].StartBaseLine.Y - left.Letters[0].StartBaseLine.Y) < size * 0.2 &&
               gap > -size * 0.1 && gap < size * 0.5;
    }
}
