using System.Diagnostics;
using System.Text.Json;
using RagService.Core.Documents;
using RagService.Core.Models;
using RagService.Core.Options;
using RagService.Ingestion;
using RagService.Ingestion.Chunking;
using RagService.Evaluation.Synthetic.Documents;

namespace RagService.Evaluation.Chunking;

/// <summary>One chunking compared by the evaluation: a name for the report and its options.</summary>
public sealed record ChunkingConfig(string Name, ChunkingOptions Options);

/// <summary>A source document with its ground-truth Markdown; <see cref="Kind"/> is "pdf" or "docx".</summary>
public sealed record ChunkEvalDocument(string SourcePath, string GroundTruthPath, string Kind)
{
    public string FileName => Path.GetFileName(SourcePath);

    public string DocumentId => new(Path.GetFileNameWithoutExtension(SourcePath).Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '-').ToArray());
}

/// <summary>A question whose answer is the <see cref="Evidence"/> text in the <see cref="Section"/> of <see cref="File"/>.</summary>
public sealed record ChunkQuestion(string Id, string File, string Text, string Section, string Evidence, string Kind);

/// <summary>A document parsed twice: from its source and from its ground truth, both titled alike.</summary>
public sealed record ParsedEvalDocument(ChunkEvalDocument Document, DocumentTree Source, DocumentTree Truth);

/// <summary>
/// The structure half of <c>rag eval-chunks</c>: finds the docling sources with ground truth, parses them,
/// chunks both trees with each compared chunking and measures table-intact, list-intact and
/// broken-sentence rates, the size distribution and, for DOCX, section-path accuracy against the ground truth.
/// </summary>
public static class ChunkEvaluation
{
    private const string ParsedSources = "parsed sources";

    /// <summary>The fixed-size baseline, structure-only and structure + semantic chunking at one budget.</summary>
    public static IReadOnlyList<ChunkingConfig> ComparedChunkings(int maxTokens, double semanticThreshold)
    {
        var baseOptions = new ChunkingOptions { MaxTokens = maxTokens, SemanticThreshold = semanticThreshold };
        return
        [
            new("fixed-size", baseOptions with { Strategy = ChunkingStrategy.FixedSize, Semantic = false }),
            new("structure", baseOptions with { Semantic = false }),
            new("structure+semantic", baseOptions with { Semantic = true }),
        ];
    }

    /// <summary>PDF and DOCX sources under <c>docling/{pdf,docx}/sources</c> that have ground truth beside them, and the generated set's PDFs.</summary>
    public static IReadOnlyList<ChunkEvalDocument> Discover(string root)
    {
        var docs = new List<ChunkEvalDocument>();
        var pdf = Path.Combine(root, "docling", "pdf");
        if (Directory.Exists(Path.Combine(pdf, "sources")))
        {
            docs.AddRange(Directory.EnumerateFiles(Path.Combine(pdf, "sources"), "*.pdf").Order(StringComparer.Ordinal)
                .Select(f => new ChunkEvalDocument(f, Path.Combine(pdf, "groundtruth", Path.GetFileNameWithoutExtension(f) + ".md"), "pdf")));
        }

        var docx = Path.Combine(root, "docling", "docx");
        if (Directory.Exists(Path.Combine(docx, "sources")))
        {
            docs.AddRange(Directory.EnumerateFiles(Path.Combine(docx, "sources"), "*.docx").Order(StringComparer.Ordinal)
                .Select(f => new ChunkEvalDocument(f, Path.Combine(docx, "groundtruth", Path.GetFileName(f) + ".md"), "docx")));
        }

        // The generated set (rag gen-docs): its PDFs, with ground truth in groundtruth/NAME.md.
        var generated = Path.Combine(root, GeneratedDocumentSet.PdfFolder);
        if (Directory.Exists(Path.Combine(root, GeneratedDocumentSet.GroundTruthFolder)) && Directory.Exists(generated))
        {
            docs.AddRange(Directory.EnumerateFiles(generated, "*.pdf").Order(StringComparer.Ordinal)
                .Select(f => new ChunkEvalDocument(f, Path.Combine(root, GeneratedDocumentSet.GroundTruthFolder, Path.GetFileNameWithoutExtension(f) + ".md"), "pdf")));
        }

        return docs.Where(d => File.Exists(d.GroundTruthPath)).ToList();
    }

    /// <summary>Parses every source and its ground truth once; a document the parser rejects goes to <paramref name="skipped"/> with the reason.</summary>
    public static async Task<IReadOnlyList<ParsedEvalDocument>> ParseAsync(
        IReadOnlyList<ChunkEvalDocument> documents, Action<ChunkEvalDocument, string>? skipped, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var pipeline = IngestionPipeline.CreateDefault();
        var parsed = new List<ParsedEvalDocument>();
        foreach (var doc in documents)
        {
            try
            {
                var source = await pipeline.ParseAsync(new DocumentSource(doc.SourcePath, doc.FileName, FormatOf(doc.SourcePath)), ct);
                var truth = await pipeline.ParseAsync(new DocumentSource(doc.GroundTruthPath, Path.GetFileName(doc.GroundTruthPath), Core.Documents.DocumentFormat.Markdown), ct);
                var title = string.IsNullOrWhiteSpace(source.Title) ? Path.GetFileNameWithoutExtension(doc.FileName) : source.Title;
                parsed.Add(new ParsedEvalDocument(doc, source with { Title = title }, truth with { Title = title }));
            }
            catch (DocumentRejectedException e)
            {
                skipped?.Invoke(doc, e.Message);
            }
        }

        return parsed;
    }

