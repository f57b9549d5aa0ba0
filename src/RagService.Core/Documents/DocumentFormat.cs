namespace RagService.Core.Documents;

/// <summary>The formats the service knows, decided by content sniffing.</summary>
public enum DocumentFormat
{
    Unknown,
    Pdf,
    Docx,
    Html,
    Markdown,
    PlainText,
    Image,
}

/// <summary>A stored upload to parse: the bytes on disk, the client's file name and the sniffed format.</summary>
public sealed record DocumentSource(string FilePath, string FileName, DocumentFormat Format);

/// <summary>
/// Thrown by a parser when a document cannot be ingested for a reason the user should read
/// (encrypted, corrupt, empty, OCR not available...). The message is shown in the document status.
/// </summary>
public sealed class DocumentRejectedException(string reason, Exception? inner = null) : Exception(reason, inner);

/// <summary>Turns one stored file of a supported format into a <see cref="DocumentTree"/>.</summary>
public interface IDocumentParser
{
    bool CanParse(DocumentFormat format);

    Task<DocumentTree> ParseAsync(DocumentSource source, CancellationToken cancellationToken);
}
