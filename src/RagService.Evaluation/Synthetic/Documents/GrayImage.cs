using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace RagService.Evaluation.Synthetic.Documents;

/// <summary>
/// An 8-bit grayscale raster: read from pdftoppm's PGM output, drawn on (figures), turned and soiled (scans),
/// and written as PNG. Small enough to need no imaging library.
/// </summary>
public sealed class GrayImage(int width, int height)
{
    public int Width { get; } = width;

    public int Height { get; } = height;

    public byte[] Pixels { get; } = new byte[width * height];

    public byte this[int x, int y]
    {
        get => Pixels[(y * Width) + x];
        set => Pixels[(y * Width) + x] = value;
    }

    public void Fill(int x0, int y0, int x1, int y1, byte value)
    {
        for (var y = Math.Max(0, y0); y < Math.Min(Height, y1); y++)
        {
            for (var x = Math.Max(0, x0); x < Math.Min(Width, x1); x++)
            {
                this[x, y] = value;
            }
        }
    }

    /// <summary>Reads a binary PGM (P5, maxval 255), the format <c>pdftoppm -gray</c> writes.</summary>
    public static GrayImage ReadPgm(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var position = 0;
        string Token()
        {
            while (position < data.Length && (char.IsWhiteSpace((char)data[position]) || data[position] == '#'))
            {
                if (data[position] == '#')
                {
                    while (position < data.Length && data[position] != '\n')
                    {
                        position++;
                    }
                }
                else
                {
                    position++;
                }
            }

            var start = position;
            while (position < data.Length && !char.IsWhiteSpace((char)data[position]))
            {
                position++;
            }

            return Encoding.ASCII.GetString(data, start, position - start);
        }

        if (Token() != "P5")
        {
            throw new InvalidDataException("not a binary PGM (P5) image");
        }

        var width = int.Parse(Token(), System.Globalization.CultureInfo.InvariantCulture);
        var height = int.Parse(Token(), System.Globalization.CultureInfo.InvariantCulture);
        if (Token() != "255")
        {
            throw new InvalidDataException("only 8-bit PGM images are read");
        }

        position++;
        var image = new GrayImage(width, height);
        Buffer.BlockCopy(data, position, image.Pixels, 0, width * height);
        return image;
    }

    /// <summary>
    /// The image turned by <paramref name="degrees"/> about its centre (bilinear, white where nothing maps),
    /// as a slightly crooked sheet on a scanner's glass.
    /// </summary>
    public GrayImage Rotate(double degrees)
    {
        var result = new GrayImage(Width, Height);
        var (sin, cos) = Math.SinCos(degrees * Math.PI / 180);
        double cx = Width / 2.0, cy = Height / 2.0;
        for (var y = 0; y < Height; y++)
        {
            for (var x = 0; x < Width; x++)
            {
                var sx = (cos * (x - cx)) + (sin * (y - cy)) + cx;
                var sy = (-sin * (x - cx)) + (cos * (y - cy)) + cy;
                int x0 = (int)Math.Floor(sx), y0 = (int)Math.Floor(sy);
                if (x0 < 0 || y0 < 0 || x0 + 1 >= Width || y0 + 1 >= Height)
                {
                    result[x, y] = 255;
                    continue;
                }

                double fx = sx - x0, fy = sy - y0;
                var top = (this[x0, y0] * (1 - fx)) + (this[x0 + 1, y0] * fx);
                var bottom = (this[x0, y0 + 1] * (1 - fx)) + (this[x0 + 1, y0 + 1] * fx);
                result[x, y] = (byte)Math.Round((top * (1 - fy)) + (bottom * fy));
            }
        }

        return result;
    }

    /// <summary>
    /// Scanner soiling: a faint paper tone, 16 gray levels (a 4-bit scan, which also keeps the committed files
    /// small) and dark specks at <paramref name="specksPerMillion"/> of the pixels.
    /// </summary>
    public void Soil(Random random, int specksPerMillion, byte paper)
    {
        ArgumentNullException.ThrowIfNull(random);
        for (var i = 0; i < Pixels.Length; i++)
        {
            Pixels[i] = Pixels[i] >= 224 ? paper : (byte)((Pixels[i] & 0xF0) | 0x08);
        }

        var specks = (long)Pixels.Length * specksPerMillion / 1_000_000;
        for (var i = 0; i < specks; i++)
        {
            int x = random.Next(Width), y = random.Next(Height), size = 1 + random.Next(2);
            Fill(x, y, x + size, y + size, (byte)random.Next(40, 140));
        }
    }

    /// <summary>Encodes the image as an 8-bit grayscale PNG (each row filtered "Up", which suits scanned pages).</summary>
    public byte[] ToPng()
    {
        using var output = new MemoryStream();
        output.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, Width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), Height);
        header[8] = 8; // bit depth
        header[9] = 0; // grayscale
        Chunk(output, "IHDR", header);
        using (var raw = new MemoryStream())
        {
            using (var zlib = new ZLibStream(raw, CompressionLevel.SmallestSize, leaveOpen: true))
            {
                var line = new byte[Width + 1];
                for (var y = 0; y < Height; y++)
                {
                    line[0] = 2; // Up
                    for (var x = 0; x < Width; x++)
                    {
                        line[x + 1] = (byte)(this[x, y] - (y == 0 ? 0 : this[x, y - 1]));
                    }

                    zlib.Write(line);
                }
            }

            Chunk(output, "IDAT", raw.ToArray());
        }

        Chunk(output, "IEND", []);
        return output.ToArray();
    }

    private static void Chunk(Stream output, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        output.Write(length);
        var typeBytes = Encoding.ASCII.GetBytes(type);
        output.Write(typeBytes);
        output.Write(data);
        var crc = Crc(Crc(0xFFFFFFFFu, typeBytes), data) ^ 0xFFFFFFFFu;
        Span<byte> sum = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(sum, crc);
        output.Write(sum);
    }

    private static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        var c = (uint)n;
        for (var k = 0; k < 8; k++)
        {
            c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }

        return c;
    }).ToArray();

    /// <summary>PNG's CRC-32 (ISO 3309), continued over <paramref name="data"/>.</summary>
    private static uint Crc(uint crc, byte[] data)
    {
        foreach (var b in data)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }
}