    /// <summary>The question set, one JSON object a line (<c>id</c>, <c>file</c>, <c>question</c>, <c>section</c>, <c>evidence</c>, optional <c>kind</c>).</summary>
    public static IReadOnlyList<ChunkQuestion> ReadQuestions(string path)
    {
        var list = new List<ChunkQuestion>();
        foreach (var raw in File.ReadLines(path).Where(l => l.Trim().Length > 0))
        {
            using var json = JsonDocument.Parse(raw);
            var r = json.RootElement;
            list.Add(new ChunkQuestion(r.GetProperty("id").GetString()!, r.GetProperty("file").GetString()!, r.GetProperty("question").GetString()!,
                r.GetProperty("section").GetString()!, r.GetProperty("evidence").GetString()!, r.TryGetProperty("kind", out var k) ? k.GetString()! : "section"));
        }

        return list;
    }

    /// <summary>
    /// Every chunking on the parsed sources, then on the ground-truth Markdown. With <paramref name="details"/>,
    /// each chunk end inside a sentence and each wrong DOCX section path is written to it as a line.
    /// </summary>
    public static async Task<IReadOnlyList<ChunkStructureResult>> MeasureStructureAsync(
        IReadOnlyList<ChunkingConfig> configs, IReadOnlyList<ParsedEvalDocument> parsed, IEmbeddingModel model, Action<string>? details, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(configs);
        ArgumentNullException.ThrowIfNull(parsed);
        var results = new List<ChunkStructureResult>();
        foreach (var config in configs)
        {
            foreach (var (treeName, pick) in new (string, Func<ParsedEvalDocument, DocumentTree>)[] { (ParsedSources, p => p.Source), ("ground-truth Markdown", p => p.Truth) })
            {
                results.Add(await MeasureStructureAsync(config, treeName, parsed.Select(p => (p, pick(p))).ToList(), model, details, ct));
            }
        }

        return results;
    }

    private static async Task<ChunkStructureResult> MeasureStructureAsync(
        ChunkingConfig config, string treeName, IReadOnlyList<(ParsedEvalDocument Parsed, DocumentTree Tree)> trees, IEmbeddingModel model,
        Action<string>? details, CancellationToken ct)
    {
        var chunker = new HeadingAwareChunker();
        var tables = QualityCount.Zero;
        var lists = QualityCount.Zero;
        var boundaries = QualityCount.Zero;
        var sentences = QualityCount.Zero;
        var fullPath = QualityCount.Zero;
        var innermost = QualityCount.Zero;
        var unlocated = 0;
        var sizes = new List<int>();
        var clock = new Stopwatch();
        var chunks = 0;
        foreach (var (parsed, tree) in trees)
        {
            var doc = parsed.Document;
            clock.Start();
            var drafts = await chunker.ChunkAsync(tree, config.Options, model, ct);
            clock.Stop();
            chunks += drafts.Count;
            var quality = ChunkQuality.Measure(tree, drafts, config.Options.MaxTokens, model);
            tables += quality.TablesIntact;
            lists += quality.ListsIntact;
            boundaries += quality.BoundariesBetweenSentences;
            sentences += quality.SentencesWhole;
            sizes.AddRange(quality.ChunkTokens);
            if (details is not null)
            {
                foreach (var end in quality.BrokenEnds)
                {
                    details($"[{config.Name} / {treeName}] {doc.FileName}: mid-sentence end {end.ReplaceLineEndings(" ")}");
                }
            }

            if (doc.Kind == "docx" && treeName == ParsedSources)
            {
                var mismatches = new List<string>();
                var (f, i, u) = ChunkQuality.SectionPathAccuracy(tree, drafts, parsed.Truth, mismatches);
                if (details is not null)
                {
                    mismatches.ForEach(m => details($"[{config.Name}] {doc.FileName}: section path {m}"));
                }

                fullPath += f;
                innermost += i;
                unlocated += u;
            }
        }

        return new ChunkStructureResult(config.Name, treeName, trees.Count, chunks, tables, lists, boundaries, sentences,
            treeName == ParsedSources ? fullPath : null, treeName == ParsedSources ? innermost : null, unlocated,
            sizes.Count == 0 ? 0 : sizes.Min(), ChunkQuality.Percentile(sizes, 0.5), ChunkQuality.Percentile(sizes, 0.95),
            sizes.Count == 0 ? 0 : sizes.Max(), clock.Elapsed.TotalSeconds);
    }

    private static Core.Documents.DocumentFormat FormatOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".pdf" => Core.Documents.DocumentFormat.Pdf,
        ".docx" => Core.Documents.DocumentFormat.Docx,
        _ => Core.Documents.DocumentFormat.Unknown,
    };
}
