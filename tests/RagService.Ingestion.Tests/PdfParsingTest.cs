using RagService.Core.Documents;
using RagService.Ingestion.Parsing;
using RagService.Ingestion.Parsing.Pdf;
using RagService.TestSupport;
using Xunit.Abstractions;

namespace RagService.Ingestion.Tests;

using DocumentFormat = RagService.Core.Documents.DocumentFormat;

/// <summary>Tests that write a PDF built with PdfPig's writer to disk, parse it, and log the tree as Markdown.</summary>
public abstract class PdfParsingTest(ITestOutputHelper output) : IDisposable
{
    private readonly TestFiles _files = new();

    public void Dispose()
    {
        _files.Dispose();
        GC.SuppressFinalize(this);
    }

    protected async Task<DocumentTree> ParseAsync(string name, byte[] pdf)
    {
        var path = _files.Write(name, pdf);
        var tree = await new PdfParser().ParseAsync(new DocumentSource(path, name, DocumentFormat.Pdf), CancellationToken.None);
        output.WriteLine(DocumentTreeMarkdown.Render(tree));
        return tree;
    }
}
