using System.IO.Compression;
using System.Text;
using RagService.Core.Documents;
using RagService.Ingestion.Parsing;
using RagService.TestSupport;

namespace RagService.Ingestion.Tests;

using DocumentFormat = RagService.Core.Documents.DocumentFormat;

public sealed class FormatSnifferTests : IDisposable
{
    private readonly TestFiles _files = new();
    private readonly FormatSniffer _sniffer = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Pdf_bytes_named_txt_are_sniffed_as_pdf()
    {
        var path = _files.PathFor("handbook.txt");
        TestDocuments.WritePdf(path);

        Assert.Equal(DocumentFormat.Pdf, _sniffer.Sniff(path, "handbook.txt"));
    }

    [Fact]
    public void Pdf_header_after_a_few_junk_bytes_is_still_pdf()
    {
        var path = _files.Write("junk.bin", [.. "\r\n  "u8.ToArray(), .. "%PDF-1.7\n%%EOF"u8.ToArray()]);

        Assert.Equal(DocumentFormat.Pdf, _sniffer.Sniff(path, "junk.bin"));
    }

    [Fact]
    public void Text_named_pdf_is_sniffed_as_plain_text()
    {
        var path = _files.Write("report.pdf", "Quarterly numbers were good.\n\nNothing else to report.");

        Assert.Equal(DocumentFormat.PlainText, _sniffer.Sniff(path, "report.pdf"));
    }

    [Fact]
    public void Docx_is_recognised_by_its_word_document_part()
    {
        var path = _files.PathFor("guide.bin");
        TestDocuments.WriteDocx(path);

        Assert.Equal(DocumentFormat.Docx, _sniffer.Sniff(path, "guide.bin"));
    }

    [Fact]
    public void Zip_without_word_document_is_unknown()
    {
        var path = _files.PathFor("archive.docx");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            using var writer = new StreamWriter(zip.CreateEntry("readme.txt").Open());
            writer.Write("not a word document");
        }

        Assert.Equal(DocumentFormat.Unknown, _sniffer.Sniff(path, "archive.docx"));
    }

    [Theory]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13 })]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0, 16 })]
    [InlineData(new byte[] { (byte)'G', (byte)'I', (byte)'F', (byte)'8', (byte)'9', (byte)'a', 1, 0 })]
    [InlineData(new byte[] { (byte)'I', (byte)'I', (byte)'*', 0, 8, 0, 0, 0 })]
    [InlineData(new byte[] { (byte)'R', (byte)'I', (byte)'F', (byte)'F', 0, 0, 0, 0, (byte)'W', (byte)'E', (byte)'B', (byte)'P' })]
    public void Image_magic_numbers_are_images(byte[] head)
    {
        var path = _files.Write("picture.txt", head);

        Assert.Equal(DocumentFormat.Image, _sniffer.Sniff(path, "picture.txt"));
    }

    [Theory]
    [InlineData("<!DOCTYPE html><html><body><p>Hi</p></body></html>")]
    [InlineData("\uFEFF  \n<html lang=\"en\"><p>Hi</p></html>")]
    [InlineData("<body><h1>Hello</h1></body>")]
    public void Html_is_recognised_after_bom_and_whitespace(string html)
    {
        var path = _files.Write("page.txt", html);

        Assert.Equal(DocumentFormat.Html, _sniffer.Sniff(path, "page.txt"));
    }

    [Theory]
    [InlineData("# Title\n\nSome text.")]
    [InlineData("Intro\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")]
    [InlineData("Steps:\n\n- one\n- two\n")]
    [InlineData("Example:\n\n```\ncode\n```\n")]
    public void Markdown_signals_make_markdown(string text)
    {
        var path = _files.Write("notes.txt", text);

        Assert.Equal(DocumentFormat.Markdown, _sniffer.Sniff(path, "notes.txt"));
    }

    [Fact]
    public void Markdown_extension_decides_between_text_and_markdown()
    {
        var path = _files.Write("notes.md", "Just a sentence.");

        Assert.Equal(DocumentFormat.Markdown, _sniffer.Sniff(path, "notes.md"));
        Assert.Equal(DocumentFormat.PlainText, _sniffer.Sniff(path, "notes.txt"));
    }

    [Fact]
    public void Utf16_text_with_bom_is_text()
    {
        var path = _files.Write("utf16.txt", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes("Hello from UTF-16.")]);

        Assert.Equal(DocumentFormat.PlainText, _sniffer.Sniff(path, "utf16.txt"));
    }

    [Fact]
    public void Binary_content_is_unknown()
    {
        var path = _files.Write("data.txt", [0x00, 0x01, 0x02, 0xFE, 0x80, 0x00, 0x10]);

        Assert.Equal(DocumentFormat.Unknown, _sniffer.Sniff(path, "data.txt"));
    }

    [Fact]
    public void Empty_file_is_rejected_as_empty_document()
    {
        var path = _files.Write("empty.pdf", []);

        var error = Assert.Throws<DocumentRejectedException>(() => _sniffer.Sniff(path, "empty.pdf"));
        Assert.Equal("empty document", error.Message);
    }

    [Fact]
    public void Stream_position_is_restored_after_sniffing()
    {
        using var stream = new MemoryStream("plain words here"u8.ToArray());

        _sniffer.Sniff(stream, null);

        Assert.Equal(0, stream.Position);
    }
}
