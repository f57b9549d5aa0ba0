using System.Diagnostics;
using System.Globalization;
using System.Text;
using RagService.Core.Documents;
using RagService.Evaluation.Synthetic.Documents;
using RagService.Ingestion.Parsing;

namespace RagService.Evaluation.Parsing;

/// <summary>One source document with its reference, and how to compare them.</summary>
public sealed record ParseCase(string Category, string SourcePath, string GroundTruthPath, ScoringMode Mode)
{
    public string Name => Path.GetFileName(SourcePath);

    /// <summary>The half of the data set this file belongs to: <see cref="ParseSplit.Dev"/> or <see cref="ParseSplit.Test"/>.</summary>
    public string Split => ParseSplit.Of(Name);
}

/// <summary>The outcome for one case: its scores, or the reason it could not be parsed.</summary>
public sealed record ParseCaseResult(ParseCase Case, ParseScore? Score, string? Failure, int Pages, TimeSpan Elapsed)
{
    /// <summary>The parsed tree, for measurements beyond the score (OCR'd chunks' section paths).</summary>
    public DocumentTree? Tree { get; init; }
}

/// <summary>
/// Finds the ground-truthed files of <c>../shared/data/documents</c>: Docling's Markdown for PDF, DOCX
/// and OCR sources, PdfPig's expected text and Tesseract's reference transcriptions.
/// </summary>
public static class ParseDataset
{
    public const string Docx = "DOCX";
    public const string Pdf = "PDF";
    public const string PdfText = "PDF (PdfPig expected text)";
    public const string Ocr = "OCR";
    public const string GeneratedDocx = "DOCX (generated)";
    public const string GeneratedPdf = "PDF (generated)";
    public const string GeneratedOcr = "OCR (generated)";

    private static readonly string[] ImageExtensions = [".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp"];

    public static IReadOnlyList<ParseCase> Discover(string root)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"'{root}' does not exist");
        }

        var cases = new List<ParseCase>();
        var plain = new ScoringMode();
        AddGenerated(cases, root);

        foreach (var source in Files(root, "docling/docx/sources", ".docx"))
        {
            Add(cases, Docx, source, Path.Combine(root, "docling/docx/groundtruth", Path.GetFileName(source) + ".md"), plain);
        }

        foreach (var source in Files(root, "docling/pdf/sources", ".pdf"))
        {
            Add(cases, Pdf, source, Path.Combine(root, "docling/pdf/groundtruth", Path.GetFileNameWithoutExtension(source) + ".md"), plain);
        }

        foreach (var source in Files(root, "pdfpig", ".pdf"))
        {
            Add(cases, PdfText, source, Path.ChangeExtension(source, ".txt"), new ScoringMode { IgnoreWhitespace = true });
        }

        var ocr = new ScoringMode { Ocr = true };
        foreach (var source in Files(root, "docling/ocr/sources", ".pdf"))
        {
            var stem = Path.GetFileNameWithoutExtension(source);
            var reference = new[] { "tesseract", "nemotron_ocr" }
                .Select(engine => Path.Combine(root, "docling/ocr/groundtruth", engine, "full_page", $"{stem}.{engine}.full_page.md"))
                .FirstOrDefault(File.Exists);
            if (reference is not null)
            {
                Add(cases, Ocr, source, reference, ocr);
            }
        }

        foreach (var source in Files(root, "docling/images/sources", ImageExtensions))
        {
            var stem = Path.GetFileNameWithoutExtension(source);
            var reference = Directory.Exists(Path.Combine(root, "docling/images/groundtruth"))
                ? Directory.EnumerateFiles(Path.Combine(root, "docling/images/groundtruth"), $"{stem}.tesseract.full_page.md", SearchOption.AllDirectories).FirstOrDefault()
                : null;
            if (reference is not null)
            {
                Add(cases, Ocr, source, reference, ocr);
            }
        }

        foreach (var source in Files(root, "tesseract", ImageExtensions))
        {
            // The rotated copies ("phototest-rotated-180.png") share the upright one's transcription.
            var stem = Path.GetFileNameWithoutExtension(source).Split("-rotated", 2)[0];
            Add(cases, Ocr, source, Path.Combine(root, "tesseract", stem + ".txt"), ocr);
        }

        return cases;
    }

    /// <summary>
    /// The generated set (<c>rag gen-docs</c>): <c>docx/</c>, <c>pdf/</c> and <c>scan/</c> sources sharing one
    /// <c>groundtruth/NAME.md</c>, so a document and its renderings fall in the same half of the split.
    /// </summary>
    private static void AddGenerated(List<ParseCase> cases, string root)
    {
        var truths = Path.Combine(root, GeneratedDocumentSet.GroundTruthFolder);
        if (!Directory.Exists(truths))
        {
            return;
        }

        string Truth(string source) => Path.Combine(truths, Path.GetFileNameWithoutExtension(source) + ".md");
        foreach (var source in Files(root, GeneratedDocumentSet.DocxFolder, ".docx"))
        {
            Add(cases, GeneratedDocx, source, Truth(source), new ScoringMode());
        }

        foreach (var source in Files(root, GeneratedDocumentSet.PdfFolder, ".pdf"))
        {
            Add(cases, GeneratedPdf, source, Truth(source), new ScoringMode());
        }

        foreach (var source in Files(root, GeneratedDocumentSet.ScanFolder, ".pdf"))
        {
            Add(cases, GeneratedOcr, source, Truth(source), new ScoringMode { Ocr = true });
        }
    }

    public static GroundTruth Load(ParseCase parseCase)
    {
        ArgumentNullException.ThrowIfNull(parseCase);
        var text = File.ReadAllText(parseCase.GroundTruthPath);
        return parseCase.GroundTruthPath.EndsWith(".md", StringComparison.OrdinalIgnoreCase)
            ? GroundTruth.FromMarkdown(text)
            : GroundTruth.FromPlainText(text);
    }

    private static void Add(List<ParseCase> cases, string category, string source, string reference, ScoringMode mode)
    {
        if (File.Exists(reference))
        {
            cases.Add(new ParseCase(category, source, reference, mode));
        }
    }

    private static IEnumerable<string> Files(string root, string folder, params string[] extensions)
    {
        var path = Path.Combine(root, folder);
        return Directory.Exists(path)
            ? Directory.EnumerateFiles(path)
                .Where(f => extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal)
            : [];
    }
}

