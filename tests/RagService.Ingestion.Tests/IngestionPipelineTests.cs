using System.Diagnostics;
using System.IO.Compression;
using RagService.Core.Documents;
using RagService.Core.Options;
using RagService.Ingestion.Chunking;
using RagService.Ingestion.Parsing;
using RagService.TestSupport;

namespace RagService.Ingestion.Tests;

using DocumentFormat = RagService.Core.Documents.DocumentFormat;

public sealed class IngestionPipelineTests : IDisposable
{
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static IngestionPipeline CreatePipeline(ChunkingOptions? options = null) => new(
        new FormatSniffer(),
        DocumentParserRegistry.CreateDefault(),
        new HeadingAwareChunker(),
        new WhitespaceTokenCounter(),
        options ?? new ChunkingOptions { MaxTokens = 128 });

    [Fact]
    public async Task Misdeclared_pdf_is_sniffed_parsed_and_chunked_with_provenance()
    {
        var path = _files.PathFor("upload.txt");
        TestDocuments.WritePdf(path);

        var (tree, chunks) = await CreatePipeline().IngestAsync(new DocumentSource(path, "upload.txt", DocumentFormat.PlainText));

        Assert.Equal(TestDocuments.PdfTitle, tree.Title);
        var backup = Assert.Single(chunks, c => c.Text.Contains(TestDocuments.PdfBackupFact, StringComparison.Ordinal));
        // The title heading above every section is the document's title, not a section of the path.
        Assert.Equal([TestDocuments.PdfBackupHeading], backup.SectionPath);
        Assert.Equal(TestDocuments.PdfBackupPage, backup.PageStart);
        Assert.DoesNotContain(chunks, c => c.Text.Contains(TestDocuments.PdfRunningHeader, StringComparison.Ordinal));
        var offsite = Assert.Single(chunks, c => c.Text.Contains(TestDocuments.PdfOffsiteFact, StringComparison.Ordinal));
        Assert.Equal([TestDocuments.PdfBackupHeading, TestDocuments.PdfOffsiteHeading], offsite.SectionPath);
    }

    [Fact]
    public async Task Docx_facts_land_in_chunks_under_their_sections()
    {
        var path = _files.PathFor("guide.docx");
        TestDocuments.WriteDocx(path);

        var result = await CreatePipeline().IngestAsync(new DocumentSource(path, "guide.docx", DocumentFormat.Docx));

        var linux = Assert.Single(result.Chunks, c => c.Text.Contains(TestDocuments.DocxLinuxFact, StringComparison.Ordinal));
        Assert.Equal([TestDocuments.DocxInstallationHeading, TestDocuments.DocxLinuxHeading], linux.SectionPath);
        Assert.Contains("| Linux | 2 GB | 4 GB |", linux.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Empty_upload_is_rejected()
    {
        var path = _files.Write("empty.docx", []);

        var error = await Assert.ThrowsAsync<DocumentRejectedException>(() =>
            CreatePipeline().IngestAsync(new DocumentSource(path, "empty.docx", DocumentFormat.Docx)));
        Assert.Equal("empty document", error.Message);
    }

    [Fact]
    public async Task Zip_that_is_not_docx_is_rejected_as_unsupported()
    {
        var path = _files.PathFor("archive.docx");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            zip.CreateEntry("data.bin");
        }

        var error = await Assert.ThrowsAsync<DocumentRejectedException>(() =>
            CreatePipeline().IngestAsync(new DocumentSource(path, "archive.docx", DocumentFormat.Docx)));
        Assert.Equal("unsupported format", error.Message);
    }

    [Fact]
    public async Task Ingestion_is_traced_with_an_activity()
    {
        var path = _files.Write("notes.md", "# Notes\n\nHello.");
        var seen = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == IngestionPipeline.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = seen.Add,
        };
        ActivitySource.AddActivityListener(listener);

        await CreatePipeline().IngestAsync(new DocumentSource(path, "notes.md", DocumentFormat.Markdown));

        var ingest = Assert.Single(seen, a => a.OperationName == "ingest" && a.GetTagItem("document.file_name") as string == "notes.md");
        var parse = Assert.Single(seen, a => a.OperationName == "parse" && a.ParentSpanId == ingest.SpanId);
        Assert.Equal("Markdown", parse.GetTagItem("document.format"));
        var chunk = Assert.Single(seen, a => a.OperationName == "chunk" && a.ParentSpanId == ingest.SpanId);
        Assert.Equal(1, chunk.GetTagItem("document.chunks"));
    }
}
