using System.Globalization;
using System.Text;

namespace RagService.Ingestion.Dedup;

/// <summary>
/// MinHash signatures of word 3-shingles (each CJK character counts as a word) and LSH band keys.
/// 128 hashes in 16 bands of 8 rows: two chunks with Jaccard 0.9 share a band with probability
/// 0.9999, two with Jaccard 0.5 only 6% of the time, so candidates are few and the estimate decides.
/// </summary>
public static class MinHasher
{
    public const int HashCount = 128;
    public const int Bands = 16;
    public const int RowsPerBand = HashCount / Bands;
    private const int ShingleSize = 3;

    private static readonly ulong[] Seeds = CreateSeeds();

    /// <summary>Lower-cased words: runs of letters and digits, each CJK ideograph on its own.</summary>
    public static List<string> Words(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = new List<string>();
        var current = new StringBuilder();
        foreach (var c in text)
        {
            if (IsIdeograph(c))
            {
                Flush();
                words.Add(c.ToString());
            }
            else if (char.IsLetterOrDigit(c))
            {
                current.Append(char.ToLowerInvariant(c));
            }
            else
            {
                Flush();
            }
        }

        Flush();
        return words;

        void Flush()
        {
            if (current.Length > 0)
            {
                words.Add(current.ToString());
                current.Clear();
            }
        }
    }

    public static uint[] Signature(string text)
    {
        var words = Words(text);
        var signature = new uint[HashCount];
        Array.Fill(signature, uint.MaxValue);
        var shingles = Math.Max(1, words.Count - ShingleSize + 1);
        for (var s = 0; s < shingles; s++)
        {
            var h = 14695981039346656037UL; // FNV-1a 64 over the shingle's words
            for (var w = s; w < Math.Min(words.Count, s + ShingleSize); w++)
            {
                foreach (var c in words[w])
                {
                    h = (h ^ c) * 1099511628211UL;
                }

                h = (h ^ 0x1F) * 1099511628211UL;
            }

            for (var i = 0; i < HashCount; i++)
            {
                var v = (uint)(Mix(h ^ Seeds[i]) >> 32);
                if (v < signature[i])
                {
                    signature[i] = v;
                }
            }
        }

        return signature;
    }

    /// <summary>The distinct word 3-shingles of the text (the whole text as one shingle when it has fewer words), as the signature sees them.</summary>
    public static HashSet<string> Shingles(string text)
    {
        var words = Words(text);
        var shingles = new HashSet<string>(StringComparer.Ordinal);
        var count = Math.Max(1, words.Count - ShingleSize + 1);
        for (var s = 0; s < count; s++)
        {
            shingles.Add(string.Join('\u001F', words.Skip(s).Take(ShingleSize)));
        }

        return shingles;
    }

    /// <summary>
    /// The exact Jaccard similarity of the two shingle sets. The MinHash estimate has a standard error of
    /// about 0.03 at 128 hashes, so over thousands of candidate pairs it crosses a threshold by chance; this decides.
    /// </summary>
    public static double ExactJaccard(IReadOnlySet<string> a, IReadOnlySet<string> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count == 0 && b.Count == 0)
        {
            return 1;
        }

        var (small, large) = a.Count <= b.Count ? (a, b) : (b, a);
        var shared = small.Count(large.Contains);
        return shared / (double)(a.Count + b.Count - shared);
    }

    /// <summary>The share of equal positions: an unbiased estimate of the Jaccard similarity of the shingle sets.</summary>
    public static double EstimateJaccard(uint[] a, uint[] b)
    {
        var same = 0;
        for (var i = 0; i < HashCount; i++)
        {
            same += a[i] == b[i] ? 1 : 0;
        }

        return same / (double)HashCount;
    }

    public static IReadOnlyList<string> BandKeys(uint[] signature)
    {
        var keys = new string[Bands];
        for (var b = 0; b < Bands; b++)
        {
            var h = 14695981039346656037UL;
            for (var r = 0; r < RowsPerBand; r++)
            {
                h = Mix(h ^ signature[(b * RowsPerBand) + r]);
            }

            keys[b] = b.ToString(CultureInfo.InvariantCulture) + ":" + h.ToString("x16", CultureInfo.InvariantCulture);
        }

        return keys;
    }

    public static byte[] ToBytes(uint[] signature)
    {
        var bytes = new byte[signature.Length * 4];
        Buffer.BlockCopy(signature, 0, bytes, 0, bytes.Length);
        return bytes;
    }

    public static uint[] FromBytes(byte[] bytes)
    {
        var signature = new uint[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, signature, 0, signature.Length * 4);
        return signature;
    }

    private static bool IsIdeograph(char c) => c is >= '\u3400' and <= '\u9FFF' or >= '\uF900' and <= '\uFAFF' or >= '\u3040' and <= '\u30FF';

    /// <summary>SplitMix64's finaliser: a cheap, well-mixed 64-bit permutation.</summary>
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong[] CreateSeeds()
    {
        var seeds = new ulong[HashCount];
        var x = 0x9E3779B97F4A7C15UL;
        for (var i = 0; i < HashCount; i++)
        {
            x += 0x9E3779B97F4A7C15UL;
            seeds[i] = Mix(x);
        }

        return seeds;
    }
}
