using System.Text.Json;
using RagService.Evaluation.Synthetic;

namespace RagService.Evaluation.Answers;

/// <summary>One section of a generated evaluation document: a numbered heading, its paragraphs and an optional table (first row the header).</summary>
public sealed record AnswerSectionSpec
{
    public required string Heading { get; init; }

    /// <summary>1 for a top-level section, 2 for a sub-section.</summary>
    public int Level { get; init; } = 1;

    /// <summary>The section starts on a new page (PDF and scans).</summary>
    public bool PageBreak { get; init; }

    public IReadOnlyList<string> Paragraphs { get; init; } = [];

    public IReadOnlyList<IReadOnlyList<string>>? Table { get; init; }
}

/// <summary>A generated evaluation document, rendered in each of <see cref="Formats"/> ("pdf", "docx", "scan").</summary>
public sealed record AnswerDocumentSpec
{
    public required string Id { get; init; }
    public required string Title { get; init; }
    public required string Language { get; init; }
    public required IReadOnlyList<string> Formats { get; init; }
    public required IReadOnlyList<AnswerSectionSpec> Sections { get; init; }
}

/// <summary>A rendered file of the corpus and the document id it is uploaded under ("travel-policy-pdf").</summary>
public sealed record AnswerCorpusFile(string Path, string DocumentId, string SpecId, string Format);

/// <summary>
/// The documents of the answer-quality set (<c>eval/answers/documents.json</c>): policy-, manual- and
/// report-like texts in English and Chinese whose every fact is known, rendered as text PDFs (PdfPig),
/// DOCX (OpenXml) and scans (rendered page images in a PDF, read back by OCR at ingestion). A document
/// rendered in two formats is a near-duplicate pair, as when one policy is uploaded as DOCX and PDF.
/// </summary>
public static class AnswerCorpus
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IReadOnlyList<AnswerDocumentSpec> Load(string path)
    {
        using var stream = File.OpenRead(path);
        var file = JsonSerializer.Deserialize<CorpusFile>(stream, Json)
            ?? throw new InvalidDataException($"'{path}' holds no documents.");
        foreach (var document in file.Documents)
        {
            if (document.Formats.Any(f => f is not ("pdf" or "docx" or "scan")))
            {
                throw new InvalidDataException($"Document '{document.Id}' in '{path}': formats are pdf, docx or scan.");
            }
        }

        return file.Documents;
    }

    /// <summary>Renders every document in each of its formats into <paramref name="folder"/>.</summary>
    public static async Task<IReadOnlyList<AnswerCorpusFile>> WriteAsync(IReadOnlyList<AnswerDocumentSpec> documents, string folder, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(documents);
        Directory.CreateDirectory(folder);
        var files = new List<AnswerCorpusFile>();
        foreach (var document in documents)
        {
            foreach (var format in document.Formats)
            {
                var id = $"{document.Id}-{format}";
                var path = Path.Combine(folder, id + (format == "docx" ? ".docx" : ".pdf"));
                switch (format)
                {
                    case "docx":
                        AnswerDocx.Write(document, path);
                        break;
                    case "pdf":
                        await File.WriteAllBytesAsync(path, AnswerPdf.Build(document), ct).ConfigureAwait(false);
                        break;
                    default:
                        await File.WriteAllBytesAsync(path, await SyntheticScanPdf.ScanAsync(AnswerPdf.Build(document), 300, ct).ConfigureAwait(false), ct).ConfigureAwait(false);
                        break;
                }

                files.Add(new AnswerCorpusFile(path, id, document.Id, format));
            }
        }

        return files;
    }

    private sealed record CorpusFile(IReadOnlyList<AnswerDocumentSpec> Documents);
}
