using UglyToad.PdfPig.Content;

namespace RagService.Ingestion.Parsing.Pdf;

/// <summary>
/// Letters drawn twice in the same place. Producers without a bold face fake one by painting each glyph again a
/// fraction of a point to the side (common in Chinese and Japanese office documents), and some paint a heading once
/// as fill and once as outline; read as they are, the text comes out doubled ("第第一一章章", "33月月にに").
/// A letter is dropped when an earlier one with the same value and size lies within a third of its advance
/// across and a fifth of its size up or down (the overlap PDF text extractors conventionally treat as one glyph).
/// Letters are hashed by value and by a cell one size high and one size wide, and only the cells a duplicate could
/// lie in are looked up, so a page costs about one lookup per letter.
/// </summary>
internal static class Overstrike
{
    private const double Across = 1.0 / 3;
    private const double UpDown = 0.2;

    [ThreadStatic]
    private static Cells? _last;

    [ThreadStatic]
    private static int[]? _previous;

    public static IReadOnlyList<Letter> Remove(IReadOnlyList<Letter> letters)
    {
        if (letters.Count < 2)
        {
            return letters;
        }

        // Cell → the last letter hashed there; earlier letters of the same cell are chained through `previous`.
        // Both are kept per thread and reused page after page.
        var last = _last ??= new Cells();
        last.Reset(letters.Count);
        var previous = _previous is { } p && p.Length >= letters.Count ? p : _previous = new int[Math.Max(letters.Count, 4096)];
        List<Letter>? kept = null;
        for (var i = 0; i < letters.Count; i++)
        {
            var letter = letters[i];
            previous[i] = -1;
            if (string.IsNullOrWhiteSpace(letter.Value))
            {
                kept?.Add(letter);
                continue;
            }

            var size = Math.Max(letter.PointSize, 1);
            var x = letter.StartBaseLine.X / size;
            var y = letter.StartBaseLine.Y / size;
            var (cx, cy) = ((long)Math.Floor(x), (long)Math.Floor(y));
            var duplicate = false;
            // A duplicate lies within a third of a size across and a fifth up or down: in this cell, or in a
            // neighbouring one only when the letter is that close to the cell's edge.
            for (var dy = y - cy < UpDown ? -1 : 0; dy <= (cy + 1 - y < UpDown ? 1 : 0) && !duplicate; dy++)
            {
                for (var dx = x - cx < Across ? -1 : 0; dx <= (cx + 1 - x < Across ? 1 : 0) && !duplicate; dx++)
                {
                    for (var j = last.Find(Key(letter.Value, cx + dx, cy + dy)); j >= 0 && !duplicate; j = previous[j])
                    {
                        duplicate = Same(letters[j], letter, size);
                    }
                }
            }

            if (duplicate)
            {
                kept ??= [.. letters.Take(i)];
                continue;
            }

            kept?.Add(letter);
            previous[i] = last.Push(Key(letter.Value, cx, cy), i);
        }

        return kept ?? letters;
    }

    private static bool Same(Letter earlier, Letter letter, double size)
    {
        var advance = Math.Max(Math.Abs(earlier.EndBaseLine.X - earlier.StartBaseLine.X), size * 0.3);
        return earlier.Value == letter.Value &&
               Math.Abs(earlier.PointSize - letter.PointSize) < 0.5 &&
               Math.Abs(earlier.StartBaseLine.X - letter.StartBaseLine.X) <= advance * Across &&
               Math.Abs(earlier.StartBaseLine.Y - letter.StartBaseLine.Y) <= size * UpDown;
    }

    private static long Key(string value, long cx, long cy)
    {
        long v = value.Length == 1 ? value[0] : value.GetHashCode() & 0xFFFFF;
        return (v << 40) ^ ((cx & 0xFFFFF) << 20) ^ (cy & 0xFFFFF);
    }

    /// <summary>An open-addressing table from cell key to the last letter hashed there, cleared in O(1) by generation.</summary>
    private sealed class Cells
    {
        private long[] _keys = [];
        private int[] _heads = [];
        private int[] _generations = [];
        private int _generation;
        private int _mask;

        public void Reset(int letters)
        {
            var capacity = 16;
            while (capacity < letters * 2)
            {
                capacity <<= 1;
            }

            if (capacity > _keys.Length)
            {
                (_keys, _heads, _generations, _generation) = (new long[capacity], new int[capacity], new int[capacity], 0);
            }

            _mask = _keys.Length - 1;
            _generation++;
        }

        /// <summary>The last letter hashed under <paramref name="key"/>, or -1.</summary>
        public int Find(long key)
        {
            for (var slot = Slot(key); _generations[slot] == _generation; slot = (slot + 1) & _mask)
            {
                if (_keys[slot] == key)
                {
                    return _heads[slot];
                }
            }

            return -1;
        }

        /// <summary>Makes <paramref name="letter"/> the last under <paramref name="key"/>; returns the one before it, or -1.</summary>
        public int Push(long key, int letter)
        {
            var slot = Slot(key);
            for (; _generations[slot] == _generation; slot = (slot + 1) & _mask)
            {
                if (_keys[slot] == key)
                {
                    var before = _heads[slot];
                    _heads[slot] = letter;
                    return before;
                }
            }

            (_generations[slot], _keys[slot], _heads[slot]) = (_generation, key, letter);
            return -1;
        }

        private int Slot(long key) => (int)((ulong)(key * unchecked((long)0x9E3779B97F4A7C15)) >> 40) & _mask;
    }
}