/// <summary>Parses every case through the real parsers and scores it; a failure becomes a row, never a crash.</summary>
public sealed class ParseEvaluator(FormatSniffer sniffer, DocumentParserRegistry parsers)
{
    public async Task<ParseCaseResult> RunAsync(ParseCase parseCase, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parseCase);
        var watch = Stopwatch.StartNew();
        try
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(timeout);
            var format = sniffer.Sniff(parseCase.SourcePath, parseCase.Name);
            var source = new DocumentSource(parseCase.SourcePath, parseCase.Name, format);
            var tree = await Task.Run(() => parsers.ParseAsync(source, limit.Token), limit.Token).WaitAsync(timeout, cancellationToken);
            watch.Stop();
            var score = ParseScorer.Score(ParseDataset.Load(parseCase), tree, parseCase.Mode);
            return new ParseCaseResult(parseCase, score, null, tree.PageCount, watch.Elapsed) { Tree = tree };
        }
        catch (DocumentRejectedException e)
        {
            return new ParseCaseResult(parseCase, null, e.Message, 0, watch.Elapsed);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new ParseCaseResult(parseCase, null, $"timed out after {timeout.TotalSeconds:0} s", 0, watch.Elapsed);
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            return new ParseCaseResult(parseCase, null, $"{e.GetType().Name}: {e.Message}", 0, watch.Elapsed);
        }
    }
}

