using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace RagService.TestSupport;

/// <summary>One line of Helvetica text at a point of the page's default user space (before /Rotate).</summary>
public sealed record PdfTextLine(string Text, double Size, double X, double Y);

/// <summary>
/// One line of Helvetica text whose text matrix turns it: its baseline starts at (<paramref name="X"/>,
/// <paramref name="Y"/>) of the page's default user space and runs <paramref name="Angle"/> degrees
/// counter-clockwise from the x axis (90: reading upwards, -90: reading downwards).
/// </summary>
public sealed record PdfTurnedLine(string Text, double Size, double X, double Y, int Angle);

/// <summary>
/// Writes one-page PDFs whose page dictionary carries <c>/Rotate</c> (PdfPig's builder has no way to
/// set it): a text page, or an image-only "scan" page whose 8-bit gray image is drawn over the whole
/// media box. Both are drawn in the page's default user space, so the same content with the same
/// /Rotate shows the same way turned: the text page is what the scan should read as.
/// </summary>
public static class RotatedPagePdf
{
    /// <param name="lines">ASCII text without parentheses or backslashes.</param>
    /// <param name="cropBox">Left, bottom, right, top of a /CropBox; none when null.</param>
    public static byte[] Text(IReadOnlyList<PdfTextLine> lines, int rotate, double width = 595, double height = 842, double[]? cropBox = null) =>
        TextWithRules(lines, [], rotate, width, height, cropBox);

    /// <summary>A text page, as <see cref="Text"/>, with straight rules (a ruled table's grid) stroked 0.5 pt wide.</summary>
    /// <param name="rules">Each rule's two ends in the page's default user space.</param>
    public static byte[] TextWithRules(IReadOnlyList<PdfTextLine> lines, IReadOnlyList<(double X1, double Y1, double X2, double Y2)> rules, int rotate,
        double width = 595, double height = 842, double[]? cropBox = null)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(rules);
        var content = new StringBuilder();
        foreach (var (x1, y1, x2, y2) in rules)
        {
            content.Append(CultureInfo.InvariantCulture, $"0.5 w {x1} {y1} m {x2} {y2} l S\n");
        }

        foreach (var line in lines)
        {
            content.Append(CultureInfo.InvariantCulture, $"BT /F1 {line.Size} Tf {line.X} {line.Y} Td ({line.Text}) Tj ET\n");
        }

        return Build(width, height, rotate, "/Font << /F1 5 0 R >>", Encoding.ASCII.GetBytes(content.ToString()),
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>", null, cropBox);
    }

    /// <summary>
    /// A text page whose lines are set by a turned text matrix (<c>Tm</c>), as sideways tables and
    /// landscape pages inside portrait documents are; quarter turns are written exactly.
    /// </summary>
    /// <param name="lines">ASCII text without parentheses or backslashes.</param>
    public static byte[] TurnedText(IReadOnlyList<PdfTurnedLine> lines, int rotate = 0, double width = 595, double height = 842)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var content = new StringBuilder();
        foreach (var line in lines)
        {
            var (cos, sin) = (((line.Angle % 360) + 360) % 360) switch
            {
                0 => (1.0, 0.0),
                90 => (0.0, 1.0),
                180 => (-1.0, 0.0),
                270 => (0.0, -1.0),
                _ => (Math.Cos(line.Angle * Math.PI / 180), Math.Sin(line.Angle * Math.PI / 180)),
            };
            content.Append(CultureInfo.InvariantCulture, $"BT /F1 {line.Size} Tf {cos:0.######} {sin:0.######} {-sin:0.######} {cos:0.######} {line.X} {line.Y} Tm ({line.Text}) Tj ET\n");
        }

        return Build(width, height, rotate, "/Font << /F1 5 0 R >>", Encoding.ASCII.GetBytes(content.ToString()),
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>", null, null);
    }

