using System.Text;
using System.Text.RegularExpressions;
using RagService.Core.Documents;

namespace RagService.Ingestion.Parsing.Text;

// OpenXml's root namespace "DocumentFormat" would otherwise shadow the Core enum.
using DocumentFormat = RagService.Core.Documents.DocumentFormat;

/// <summary>Plain text: a paragraph is a run of lines between blank lines; hard line wraps are joined.</summary>
public sealed partial class PlainTextParser : IDocumentParser
{
    public bool CanParse(DocumentFormat format) => format == DocumentFormat.PlainText;

    public async Task<DocumentTree> ParseAsync(DocumentSource source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var text = await TextFile.ReadAllTextAsync(source.FilePath, cancellationToken).ConfigureAwait(false);
        var builder = new DocumentTreeBuilder();
        foreach (var paragraph in BlankLine().Split(text.ReplaceLineEndings("\n")))
        {
            cancellationToken.ThrowIfCancellationRequested();
            builder.Add(BlockKind.Paragraph, Whitespace().Replace(paragraph, " "));
        }

        return builder.Build(title: null);
    }

    [GeneratedRegex(@"\n[ \t]*\n\s*")]
    private static partial Regex BlankLine();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}

/// <summary>Reads text files honouring a BOM (UTF-8 or UTF-16) and defaulting to UTF-8, as the sniffer decided.</summary>
internal static class TextFile
{
    public static Task<string> ReadAllTextAsync(string path, CancellationToken cancellationToken) =>
        File.ReadAllTextAsync(path, new UTF8Encoding(false), cancellationToken);
}
