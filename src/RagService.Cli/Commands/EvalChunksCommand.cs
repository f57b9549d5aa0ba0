using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RagService.Api.Hosting;
using RagService.Api.Ingestion;
using RagService.Api.Querying;
using RagService.Core.Chunks;
using RagService.Core.Documents;
using RagService.Core.Options;
using RagService.Core.Search;
using RagService.Indexing;
using RagService.Ingestion;
using RagService.Evaluation.Chunking;
using RagService.Ingestion.Chunking;
using Spectre.Console;

namespace RagService.Cli.Commands;

/// <summary>
/// <c>rag eval-chunks</c>: measures the chunker on the shared documents with ground truth.
/// Structure: table-intact, list-intact and broken-sentence rates and the size distribution for the
/// fixed-size baseline, structure-only and structure + semantic chunking, on the parsed sources and on
/// the ground-truth Markdown itself; section-path accuracy of DOCX chunks against the ground truth.
/// Retrieval: a question set with gold sections (eval/chunking-questions.jsonl), section-hit@1/@5 and
/// MRR@10 for each chunking with and without the contextual header, through the real ingestion and
/// hybrid search; and the share of ingestion time spent chunking and deduplicating next to embedding.
/// </summary>
public static class EvalChunksCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private sealed record Config(string Name, ChunkingOptions Options);

    private sealed record EvalDocument(string SourcePath, string GroundTruthPath, string Kind)
    {
        public string FileName => Path.GetFileName(SourcePath);

        public string DocumentId => new(Path.GetFileNameWithoutExtension(SourcePath).Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '-').ToArray());
    }

    private sealed record Question(string Id, string File, string Question_, string Section, string Evidence, string Kind);

    public static async Task<int> RunAsync(CommandLine line, CancellationToken ct)
    {
        if (line.Get("beir") is { } beir)
        {
            return await SummariseBeirAsync(line, beir, ct);
        }

        var root = line.Require("dataset");
        var documents = Discover(root);
        if (documents.Count == 0)
        {
            throw new UsageException($"No docling sources with ground truth under '{root}' (expected docling/pdf and docling/docx).");
        }

        var questionsPath = line.Get("questions") ?? Path.Combine("eval", "chunking-questions.jsonl");
        await using var services = CliHost.Create(line);
        var rag = services.GetRequiredService<IOptions<RagOptions>>().Value;
        var models = services.GetRequiredService<EmbeddingModelProvider>();
        var modelName = line.Get("model") ?? rag.DefaultEmbeddingModel;
        var model = models.Get(modelName);
        var maxTokens = line.GetInt("chunk-tokens", models.DefaultChunkTokens(modelName));
        var threshold = line.GetDouble("threshold", new ChunkingOptions().SemanticThreshold);
        var baseOptions = new ChunkingOptions { MaxTokens = maxTokens, SemanticThreshold = threshold };
        Config[] configs =
        [
            new("fixed-size", baseOptions with { Strategy = ChunkingStrategy.FixedSize, Semantic = false }),
            new("structure", baseOptions with { Semantic = false }),
            new("structure+semantic", baseOptions with { Semantic = true }),
        ];

        // Parse every source and its ground truth once.
        var pipeline = IngestionPipeline.CreateDefault();
        var parsed = new List<(EvalDocument Doc, DocumentTree Source, DocumentTree Truth)>();
        foreach (var doc in documents)
        {
            try
            {
                var source = await pipeline.ParseAsync(new DocumentSource(doc.SourcePath, doc.FileName, FormatOf(doc.SourcePath)), ct);
                var truth = await pipeline.ParseAsync(new DocumentSource(doc.GroundTruthPath, Path.GetFileName(doc.GroundTruthPath), DocumentFormat.Markdown), ct);
                var title = string.IsNullOrWhiteSpace(source.Title) ? Path.GetFileNameWithoutExtension(doc.FileName) : source.Title;
                parsed.Add((doc, source with { Title = title }, truth with { Title = title }));
            }
            catch (DocumentRejectedException e)
            {
                AnsiConsole.MarkupLineInterpolated($"[yellow]{doc.FileName}: {e.Message} (skipped)[/]");
            }
        }

        var structure = new List<StructureResult>();
        foreach (var config in configs)
        {
            foreach (var (treeName, pick) in new (string, Func<(EvalDocument Doc, DocumentTree Source, DocumentTree Truth), DocumentTree>)[]
                     { ("parsed sources", p => p.Source), ("ground-truth Markdown", p => p.Truth) })
            {
                structure.Add(await MeasureStructureAsync(config, treeName, parsed.Select(p => (p.Doc, pick(p))).ToList(), model, parsed, line.Has("details"), ct));
            }
        }

        PrintStructure(structure);

        var retrieval = new List<RetrievalResult>();
        if (!line.Has("no-retrieval"))
        {
            if (!File.Exists(questionsPath))
            {
                throw new UsageException($"No question set at '{questionsPath}' (--questions FILE, or --no-retrieval).");
            }

            var questions = ReadQuestions(questionsPath);
            foreach (var config in configs)
            {
                foreach (var header in new[] { false, true })
                {
                    retrieval.Add(await MeasureRetrievalAsync(services, rag, modelName, config with { Options = config.Options with { ContextualHeader = header } },
                        parsed.Select(p => p.Doc).ToList(), questions, ct));
                }
            }

            PrintRetrieval(retrieval);
        }

        var report = new ChunkEvalReport(Path.GetFullPath(root), modelName, maxTokens, threshold, parsed.Count, structure, retrieval, DateTimeOffset.UtcNow, Environment.ProcessorCount);
        var outDir = line.Get("out") ?? Path.Combine("eval", "runs");
        Directory.CreateDirectory(outDir);
        var stem = Path.Combine(outDir, $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-chunks-{modelName}-{maxTokens}");
        await File.WriteAllTextAsync(stem + ".json", JsonSerializer.Serialize(report, Json), ct);
        await File.WriteAllTextAsync(stem + ".md", ToMarkdown(report), ct);
        AnsiConsole.MarkupLineInterpolated($"Wrote {stem}.json and {stem}.md");
        return 0;
    }

    /// <summary>
    /// <c>--beir DIR</c>: chunks a BEIR corpus the way <c>rag eval</c> ingests it (title as heading, text as
    /// body) with the index defaults and reports how many documents stay one chunk, how many of those
    /// whose text fits the budget do, and what deduplication would link, without embedding anything.
    /// </summary>
    private static async Task<int> SummariseBeirAsync(CommandLine line, string folder, CancellationToken ct)
    {
        await using var services = CliHost.Create(line);
        var rag = services.GetRequiredService<IOptions<RagOptions>>().Value;
        var models = services.GetRequiredService<EmbeddingModelProvider>();
        var modelName = line.Get("model") ?? rag.DefaultEmbeddingModel;
        var model = models.Get(modelName);
        var settings = models.NewIndexSettings(modelName, line.Get("chunk-tokens") is null ? null : line.GetInt("chunk-tokens", 256), null);
        var options = settings.Chunking with { Semantic = false };
        var chunker = new HeadingAwareChunker();
        var dedup = new Ingestion.Dedup.ChunkDeduplicator(settings.Deduplication);
        var parser = new Ingestion.Parsing.Markdown.MarkdownParser();
        int docs = 0, chunks = 0, single = 0, fitting = 0, fittingWhole = 0, duplicates = 0;
        var sizes = new List<int>();
        var clock = Stopwatch.StartNew();
        var temp = Path.Combine(Path.GetTempPath(), $"rag-beir-{Environment.ProcessId}.md");

        // --compare-catalog DB: an index catalog built from the same corpus by another version of the
        // chunker; a chunk whose text it holds (whitespace aside, which neither BM25 nor the WordPiece
        // tokenizer sees) was cut identically.
        var previous = new HashSet<string>(StringComparer.Ordinal);
        if (line.Get("compare-catalog") is { } catalogPath)
        {
            using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={catalogPath};Mode=ReadOnly");
            connection.Open();
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "SELECT text FROM chunks";
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                previous.Add(ChunkQuality.Normalise(reader.GetString(0)));
            }
        }

        var same = 0;
        await foreach (var doc in new RagService.Evaluation.Retrieval.BeirDataset(folder).ReadCorpusAsync(ct))
        {
            var markdown = string.IsNullOrWhiteSpace(doc.Title) ? doc.Text : $"# {doc.Title.ReplaceLineEndings(" ")}\n\n{doc.Text}";
            await File.WriteAllTextAsync(temp, markdown, ct);
            var tree = await parser.ParseAsync(new DocumentSource(temp, doc.Id + ".md", DocumentFormat.Markdown), ct);
            var drafts = await chunker.ChunkAsync(tree, options, model, ct);
            docs++;
            chunks += drafts.Count;
            single += drafts.Count == 1 ? 1 : 0;
            if (model.CountTokens(doc.Text) <= options.MaxTokens)
            {
                fitting++;
                fittingWhole += drafts.Count == 1 ? 1 : 0;
            }

            sizes.AddRange(drafts.Select(d => d.TokenCount));
            var asChunks = drafts.Select((d, i) => new Chunk
            {
                Id = $"{doc.Id}#{i}", DocumentId = doc.Id, DocumentVersion = 1, Ordinal = i, Text = d.Text, IndexText = d.Text,
                ContentHash = ChunkIdentity.ContentHash(d.Text),
            }).ToList();
            same += asChunks.Count(c => previous.Contains(ChunkQuality.Normalise(c.Text)));
            var marked = await dedup.MarkAsync(doc.Id, asChunks, ct);
            duplicates += marked.ExactDuplicates + marked.NearDuplicates;
        }

        File.Delete(temp);
        AnsiConsole.MarkupLineInterpolated($"{docs} documents → {chunks} chunks in {clock.Elapsed.TotalSeconds:0.0} s (chunking + dedup, no embedding); one chunk: {single} ({single / (double)Math.Max(1, docs):P1}); text within the {options.MaxTokens}-token budget kept whole: {fittingWhole}/{fitting}; duplicates linked: {duplicates}; tokens min/p50/p95/max {sizes.Min()}/{ChunkQuality.Percentile(sizes, 0.5)}/{ChunkQuality.Percentile(sizes, 0.95)}/{sizes.Max()}");
        if (previous.Count > 0)
        {
            AnsiConsole.MarkupLineInterpolated($"Identical to the compared catalog: {same} of {chunks} chunks (it holds {previous.Count} chunks).");
        }
        return 0;
    }

    private static List<EvalDocument> Discover(string root)
    {
        var docs = new List<EvalDocument>();
        var pdf = Path.Combine(root, "docling", "pdf");
        if (Directory.Exists(Path.Combine(pdf, "sources")))
        {
            docs.AddRange(Directory.EnumerateFiles(Path.Combine(pdf, "sources"), "*.pdf").Order(StringComparer.Ordinal)
                .Select(f => new EvalDocument(f, Path.Combine(pdf, "groundtruth", Path.GetFileNameWithoutExtension(f) + ".md"), "pdf")));
        }

        var docx = Path.Combine(root, "docling", "docx");
        if (Directory.Exists(Path.Combine(docx, "sources")))
        {
            docs.AddRange(Directory.EnumerateFiles(Path.Combine(docx, "sources"), "*.docx").Order(StringComparer.Ordinal)
                .Select(f => new EvalDocument(f, Path.Combine(docx, "groundtruth", Path.GetFileName(f) + ".md"), "docx")));
        }

        return docs.Where(d => File.Exists(d.GroundTruthPath)).ToList();
    }

    private static DocumentFormat FormatOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".pdf" => DocumentFormat.Pdf,
        ".docx" => DocumentFormat.Docx,
        _ => DocumentFormat.Unknown,
    };

    private static async Task<StructureResult> MeasureStructureAsync(
        Config config, string treeName, IReadOnlyList<(EvalDocument Doc, DocumentTree Tree)> trees, Core.Models.IEmbeddingModel model,
        IReadOnlyList<(EvalDocument Doc, DocumentTree Source, DocumentTree Truth)> parsed, bool details, CancellationToken ct)
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
        foreach (var (doc, tree) in trees)
        {
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
            if (details)
            {
                foreach (var end in quality.BrokenEnds)
                {
                    Console.WriteLine($"[{config.Name} / {treeName}] {doc.FileName}: mid-sentence end {end.ReplaceLineEndings(" ")}");
                }
            }

            if (doc.Kind == "docx" && treeName == "parsed sources")
            {
                var truth = parsed.First(p => p.Doc == doc).Truth;
                var mismatches = new List<string>();
                var (f, i, u) = ChunkQuality.SectionPathAccuracy(tree, drafts, truth, mismatches);
                if (details)
                {
                    mismatches.ForEach(m => Console.WriteLine($"[{config.Name}] {doc.FileName}: section path {m}"));
                }

                fullPath += f;
                innermost += i;
                unlocated += u;
            }
        }

        return new StructureResult(config.Name, treeName, trees.Count, chunks, tables, lists, boundaries, sentences,
            treeName == "parsed sources" ? fullPath : null, treeName == "parsed sources" ? innermost : null, unlocated,
            sizes.Count == 0 ? 0 : sizes.Min(), ChunkQuality.Percentile(sizes, 0.5), ChunkQuality.Percentile(sizes, 0.95),
            sizes.Count == 0 ? 0 : sizes.Max(), clock.Elapsed.TotalSeconds);
    }

    private static List<Question> ReadQuestions(string path)
    {
        var list = new List<Question>();
        foreach (var raw in File.ReadLines(path).Where(l => l.Trim().Length > 0))
        {
            using var json = JsonDocument.Parse(raw);
            var r = json.RootElement;
            list.Add(new Question(r.GetProperty("id").GetString()!, r.GetProperty("file").GetString()!, r.GetProperty("question").GetString()!,
                r.GetProperty("section").GetString()!, r.GetProperty("evidence").GetString()!, r.TryGetProperty("kind", out var k) ? k.GetString()! : "section"));
        }

        return list;
    }

    private static async Task<RetrievalResult> MeasureRetrievalAsync(
        IServiceProvider services, RagOptions rag, string modelName, Config config, IReadOnlyList<EvalDocument> documents,
        IReadOnlyList<Question> questions, CancellationToken ct)
    {
        var registry = services.GetRequiredService<IndexRegistry>();
        var models = services.GetRequiredService<EmbeddingModelProvider>();
        var ingestor = services.GetRequiredService<DocumentIngestor>();
        var search = services.GetRequiredService<SearchService>();
        var o = config.Options;
        var name = $"chunks-{config.Name.Replace('+', '-')}-{(o.ContextualHeader ? "hdr" : "nohdr")}-{o.MaxTokens}-{(int)Math.Round(o.SemanticThreshold * 100)}";
        registry.Delete(name);
        var settings = models.NewIndexSettings(modelName, o.MaxTokens, o.ContextualHeader) with { Chunking = o };
        var store = registry.Create(name, settings).Store;
        foreach (var doc in documents)
        {
            await using var stream = File.OpenRead(doc.SourcePath);
            var received = await BlobStore.StoreAsync(stream, doc.FileName, registry.BlobFolder(name), rag.MaxUploadBytes, ct);
            await DocumentIntake.AdmitAsync(store, received, doc.DocumentId, new Dictionary<string, string>(), rag.MaxUploadBytes, ct);
        }

        var clock = Stopwatch.StartNew();
        var ingestion = await ingestor.DrainAsync(store, rag.MaxDocumentsPerCommit, rag.IngestionParallelism, null, ct);
        clock.Stop();

        var byFile = documents.ToDictionary(d => d.FileName, d => d.DocumentId, StringComparer.OrdinalIgnoreCase);
        var hit1 = 0;
        var hit5 = 0;
        var reciprocal = 0.0;
        var misses = new List<string>();
        foreach (var q in questions)
        {
            var response = await search.SearchAsync(store, new SearchRequest { Query = q.Question_, TopK = 10, Mode = SearchMode.Hybrid }, ct);
            var documentId = byFile.GetValueOrDefault(q.File) ?? q.File;
            var evidence = ChunkQuality.Normalise(q.Evidence);
            var rank = response.Hits.Select((h, i) => (h, i)).FirstOrDefault(x =>
                x.h.Chunk.DocumentId == documentId && ChunkQuality.Normalise(x.h.Chunk.Text).Contains(evidence, StringComparison.Ordinal)).i + 1;
            var found = response.Hits.Select((h, i) => (h, i)).Any(x =>
                x.h.Chunk.DocumentId == documentId && ChunkQuality.Normalise(x.h.Chunk.Text).Contains(evidence, StringComparison.Ordinal));
            if (!found)
            {
                misses.Add(q.Id);
                continue;
            }

            hit1 += rank == 1 ? 1 : 0;
            hit5 += rank <= 5 ? 1 : 0;
            reciprocal += 1.0 / rank;
        }

        var n = Math.Max(1, questions.Count);
        return new RetrievalResult(config.Name, o.ContextualHeader, questions.Count, (await store.Jobs.ListAsync(0, 1000, ct)).Sum(d => d.ChunkCount),
            hit1 / (double)n, hit5 / (double)n, reciprocal / n, misses,
            ingestion.Parse.TotalSeconds, ingestion.Chunking.TotalSeconds, ingestion.Dedup.TotalSeconds, ingestion.Embed.TotalSeconds,
            ingestion.Write.TotalSeconds, clock.Elapsed.TotalSeconds, ingestion.Duplicates);
    }

    private static void PrintStructure(IReadOnlyList<StructureResult> results)
    {
        var table = new Table().Title("Chunk structure").AddColumns("chunking", "trees", "docs", "chunks", "tables intact", "lists intact",
            "boundaries in a sentence", "sentences split", "section path (DOCX)", "innermost (DOCX)", "tokens min/p50/p95/max");
        foreach (var r in results)
        {
            table.AddRow(r.Chunking, r.Trees, r.Documents.ToString(CultureInfo.InvariantCulture), r.Chunks.ToString(CultureInfo.InvariantCulture),
                Rate(r.TablesIntact), Rate(r.ListsIntact), Rate(Invert(r.BoundariesBetweenSentences)), Rate(Invert(r.SentencesWhole)),
                r.SectionPath is null ? "-" : Rate(r.SectionPath), r.InnermostSection is null ? "-" : Rate(r.InnermostSection),
                $"{r.MinTokens}/{r.P50Tokens}/{r.P95Tokens}/{r.MaxTokens}");
        }

        AnsiConsole.Write(table);
    }

    private static void PrintRetrieval(IReadOnlyList<RetrievalResult> results)
    {
        var table = new Table().Title("Retrieval on the question set (hybrid, top 10)").AddColumns("chunking", "header", "chunks",
            "section-hit@1", "section-hit@5", "MRR@10", "chunk+dedup / embed");
        foreach (var r in results)
        {
            table.AddRow(r.Chunking, r.ContextualHeader ? "yes" : "no", r.Chunks.ToString(CultureInfo.InvariantCulture), F(r.HitAt1), F(r.HitAt5), F(r.Mrr),
                $"{r.ChunkSeconds + r.DedupSeconds:0.00} s / {r.EmbedSeconds:0.0} s");
        }

        AnsiConsole.Write(table);
    }

    private static QualityCount Invert(QualityCount c) => new(c.Total - c.Passed, c.Total);

    private static string Rate(QualityCount c) => $"{c.Rate:P1} ({c.Passed}/{c.Total})";

    private static string F(double v) => v.ToString("0.000", CultureInfo.InvariantCulture);

    private static string ToMarkdown(ChunkEvalReport r)
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"# Chunking evaluation: {r.Documents} documents, model `{r.Model}`, budget {r.MaxTokens} tokens, semantic threshold {r.SemanticThreshold:0.00}");
        sb.AppendLine();
        sb.AppendLine("| chunking | trees | chunks | tables intact | lists intact | boundaries inside a sentence | sentences split | section path (DOCX) | innermost section (DOCX) | tokens min / p50 / p95 / max | chunking s |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var s in r.Structure)
        {
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {s.Chunking} | {s.Trees} | {s.Chunks} | {Rate(s.TablesIntact)} | {Rate(s.ListsIntact)} | {Rate(Invert(s.BoundariesBetweenSentences))} | {Rate(Invert(s.SentencesWhole))} | {(s.SectionPath is null ? "-" : Rate(s.SectionPath))} | {(s.InnermostSection is null ? "-" : Rate(s.InnermostSection))} | {s.MinTokens} / {s.P50Tokens} / {s.P95Tokens} / {s.MaxTokens} | {s.ChunkSeconds:0.00} |");
        }

        if (r.Retrieval.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("| chunking | contextual header | chunks | section-hit@1 | section-hit@5 | MRR@10 | parse+chunk s | chunk s | dedup s | embed s | write s | (chunk+dedup)/embed | duplicates |");
            sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
            foreach (var q in r.Retrieval)
            {
                sb.AppendLine(CultureInfo.InvariantCulture,
                    $"| {q.Chunking} | {(q.ContextualHeader ? "yes" : "no")} | {q.Chunks} | {F(q.HitAt1)} | {F(q.HitAt5)} | {F(q.Mrr)} | {q.ParseSeconds:0.0} | {q.ChunkSeconds:0.00} | {q.DedupSeconds:0.00} | {q.EmbedSeconds:0.0} | {q.WriteSeconds:0.0} | {(q.ChunkSeconds + q.DedupSeconds) / Math.Max(q.EmbedSeconds, 1e-9):P1} | {q.Duplicates} |");
            }
        }

        return sb.ToString();
    }

    private sealed record StructureResult(
        string Chunking, string Trees, int Documents, int Chunks, QualityCount TablesIntact, QualityCount ListsIntact,
        QualityCount BoundariesBetweenSentences, QualityCount SentencesWhole, QualityCount? SectionPath, QualityCount? InnermostSection,
        int Unlocated, int MinTokens, int P50Tokens, int P95Tokens, int MaxTokens, double ChunkSeconds);

    private sealed record RetrievalResult(
        string Chunking, bool ContextualHeader, int Questions, int Chunks, double HitAt1, double HitAt5, double Mrr, IReadOnlyList<string> Misses,
        double ParseSeconds, double ChunkSeconds, double DedupSeconds, double EmbedSeconds, double WriteSeconds, double IngestSeconds, int Duplicates);

    private sealed record ChunkEvalReport(
        string Dataset, string Model, int MaxTokens, double SemanticThreshold, int Documents, IReadOnlyList<StructureResult> Structure,
        IReadOnlyList<RetrievalResult> Retrieval, DateTimeOffset At, int Cores);
}
