using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RagService.Api.Hosting;
using RagService.Api.Ingestion;
using RagService.Api.Querying;
using RagService.Core.Options;
using RagService.Evaluation.Chunking;
using RagService.Evaluation.Retrieval;
using RagService.Indexing;
using Spectre.Console;
using static RagService.Evaluation.Chunking.ChunkEvalReportMarkdown;

namespace RagService.Cli.Commands;

/// <summary>
/// <c>rag eval-chunks</c>: measures the chunker on the shared documents with ground truth.
/// Structure: table-intact, list-intact and broken-sentence rates and the size distribution for the
/// fixed-size baseline, structure-only and structure + semantic chunking, on the parsed sources and on
/// the ground-truth Markdown itself; section-path accuracy of DOCX chunks against the ground truth.
/// Retrieval: a question set with gold sections (eval/chunking-questions.jsonl), section-hit@1/@5 and
/// MRR@10 for each chunking with and without the contextual header, through the real ingestion and
/// hybrid search; and the share of ingestion time spent chunking and deduplicating next to embedding.
/// The measurements are <see cref="ChunkEvaluation"/> and <see cref="ChunkRetrievalMeasurement"/>.
/// </summary>
public static class EvalChunksCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static async Task<int> RunAsync(CommandLine line, CancellationToken ct)
    {
        if (line.Get("beir") is { } beir)
        {
            return await SummariseBeirAsync(line, beir, ct);
        }

        var root = line.Require("dataset");
        var documents = ChunkEvaluation.Discover(root);
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
        var configs = ChunkEvaluation.ComparedChunkings(maxTokens, threshold);

        var parsed = await ChunkEvaluation.ParseAsync(documents, (doc, reason) => AnsiConsole.MarkupLineInterpolated($"[yellow]{doc.FileName}: {reason} (skipped)[/]"), ct);
        var structure = await ChunkEvaluation.MeasureStructureAsync(configs, parsed, model, line.Has("details") ? Console.WriteLine : (Action<string>?)null, ct);
        PrintStructure(structure);

        IReadOnlyList<ChunkRetrievalResult> retrieval = [];
        if (!line.Has("no-retrieval"))
        {
            if (!File.Exists(questionsPath))
            {
                throw new UsageException($"No question set at '{questionsPath}' (--questions FILE, or --no-retrieval).");
            }

            var measurement = new ChunkRetrievalMeasurement(
                services.GetRequiredService<IndexRegistry>(), models, services.GetRequiredService<DocumentIngestor>(), services.GetRequiredService<SearchService>(), rag);
            retrieval = await measurement.MeasureAsync(modelName, configs, parsed.Select(p => p.Document).ToList(), ChunkEvaluation.ReadQuestions(questionsPath), ct);
            PrintRetrieval(retrieval);
        }

        var report = new ChunkEvalReport(Path.GetFullPath(root), modelName, maxTokens, threshold, parsed.Count, structure, retrieval, DateTimeOffset.UtcNow, Environment.ProcessorCount);
        var outDir = line.Get("out") ?? Path.Combine("eval", "runs");
        Directory.CreateDirectory(outDir);
        var stem = Path.Combine(outDir, $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-chunks-{modelName}-{maxTokens}");
        await File.WriteAllTextAsync(stem + ".json", JsonSerializer.Serialize(report, Json), ct);
        await File.WriteAllTextAsync(stem + ".md", Render(report), ct);
        AnsiConsole.MarkupLineInterpolated($"Wrote {stem}.json and {stem}.md");
        return 0;
    }

    /// <summary><c>--beir DIR</c>: how the corpus chunks with the index defaults (<see cref="BeirChunkingSummary"/>), printed as two lines.</summary>
    private static async Task<int> SummariseBeirAsync(CommandLine line, string folder, CancellationToken ct)
    {
        await using var services = CliHost.Create(line);
        var rag = services.GetRequiredService<IOptions<RagOptions>>().Value;
        var models = services.GetRequiredService<EmbeddingModelProvider>();
        var modelName = line.Get("model") ?? rag.DefaultEmbeddingModel;
        var settings = models.NewIndexSettings(modelName, line.Get("chunk-tokens") is null ? null : line.GetInt("chunk-tokens", 256), null);
        var s = await BeirChunkingSummary.MeasureAsync(new BeirDataset(folder), models.Get(modelName), settings, line.Get("compare-catalog"), ct);
        AnsiConsole.MarkupLineInterpolated($"{s.Documents} documents → {s.Chunks} chunks in {s.Seconds:0.0} s (chunking + dedup, no embedding); one chunk: {s.SingleChunk} ({s.SingleChunk / (double)Math.Max(1, s.Documents):P1}); text within the {s.BudgetTokens}-token budget kept whole: {s.TextWithinBudgetKeptWhole}/{s.TextWithinBudget}; duplicates linked: {s.Duplicates}; tokens min/p50/p95/max {s.MinTokens}/{s.P50Tokens}/{s.P95Tokens}/{s.MaxTokens}");
        if (s.ComparedChunks > 0)
        {
            AnsiConsole.MarkupLineInterpolated($"Identical to the compared catalog: {s.IdenticalToCompared} of {s.Chunks} chunks (it holds {s.ComparedChunks} chunks).");
        }

        return 0;
    }

    private static void PrintStructure(IReadOnlyList<ChunkStructureResult> results)
    {
        var table = new Table().Title("Chunk structure").AddColumns("chunking", "trees", "docs", "chunks", "tables intact", "lists intact",
            "boundaries in a sentence", "sentences split", "section path (DOCX)", "innermost (DOCX)", "tokens min/p50/p95/max");
        foreach (var r in results)
        {
            table.AddRow(r.Chunking, r.Trees, r.Documents.ToString(CultureInfo.InvariantCulture), r.Chunks.ToString(CultureInfo.InvariantCulture),
                Rate(r.TablesIntact), Rate(r.ListsIntact), Rate(Failed(r.BoundariesBetweenSentences)), Rate(Failed(r.SentencesWhole)),
                OptionalRate(r.SectionPath), OptionalRate(r.InnermostSection), $"{r.MinTokens}/{r.P50Tokens}/{r.P95Tokens}/{r.MaxTokens}");
        }

        AnsiConsole.Write(table);
    }

    private static void PrintRetrieval(IReadOnlyList<ChunkRetrievalResult> results)
    {
        var table = new Table().Title("Retrieval on the question set (hybrid, top 10)").AddColumns("chunking", "header", "chunks",
            "section-hit@1", "section-hit@5", "MRR@10", "chunk+dedup / embed");
        foreach (var r in results)
        {
            table.AddRow(r.Chunking, r.ContextualHeader ? "yes" : "no", r.Chunks.ToString(CultureInfo.InvariantCulture), Score(r.HitAt1), Score(r.HitAt5), Score(r.Mrr),
                $"{r.ChunkSeconds + r.DedupSeconds:0.00} s / {r.EmbedSeconds:0.0} s");
        }

        AnsiConsole.Write(table);
    }
}
