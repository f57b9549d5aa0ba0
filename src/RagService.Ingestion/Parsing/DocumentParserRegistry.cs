using RagService.Core.Documents;
using RagService.Ingestion.Parsing.Docx;
using RagService.Ingestion.Parsing.Html;
using RagService.Ingestion.Parsing.Image;
using RagService.Ingestion.Parsing.Markdown;
using RagService.Ingestion.Parsing.Ocr;
using RagService.Ingestion.Parsing.Pdf;
using RagService.Ingestion.Parsing.Text;

namespace RagService.Ingestion.Parsing;

// OpenXml's root namespace "DocumentFormat" would otherwise shadow the Core enum.
using DocumentFormat = RagService.Core.Documents.DocumentFormat;

/// <summary>
/// Picks the parser for a sniffed format. Parsers are tried in registration order, so a later
/// OCR-capable parser can be registered ahead of the built-in ones to take over images and scans.
/// </summary>
public sealed class DocumentParserRegistry
{
    private readonly IReadOnlyList<IDocumentParser> _parsers;

    public DocumentParserRegistry(IEnumerable<IDocumentParser> parsers)
    {
        ArgumentNullException.ThrowIfNull(parsers);
        _parsers = parsers.ToArray();
    }

    /// <summary>
    /// The built-in parsers for every supported format. Images and scanned PDF pages are recognised
    /// with <paramref name="ocrPool"/>, by default the process-wide <see cref="OcrEnginePool.Shared"/>.
    /// </summary>
    public static DocumentParserRegistry CreateDefault(DocxParserOptions? docxOptions = null, OcrEnginePool? ocrPool = null)
    {
        var recognizer = new PageRecognizer(ocrPool ?? OcrEnginePool.Shared);
        return new(
        [
            new PdfParser(new PdfPageOcr(recognizer), recognizer.Pool.Options.LowConfidenceThreshold),
            new DocxParser(docxOptions ?? new DocxParserOptions()),
            new HtmlParser(),
            new MarkdownParser(),
            new PlainTextParser(),
            new ImageParser(recognizer),
        ]);
    }

    public IReadOnlyList<IDocumentParser> Parsers => _parsers;

    /// <exception cref="DocumentRejectedException">No parser handles the format ("unsupported format").</exception>
    public IDocumentParser For(DocumentFormat format) =>
        format == DocumentFormat.Unknown
            ? throw new DocumentRejectedException("unsupported format")
            : _parsers.FirstOrDefault(p => p.CanParse(format))
              ?? throw new DocumentRejectedException($"unsupported format: no parser for {format}");

    public Task<DocumentTree> ParseAsync(DocumentSource source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        return For(source.Format).ParseAsync(source, cancellationToken);
    }
}
