using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using RagService.Core.Documents;

namespace RagService.Ingestion.Parsing;

// OpenXml's root namespace "DocumentFormat" would otherwise shadow the Core enum.
using DocumentFormat = RagService.Core.Documents.DocumentFormat;

/// <summary>
/// Decides a document's format from its bytes. The client's file name is only a tie-breaker
/// between Markdown and plain text, because uploads are routinely misnamed.
/// </summary>
public sealed partial class FormatSniffer
{
    /// <summary>How far into the file text heuristics look; enough for signals, cheap for huge files.</summary>
    private const int TextProbeBytes = 64 * 1024;

    /// <summary>Some producers put junk (or a BOM) before the header; readers accept it within the first KB.</summary>
    private const int PdfHeaderWindow = 1024;

    public DocumentFormat Sniff(string filePath, string? fileName = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        using var stream = File.OpenRead(filePath);
        return Sniff(stream, fileName ?? Path.GetFileName(filePath));
    }

    /// <summary>Sniffs a seekable stream and leaves it at its original position.</summary>
    /// <exception cref="DocumentRejectedException">The content is empty.</exception>
    public DocumentFormat Sniff(Stream content, string? fileName)
    {
        ArgumentNullException.ThrowIfNull(content);
        var start = content.CanSeek ? content.Position : 0;
        try
        {
            var head = ReadHead(content, TextProbeBytes);
            if (head.Length == 0)
            {
                throw new DocumentRejectedException("empty document");
            }

            if (LooksLikePdf(head))
            {
                return DocumentFormat.Pdf;
            }

            if (IsImage(head))
            {
                return DocumentFormat.Image;
            }

            if (StartsWith(head, "PK\u0003\u0004"u8))
            {
                if (!content.CanSeek)
                {
                    return DocumentFormat.Unknown;
                }

                content.Position = start;
                return IsWordPackage(content) ? DocumentFormat.Docx : DocumentFormat.Unknown;
            }

            var text = DecodeText(head);
            if (text is null)
            {
                return DocumentFormat.Unknown;
            }

            if (LooksLikeHtml(text))
            {
                return DocumentFormat.Html;
            }

            if (string.IsNullOrWhiteSpace(text))
            {
                throw new DocumentRejectedException("empty document");
            }

            var namedMarkdown = fileName is not null &&
                (fileName.EndsWith(".md", StringComparison.OrdinalIgnoreCase) ||
                 fileName.EndsWith(".markdown", StringComparison.OrdinalIgnoreCase));
            return namedMarkdown || HasMarkdownSignals(text) ? DocumentFormat.Markdown : DocumentFormat.PlainText;
        }
        finally
        {
            if (content.CanSeek)
            {
                content.Position = start;
            }
        }
    }

    private static byte[] ReadHead(Stream content, int max)
    {
        var buffer = new byte[max];
        var total = 0;
        int read;
        while (total < max && (read = content.Read(buffer, total, max - total)) > 0)
        {
            total += read;
        }

        return buffer.AsSpan(0, total).ToArray();
    }

    private static bool StartsWith(ReadOnlySpan<byte> head, ReadOnlySpan<byte> magic) => head.StartsWith(magic);

    private static bool LooksLikePdf(ReadOnlySpan<byte> head)
    {
        var window = head[..Math.Min(head.Length, PdfHeaderWindow)];
        return window.IndexOf("%PDF-"u8) >= 0;
    }

    private static bool IsImage(ReadOnlySpan<byte> head) =>
        head.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) // PNG
        || head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]) // JPEG
        || head.StartsWith("II*\0"u8) || head.StartsWith("MM\0*"u8) // TIFF, both byte orders
        || head.StartsWith("GIF87a"u8) || head.StartsWith("GIF89a"u8)
        || (head.Length >= 12 && head.StartsWith("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8))
        || (head.Length >= 14 && head.StartsWith("BM"u8) && BitConverter.ToUInt32(head[10..14]) < 0x1000 && head[6..10].SequenceEqual(new byte[4])); // BMP: reserved bytes are zero

    /// <summary>Only the central directory is read, so a large or hostile archive costs nothing here.</summary>
    private static bool IsWordPackage(Stream content)
    {
        try
        {
            using var zip = new ZipArchive(content, ZipArchiveMode.Read, leaveOpen: true);
            return zip.Entries.Any(e => string.Equals(e.FullName, "word/document.xml", StringComparison.OrdinalIgnoreCase));
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }

    /// <summary>Returns the text when the bytes are UTF-8, or UTF-16 with a BOM, without NULs; otherwise null (binary).</summary>
    private static string? DecodeText(byte[] head)
    {
        string text;
        if (head.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            text = Encoding.Unicode.GetString(head, 2, (head.Length - 2) & ~1);
        }
        else if (head.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            text = Encoding.BigEndianUnicode.GetString(head, 2, (head.Length - 2) & ~1);
        }
        else
        {
            var span = head.AsSpan();
            if (span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            {
                span = span[3..];
            }

            // The probe may cut a multi-byte sequence at its end; trim back to a character boundary.
            if (head.Length == TextProbeBytes)
            {
                var cut = span.Length;
                while (cut > 0 && cut > span.Length - 4 && (span[cut - 1] & 0xC0) == 0x80)
                {
                    cut--;
                }

                if (cut > 0 && span[cut - 1] >= 0xC0)
                {
                    cut--;
                }

                span = span[..cut];
            }

            try
            {
                text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(span);
            }
            catch (DecoderFallbackException)
            {
                return null;
            }
        }

        return text.Contains('\0') ? null : text;
    }

    private static bool LooksLikeHtml(string text)
    {
        var trimmed = text.TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        string[] openers = ["<!doctype html", "<html", "<head", "<body", "<!--"];
        if (!openers.Any(o => trimmed.StartsWith(o, StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        // A leading comment alone is not enough: Markdown files may start with one too.
        return !trimmed.StartsWith("<!--", StringComparison.Ordinal) ||
            trimmed.Contains("<html", StringComparison.OrdinalIgnoreCase) ||
            trimmed.Contains("<body", StringComparison.OrdinalIgnoreCase);
    }

    private static bool HasMarkdownSignals(string text)
    {
        var signals = 0;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            var trimmed = line.TrimStart();
            if (AtxHeading().IsMatch(line) ||
                trimmed.StartsWith("```", StringComparison.Ordinal) ||
                trimmed.StartsWith("~~~", StringComparison.Ordinal) ||
                TableDelimiterRow().IsMatch(trimmed))
            {
                // A heading, a fence or a table delimiter row is a strong signal on its own.
                return true;
            }

            if (ListItem().IsMatch(trimmed) ||
                InlineLink().IsMatch(line))
            {
                signals++;
            }
        }

        // Lists and links also occur in plain prose; require more than one.
        return signals >= 2;
    }

    [GeneratedRegex(@"^#{1,6} \S")]
    private static partial Regex AtxHeading();

    [GeneratedRegex(@"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)+\|?$")]
    private static partial Regex TableDelimiterRow();

    [GeneratedRegex(@"^([-*+]|\d+[.)]) \S")]
    private static partial Regex ListItem();

    [GeneratedRegex(@"\[[^\]]+\]\([^)]+\)")]
    private static partial Regex InlineLink();
}