    /// <summary>
    /// An image-only page: <paramref name="pgm"/> is a binary PGM (P5, 8-bit, as <c>pdftoppm -gray</c>
    /// writes it) drawn edge to edge over the media box.
    /// </summary>
    public static byte[] Scan(byte[] pgm, int rotate, double width = 595, double height = 842, double[]? cropBox = null)
    {
        var (pixelsWide, pixelsHigh, pixels) = ReadPgm(pgm);
        using var packed = new MemoryStream();
        using (var zlib = new ZLibStream(packed, CompressionLevel.Fastest, leaveOpen: true))
        {
            zlib.Write(pixels);
        }

        var content = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"q {width} 0 0 {height} 0 0 cm /Im0 Do Q\n"));
        var imageDictionary = string.Create(CultureInfo.InvariantCulture,
            $"<< /Type /XObject /Subtype /Image /Width {pixelsWide} /Height {pixelsHigh} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length {packed.Length} >>");
        return Build(width, height, rotate, "/XObject << /Im0 5 0 R >>", content, imageDictionary, packed.ToArray(), cropBox);
    }

    private static byte[] Build(double width, double height, int rotate, string resources, byte[] content, string fifthObject, byte[]? fifthStream, double[]? cropBox)
    {
        var crop = cropBox is { Length: 4 } c
            ? string.Create(CultureInfo.InvariantCulture, $" /CropBox [{c[0]} {c[1]} {c[2]} {c[3]}]")
            : string.Empty;
        var pdf = new MemoryStream();
        var offsets = new List<long>();
        void Write(string text) => pdf.Write(Encoding.Latin1.GetBytes(text));
        void Object(string body, byte[]? stream = null)
        {
            offsets.Add(pdf.Position);
            Write($"{offsets.Count} 0 obj\n{body}\n");
            if (stream is not null)
            {
                Write("stream\n");
                pdf.Write(stream);
                Write("\nendstream\n");
            }

            Write("endobj\n");
        }

        Write("%PDF-1.4\n%\u00e2\u00e3\n");
        Object("<< /Type /Catalog /Pages 2 0 R >>");
        Object("<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
        Object(string.Create(CultureInfo.InvariantCulture,
            $"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}]{crop} /Rotate {rotate} /Contents 4 0 R /Resources << {resources} >> >>"));
        Object($"<< /Length {content.Length} >>", content);
        Object(fifthObject, fifthStream);

        var xref = pdf.Position;
        Write($"xref\n0 {offsets.Count + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets)
        {
            Write($"{offset:D10} 00000 n \n");
        }

        Write($"trailer\n<< /Size {offsets.Count + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return pdf.ToArray();
    }

    /// <summary>Width, height and the 8-bit samples of a binary PGM (header: P5, width, height, 255; # comments allowed).</summary>
    public static (int Width, int Height, byte[] Pixels) ReadPgm(byte[] pgm)
    {
        ArgumentNullException.ThrowIfNull(pgm);
        var position = 0;
        string Token()
        {
            while (true)
            {
                while (position < pgm.Length && char.IsWhiteSpace((char)pgm[position]))
                {
                    position++;
                }

                if (position < pgm.Length && pgm[position] == '#')
                {
                    while (position < pgm.Length && pgm[position] != '\n')
                    {
                        position++;
                    }

                    continue;
                }

                break;
            }

            var start = position;
            while (position < pgm.Length && !char.IsWhiteSpace((char)pgm[position]))
            {
                position++;
            }

            return Encoding.ASCII.GetString(pgm, start, position - start);
        }

        if (Token() != "P5")
        {
            throw new FormatException("not a binary PGM (P5)");
        }

        var width = int.Parse(Token(), CultureInfo.InvariantCulture);
        var height = int.Parse(Token(), CultureInfo.InvariantCulture);
        if (Token() != "255")
        {
            throw new FormatException("only 8-bit PGM is supported");
        }

        position++; // the single whitespace after the maximum value
        if (pgm.Length - position < (long)width * height)
        {
            throw new FormatException("PGM is shorter than its header says");
        }

        return (width, height, pgm.AsSpan(position, width * height).ToArray());
    }
}
