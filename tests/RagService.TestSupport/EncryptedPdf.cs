using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace RagService.TestSupport;

/// <summary>
/// Writes a one-page PDF encrypted with the PDF Standard security handler (ISO 32000-1, 7.6.3): RC4 with
/// a 40-bit key (revision 2) or a 128-bit key (revision 3), keys derived with MD5 from the passwords, the
/// owner entry (O), the permissions (P) and the file identifier. Only the page's content stream is
/// encrypted (the document has no other strings or streams). Written here because no tool on our machines
/// (qpdf, LibreOffice) can make one, and a committed binary would be a file of unknown provenance.
/// </summary>
public static class EncryptedPdf
{
    /// <summary>The 32-byte padding string of Algorithm 2, step a.</summary>
    private static readonly byte[] Padding =
    [
        0x28, 0xBF, 0x4E, 0x5E, 0x4E, 0x75, 0x8A, 0x41, 0x64, 0x00, 0x4E, 0x56, 0xFF, 0xFA, 0x01, 0x08,
        0x2E, 0x2E, 0x00, 0xB6, 0xD0, 0x68, 0x3E, 0x80, 0x2F, 0x0C, 0xA9, 0xFE, 0x64, 0x53, 0x69, 0x7A,
    ];

    /// <summary>All permissions granted; bits 1–2 must be 0 and the high bits 1.</summary>
    private const int Permissions = -4;

