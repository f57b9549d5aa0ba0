using System.Diagnostics;
using System.Globalization;
using System.Text;
using RagService.Core.Chunks;
using RagService.Core.Documents;
using RagService.Core.Options;
using RagService.Ingestion.Chunking;
using RagService.Ingestion.Parsing;

namespace RagService.Evaluation.Parsing;

/// <summary>One scanned file read two ways in the same run: by our OCR path, and by the tesseract command alone.</summary>
public sealed record OcrComparison(string Name, string Split, int Pages, double OursCer, double RawCer, double OursSeconds, double RawSeconds, int Chunks, int ChunksWithSection);

/// <summary>
/// Raw Tesseract beside our OCR: the same pages rasterised by pdftoppm at the same DPI and recognised by one
/// <c>tesseract</c> process over the list of page images (so model loading is paid once per file, as ours
/// pays it once per engine), text scored against the same ground truth. Also how many of our OCR'd chunks
/// carry a section path: the structure a scan must not lose.
/// </summary>
public static class OcrBaseline
{
    public static async Task<OcrComparison> CompareAsync(ParseCaseResult ours, DocumentTree tree, int dpi, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(ours);
        ArgumentNullException.ThrowIfNull(tree);
        var truth = ParseDataset.Load(ours.Case);
        // The language a reader would pick for the page: Chinese pages with chi_sim, the rest with eng.
        var languages = truth.Text.Any(c => c is >= '\u4e00' and <= '\u9fff') ? "chi_sim+eng" : "eng";
        var watch = Stopwatch.StartNew();
        var text = await RecogniseWithTesseractAsync(ours.Case.SourcePath, dpi, languages, ct).ConfigureAwait(false);
        watch.Stop();
        var builder = new DocumentTreeBuilder();
        foreach (var paragraph in text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            builder.Add(BlockKind.Paragraph, string.Join(' ', paragraph.Split('\n', StringSplitOptions.TrimEntries)));
        }

        var raw = ParseScorer.Score(truth, builder.Build(null, ours.Pages), ours.Case.Mode);
        var chunks = await new HeadingAwareChunker().ChunkAsync(tree, new ChunkingOptions { Semantic = false }, new WordCounter(), ct).ConfigureAwait(false);
        return new OcrComparison(ours.Case.Name, ours.Case.Split, ours.Pages, ours.Score?.CharacterErrorRate ?? 1, raw.CharacterErrorRate ?? 1,
            ours.Elapsed.TotalSeconds, watch.Elapsed.TotalSeconds, chunks.Count, chunks.Count(c => c.SectionPath.Count > 0));
    }

    public static string Render(IReadOnlyList<OcrComparison> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine("| OCR file | half | pages | CER ours | CER raw tesseract | pages/s ours | pages/s raw | chunks with a section path |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var group in rows.GroupBy(r => r.Split).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => (Name: $"**all {g.Key}**", Split: g.Key, Rows: g.ToList())).Append((Name: "**all**", Split: "", Rows: rows.ToList())))
        {
            var r = group.Rows;
            int pages = r.Sum(x => x.Pages), chunks = r.Sum(x => x.Chunks), sectioned = r.Sum(x => x.ChunksWithSection);
            sb.AppendLine(string.Create(inv, $"| {group.Name} | {group.Split} | {pages} | {r.Average(x => x.OursCer) * 100:0.0}% | {r.Average(x => x.RawCer) * 100:0.0}% | {pages / r.Sum(x => x.OursSeconds):0.00} | {pages / r.Sum(x => x.RawSeconds):0.00} | {sectioned}/{chunks} |"));
        }

        foreach (var x in rows)
        {
            sb.AppendLine(string.Create(inv, $"| {x.Name} | {x.Split} | {x.Pages} | {x.OursCer * 100:0.0}% | {x.RawCer * 100:0.0}% | {x.Pages / x.OursSeconds:0.00} | {x.Pages / x.RawSeconds:0.00} | {x.ChunksWithSection}/{x.Chunks} |"));
        }

        return sb.ToString();
    }

    /// <summary>
    /// Raw Tesseract on a PDF: every page rasterised by <c>pdftoppm</c> at <paramref name="dpi"/> (grey PNG), then one
    /// <c>tesseract</c> process over the list of page images; its plain text.
    /// </summary>
    public static async Task<string> RecogniseWithTesseractAsync(string pdf, int dpi, string languages, CancellationToken ct)
    {
        var folder = Directory.CreateTempSubdirectory("rag-raw-ocr-");
        try
        {
            var prefix = Path.Combine(folder.FullName, "page");
            await ExternalTool.RunAsync("pdftoppm", ["-r", dpi.ToString(inv()), "-gray", "-png", pdf, prefix], ct).ConfigureAwait(false);
            var list = Path.Combine(folder.FullName, "pages.txt");
            await File.WriteAllLinesAsync(list, Directory.GetFiles(folder.FullName, "page*.png").Order(StringComparer.Ordinal), ct).ConfigureAwait(false);
            return await ExternalTool.RunAsync("tesseract", [list, "stdout", "-l", languages, "--dpi", dpi.ToString(inv())], ct).ConfigureAwait(false);
        }
        finally
        {
            folder.Delete(recursive: true);
        }

        static CultureInfo inv() => CultureInfo.InvariantCulture;
    }

    /// <summary>Words as tokens: the section-path count does not depend on the embedding model's tokenizer.</summary>
    private sealed class WordCounter : ITokenCounter
    {
        public int CountTokens(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
    }
}
