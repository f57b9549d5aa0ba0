using System.Globalization;
using System.Text;
using System.Text.Json;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Writer;
using PageSize = UglyToad.PdfPig.Content.PageSize;

namespace RagService.Evaluation.Synthetic.Documents;

/// <summary>
/// Writes the generated test set to a folder: <c>groundtruth/NAME.md</c>, <c>docx/NAME.docx</c>,
/// <c>pdf/NAME.pdf</c> (LibreOffice's rendering of the DOCX, in one batch) and, for the short documents,
/// <c>scan/NAME.pdf</c>: every page rasterised by pdftoppm, turned a little, soiled and put back as an
/// image-only PDF. <c>questions.jsonl</c> asks for one fact of each section, for <c>rag eval-chunks</c>.
/// </summary>
public static class GeneratedDocumentSet
{
    public const string GroundTruthFolder = "groundtruth";
    public const string DocxFolder = "docx";
    public const string PdfFolder = "pdf";
    public const string ScanFolder = "scan";
    public const string QuestionsFile = "questions.jsonl";

    /// <summary>Scan resolution: the same DPI the OCR path renders image pages at by default.</summary>
    public const int ScanDpi = 200;

    /// <param name="extended">Adds the covers and the figures beside text of <see cref="DocumentComposer.Compose"/>'s extended set.</param>
    public static async Task<(int Documents, int Pages, int ScannedPages)> WriteAsync(string folder, int seed, bool renderPdf, Action<string>? log, CancellationToken ct, bool extended = false)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var (documents, questions) = DocumentComposer.Compose(seed, extended);
        foreach (var sub in new[] { GroundTruthFolder, DocxFolder, PdfFolder, ScanFolder })
        {
            Directory.CreateDirectory(Path.Combine(folder, sub));
        }

        foreach (var document in documents)
        {
            await File.WriteAllTextAsync(Path.Combine(folder, GroundTruthFolder, document.Name + ".md"), GroundTruthWriter.Render(document), ct).ConfigureAwait(false);
            DocxWriter.Write(document, Path.Combine(folder, DocxFolder, document.Name + ".docx"));
        }

        var json = new StringBuilder();
        foreach (var q in questions)
        {
            json.Append(JsonSerializer.Serialize(new { id = q.Id, file = q.File, question = q.Question, section = q.Section, evidence = q.Evidence, kind = q.Kind })).Append('\n');
        }

        await File.WriteAllTextAsync(Path.Combine(folder, QuestionsFile), json.ToString(), ct).ConfigureAwait(false);
        log?.Invoke($"wrote {documents.Count} DOCX files and their ground truth");
        if (!renderPdf)
        {
            return (documents.Count, 0, 0);
        }

        await ConvertToPdfAsync(documents.Select(d => Path.Combine(folder, DocxFolder, d.Name + ".docx")).ToList(), Path.Combine(folder, PdfFolder), ct).ConfigureAwait(false);
        var pages = 0;
        var scanned = 0;
        foreach (var document in documents)
        {
            var pdf = Path.Combine(folder, PdfFolder, document.Name + ".pdf");
            using (var parsed = UglyToad.PdfPig.PdfDocument.Open(pdf))
            {
                pages += parsed.NumberOfPages;
            }

            if (document.Scanned)
            {
                scanned += await ScanAsync(pdf, Path.Combine(folder, ScanFolder, document.Name + ".pdf"), new Random(document.Name.Sum(c => c) + seed), ct).ConfigureAwait(false);
            }
        }

        log?.Invoke($"rendered {pages} PDF pages, scanned {scanned}");
        return (documents.Count, pages, scanned);
    }

    /// <summary>One LibreOffice run for all files (its start-up dominates), with a private profile so parallel runs cannot collide.</summary>
    public static async Task ConvertToPdfAsync(IReadOnlyList<string> docxFiles, string outFolder, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(docxFiles);
        var profile = Directory.CreateTempSubdirectory("rag-lo-profile-");
        try
        {
            var arguments = new List<string>
            {
                $"-env:UserInstallation=file://{profile.FullName}", "--headless", "--convert-to", "pdf", "--outdir", outFolder,
            };
            arguments.AddRange(docxFiles);
            await ExternalTool.RunAsync("soffice", arguments, ct).ConfigureAwait(false);
            var missing = docxFiles.Where(f => !File.Exists(Path.Combine(outFolder, Path.GetFileNameWithoutExtension(f) + ".pdf"))).ToList();
            if (missing.Count > 0)
            {
                throw new InvalidOperationException($"LibreOffice did not convert {string.Join(", ", missing.Select(Path.GetFileName))}");
            }
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }

    /// <summary>Prints and scans every page of <paramref name="pdf"/>: rasterised in gray, turned up to ±1.2°, paper tone and specks.</summary>
    private static async Task<int> ScanAsync(string pdf, string target, Random random, CancellationToken ct)
    {
        var folder = Directory.CreateTempSubdirectory("rag-scan-");
        try
        {
            var prefix = Path.Combine(folder.FullName, "page");
            await ExternalTool.RunAsync("pdftoppm", ["-r", ScanDpi.ToString(CultureInfo.InvariantCulture), "-gray", pdf, prefix], ct).ConfigureAwait(false);
            var builder = new PdfDocumentBuilder();
            var images = Directory.GetFiles(folder.FullName, "page*.pgm").Order(StringComparer.Ordinal).ToList();
            foreach (var file in images)
            {
                var image = GrayImage.ReadPgm(await File.ReadAllBytesAsync(file, ct).ConfigureAwait(false));
                var turned = image.Rotate(((random.NextDouble() * 2) - 1) * 1.2);
                turned.Soil(random, specksPerMillion: 150, paper: 246);
                var page = builder.AddPage(PageSize.A4);
                page.AddPng(turned.ToPng(), new PdfRectangle(0, 0, page.PageSize.Width, page.PageSize.Height));
            }

            await File.WriteAllBytesAsync(target, builder.Build(), ct).ConfigureAwait(false);
            return images.Count;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