/// <summary>The per-category and per-file Markdown tables of a parse evaluation.</summary>
public static class ParseReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Render(IReadOnlyList<ParseCaseResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var sb = new StringBuilder();
        sb.AppendLine("| category | files | parsed | text sim. | heading P | heading R | heading F1 | levels | tables recovered | cell acc. | reading order | CER | WER | pages/s |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var group in results.GroupBy(r => r.Case.Category))
        {
            sb.AppendLine(Summary(group.Key, group.ToList()));
        }

        // Decide on dev, report test (ParseSplit): the same summary for each half.
        if (results.Select(r => r.Case.Split).Distinct().Count() > 1)
        {
            sb.AppendLine();
            sb.AppendLine("| category (half) | files | parsed | text sim. | heading P | heading R | heading F1 | levels | tables recovered | cell acc. | reading order | CER | WER | pages/s |");
            sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
            foreach (var group in results.GroupBy(r => (r.Case.Category, r.Case.Split)).OrderBy(g => g.Key.Split, StringComparer.Ordinal))
            {
                sb.AppendLine(Summary($"{group.Key.Category} ({group.Key.Split})", group.ToList()));
            }
        }

        sb.AppendLine();
        sb.AppendLine("| category | half | file | pages | ms | text sim. | headings (ours/ref/matched) | heading F1 | levels | tables (ours/ref/recovered) | cell acc. | reading order | CER | WER | note |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in results)
        {
            var s = r.Score;
            sb.Append("| ").Append(r.Case.Category).Append(" | ").Append(r.Case.Split).Append(" | ").Append(r.Case.Name.Replace("|", "\\|", StringComparison.Ordinal))
                .Append(" | ").Append(r.Pages.ToString(Inv))
                .Append(" | ").Append(r.Elapsed.TotalMilliseconds.ToString("0", Inv));
            if (s is null)
            {
                sb.Append(" | – | – | – | – | – | – | – | – | – | ").Append(r.Failure?.Replace("|", "/", StringComparison.Ordinal)).AppendLine(" |");
                continue;
            }

            sb.Append(" | ").Append(F(s.TextSimilarity))
                .Append(" | ").Append(s.HeadingsExpected + s.HeadingsFound > 0 ? $"{s.HeadingsFound}/{s.HeadingsExpected}/{s.HeadingsMatched}" : "–")
                .Append(" | ").Append(F(s.HeadingF1))
                .Append(" | ").Append(F(s.HeadingLevelAccuracy))
                .Append(" | ").Append(s.TablesExpected + s.TablesFound > 0 ? $"{s.TablesFound}/{s.TablesExpected}/{s.TablesRecovered}" : "–")
                .Append(" | ").Append(F(s.CellAccuracy))
                .Append(" | ").Append(F(s.ReadingOrder))
                .Append(" | ").Append(P(s.CharacterErrorRate))
                .Append(" | ").Append(P(s.WordErrorRate))
                .AppendLine(" |  |");
        }

        return sb.ToString();
    }

    /// <summary>
    /// Text similarity, reading order, cell accuracy and error rates are means over files (a file that failed
    /// counts as similarity 0); heading precision, recall and F1 are pooled over all headings of the category.
    /// </summary>
    private static string Summary(string category, List<ParseCaseResult> results)
    {
        var scores = results.Where(r => r.Score is not null).Select(r => r.Score!).ToList();
        int expected = scores.Sum(s => s.HeadingsExpected), found = scores.Sum(s => s.HeadingsFound), matched = scores.Sum(s => s.HeadingsMatched);
        double? precision = found == 0 ? null : (double)matched / found;
        double? recall = expected == 0 ? null : (double)matched / expected;
        double? f1 = expected + found == 0 ? null : 2.0 * matched / (expected + found);
        var levelPairs = scores.Where(s => s.HeadingLevelAccuracy is not null).ToList();
        double? levels = levelPairs.Count == 0 ? null
            : levelPairs.Sum(s => s.HeadingLevelAccuracy!.Value * s.HeadingsMatched) / Math.Max(1, levelPairs.Sum(s => s.HeadingsMatched));
        int tablesExpected = scores.Sum(s => s.TablesExpected), tablesRecovered = scores.Sum(s => s.TablesRecovered);
        var pages = results.Sum(r => r.Pages);
        var seconds = results.Where(r => r.Score is not null).Sum(r => r.Elapsed.TotalSeconds);
        return $"| {category} | {results.Count} | {scores.Count} | {F(results.Select(r => r.Score?.TextSimilarity ?? 0).Average())} | {F(precision)} | {F(recall)} | {F(f1)} | {F(levels)} | "
            + $"{(tablesExpected == 0 ? "–" : $"{tablesRecovered}/{tablesExpected}")} | {F(Mean(scores.Select(s => s.CellAccuracy)))} | {F(Mean(scores.Select(s => s.ReadingOrder)))} | "
            + $"{P(Mean(scores.Select(s => s.CharacterErrorRate)))} | {P(Mean(scores.Select(s => s.WordErrorRate)))} | {(seconds > 0 ? (pages / seconds).ToString("0.0", Inv) : "–")} |";
    }

    private static double? Mean(IEnumerable<double?> values)
    {
        var present = values.Where(v => v is not null).Select(v => v!.Value).ToList();
        return present.Count == 0 ? null : present.Average();
    }

    private static string F(double? value) => value is { } v ? v.ToString("0.000", Inv) : "–";

    private static string P(double? value) => value is { } v ? (v * 100).ToString("0.0", Inv) + "%" : "–";
}