    /// <param name="lines">Lines of text set in 12 pt Helvetica from the top of the page (ASCII, no parentheses or backslashes).</param>
    /// <param name="userPassword">Empty: anyone may open the file (the usual "restrict editing only" PDF).</param>
    /// <param name="revision">2 (RC4, 40-bit) or 3 (RC4, 128-bit).</param>
    public static byte[] Build(IReadOnlyList<string> lines, string userPassword, string ownerPassword, int revision = 3)
    {
        ArgumentNullException.ThrowIfNull(lines);
        if (revision is not (2 or 3))
        {
            throw new ArgumentOutOfRangeException(nameof(revision), "Revision 2 or 3.");
        }

        var keyLength = revision == 2 ? 5 : 16;
        var fileId = MD5.HashData(Encoding.ASCII.GetBytes(string.Join('\n', lines) + userPassword + ownerPassword));
        var owner = OwnerEntry(ownerPassword.Length > 0 ? ownerPassword : userPassword, userPassword, revision, keyLength);
        var key = FileKey(userPassword, owner, fileId, revision, keyLength);
        var user = UserEntry(key, fileId, revision);

        var content = new StringBuilder("BT /F1 12 Tf 72 760 Td 14 TL\n");
        foreach (var line in lines)
        {
            content.Append(CultureInfo.InvariantCulture, $"({line}) Tj T*\n");
        }

        content.Append("ET\n");
        var stream = Rc4(ObjectKey(key, 4, 0), Encoding.ASCII.GetBytes(content.ToString()));

        var pdf = new MemoryStream();
        var offsets = new List<long>();
        void Write(string text) => pdf.Write(Encoding.Latin1.GetBytes(text));
        void Object(string body)
        {
            offsets.Add(pdf.Position);
            Write($"{offsets.Count} 0 obj\n{body}\nendobj\n");
        }

        Write("%PDF-1.4\n%\u00e2\u00e3\n");
        Object("<< /Type /Catalog /Pages 2 0 R >>");
        Object("<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
        Object("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>");
        offsets.Add(pdf.Position);
        Write($"4 0 obj\n<< /Length {stream.Length} >>\nstream\n");
        pdf.Write(stream);
        Write("\nendstream\nendobj\n");
        Object("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
        var (version, bits) = revision == 2 ? (1, 40) : (2, 128);
        Object($"<< /Filter /Standard /V {version} /R {revision} /Length {bits} /O <{Convert.ToHexString(owner)}> /U <{Convert.ToHexString(user)}> /P {Permissions} >>");

        var xref = pdf.Position;
        Write($"xref\n0 {offsets.Count + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets)
        {
            Write($"{offset:D10} 00000 n \n");
        }

        var id = Convert.ToHexString(fileId);
        Write($"trailer\n<< /Size {offsets.Count + 1} /Root 1 0 R /Encrypt 6 0 R /ID [<{id}> <{id}>] >>\nstartxref\n{xref}\n%%EOF\n");
        return pdf.ToArray();
    }

    /// <summary>RC4 (the stream cipher of the Standard security handler's revisions 2 and 3).</summary>
    public static byte[] Rc4(byte[] key, byte[] data)
    {
        var s = new byte[256];
        for (var i = 0; i < 256; i++)
        {
            s[i] = (byte)i;
        }

        for (int i = 0, j = 0; i < 256; i++)
        {
            j = (j + s[i] + key[i % key.Length]) & 0xFF;
            (s[i], s[j]) = (s[j], s[i]);
        }

        var output = new byte[data.Length];
        for (int n = 0, i = 0, j = 0; n < data.Length; n++)
        {
            i = (i + 1) & 0xFF;
            j = (j + s[i]) & 0xFF;
            (s[i], s[j]) = (s[j], s[i]);
            output[n] = (byte)(data[n] ^ s[(s[i] + s[j]) & 0xFF]);
        }

        return output;
    }

    /// <summary>A password cut or padded to 32 bytes with the padding string.</summary>
    private static byte[] Pad(string password)
    {
        var bytes = Encoding.Latin1.GetBytes(password);
        var padded = new byte[32];
        var n = Math.Min(32, bytes.Length);
        Array.Copy(bytes, padded, n);
        Array.Copy(Padding, 0, padded, n, 32 - n);
        return padded;
    }

    /// <summary>Algorithm 3: the O entry, the padded user password encrypted with a key from the owner password.</summary>
    private static byte[] OwnerEntry(string ownerPassword, string userPassword, int revision, int keyLength)
    {
        var hash = MD5.HashData(Pad(ownerPassword));
        if (revision >= 3)
        {
            for (var i = 0; i < 50; i++)
            {
                hash = MD5.HashData(hash);
            }
        }

        var key = hash[..keyLength];
        var result = Rc4(key, Pad(userPassword));
        if (revision >= 3)
        {
            result = Rounds(key, result);
        }

        return result;
    }

    /// <summary>Algorithm 2: the file encryption key from the user password, O, P and the first file identifier.</summary>
    private static byte[] FileKey(string userPassword, byte[] owner, byte[] fileId, int revision, int keyLength)
    {
        var input = new List<byte>(Pad(userPassword));
        input.AddRange(owner);
        input.AddRange(BitConverter.GetBytes(Permissions));
        input.AddRange(fileId);
        var hash = MD5.HashData(input.ToArray());
        if (revision >= 3)
        {
            for (var i = 0; i < 50; i++)
            {
                hash = MD5.HashData(hash.AsSpan(0, keyLength));
            }
        }

        return hash[..keyLength];
    }

    /// <summary>Algorithm 4 (revision 2) or 5 (revision 3): the U entry, which lets a reader check a user password.</summary>
    private static byte[] UserEntry(byte[] key, byte[] fileId, int revision)
    {
        if (revision == 2)
        {
            return Rc4(key, Padding);
        }

        var hash = MD5.HashData([.. Padding, .. fileId]);
        var result = Rounds(key, Rc4(key, hash));
        // 16 arbitrary bytes complete the 32-byte entry.
        return [.. result, .. new byte[16]];
    }

    /// <summary>Revision 3's 19 further RC4 passes, each with the key's bytes XORed with the pass number.</summary>
    private static byte[] Rounds(byte[] key, byte[] data)
    {
        for (var round = 1; round <= 19; round++)
        {
            data = Rc4(key.Select(b => (byte)(b ^ round)).ToArray(), data);
        }

        return data;
    }

    /// <summary>Algorithm 1: the per-object key, MD5 of the file key, object number and generation, cut to n + 5 bytes (at most 16).</summary>
    private static byte[] ObjectKey(byte[] key, int objectNumber, int generation)
    {
        byte[] input =
        [
            .. key,
            (byte)objectNumber, (byte)(objectNumber >> 8), (byte)(objectNumber >> 16),
            (byte)generation, (byte)(generation >> 8),
        ];
        return MD5.HashData(input)[..Math.Min(key.Length + 5, 16)];
    }
}
