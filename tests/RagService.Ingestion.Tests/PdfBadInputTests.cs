using System.Text;
using System.Text.RegularExpressions;
using RagService.Core.Documents;
using RagService.Evaluation.Synthetic;
using RagService.Ingestion.Parsing;
using RagService.Ingestion.Parsing.Pdf;
using RagService.TestSupport;

namespace RagService.Ingestion.Tests;

using DocumentFormat = RagService.Core.Documents.DocumentFormat;

public sealed class PdfBadInputTests : IDisposable
{
    private static readonly string[] Lines = ["Encrypted handbook", "Backups are kept for 35 days in the eu-west vault."];

    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    private Task<DocumentTree> ParseAsync(string name, byte[] bytes) =>
        new PdfParser().ParseAsync(new DocumentSource(_files.Write(name, bytes), name, DocumentFormat.Pdf), CancellationToken.None);

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Encrypted_pdf_with_an_empty_user_password_opens_and_yields_its_text(int revision)
    {
        var bytes = EncryptedPdf.Build(Lines, userPassword: string.Empty, ownerPassword: "owner-secret", revision);
        // The text really is encrypted in the file: only decryption can produce it.
        Assert.DoesNotContain("35 days", Encoding.Latin1.GetString(bytes), StringComparison.Ordinal);

        var tree = await ParseAsync($"open-r{revision}.pdf", bytes);

        var text = string.Join('\n', tree.Blocks.Select(b => b.Text));
        Assert.Contains(Lines[1], text, StringComparison.Ordinal);
        Assert.Contains(Lines[0], text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Encrypted_pdf_that_needs_a_user_password_fails_as_encrypted(int revision)
    {
        var bytes = EncryptedPdf.Build(Lines, userPassword: "user-secret", ownerPassword: "owner-secret", revision);

        var error = await Assert.ThrowsAsync<DocumentRejectedException>(() => ParseAsync($"locked-r{revision}.pdf", bytes));

        Assert.StartsWith("encrypted PDF", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rc4_matches_the_published_test_vector()
    {
        // Key "Key", plaintext "Plaintext" → BBF316E8D940AF0AD3 (the classic RC4 test vector).
        var cipher = EncryptedPdf.Rc4(Encoding.ASCII.GetBytes("Key"), Encoding.ASCII.GetBytes("Plaintext"));
        Assert.Equal("BBF316E8D940AF0AD3", Convert.ToHexString(cipher));
    }

    [Fact]
    public async Task Pdf_whose_cross_reference_entries_all_point_to_wrong_offsets_is_read_by_reconstruction()
    {
        var text = Encoding.Latin1.GetString(SyntheticPolicyPdf.Build(2));
        var xref = text.LastIndexOf("\nxref", StringComparison.Ordinal);
        // Every in-use entry shifted by 7 bytes: none lands on its "n 0 obj" any more.
        var broken = text[..xref] + Regex.Replace(text[xref..], @"(\d{10}) 00000 n", m =>
            $"{long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) + 7:D10} 00000 n");
        Assert.NotEqual(text, broken);

        var tree = await ParseAsync("bad-xref.pdf", Encoding.Latin1.GetBytes(broken));

        Assert.Contains(tree.Blocks, b => b.Text == "1 Section 1 controls");
    }
}
