using RagService.Api.EvalRuns;
using System.Diagnostics;
using Microsoft.Data.Sqlite;
using RagService.Core.Chunks;
using RagService.Core.Documents;
using RagService.Core.Models;
using RagService.Evaluation.Retrieval;
using RagService.Indexing;
using RagService.Ingestion.Chunking;
using RagService.Ingestion.Dedup;
using RagService.Ingestion.Parsing.Markdown;

namespace RagService.Evaluation.Chunking;

/// <summary>
/// How a BEIR corpus chunks (<c>rag eval-chunks --beir</c>): how many documents stay one chunk, how many
/// of those whose text fits the budget do, what deduplication links, the chunk size distribution and,
/// against a catalog built by another chunker version, how many chunks were cut identically.
/// </summary>
public sealed record BeirChunkingSummary(
    int Documents, int Chunks, int SingleChunk, int TextWithinBudget, int TextWithinBudgetKeptWhole, int Duplicates,
    int MinTokens, int P50Tokens, int P95Tokens, int MaxTokens, int BudgetTokens, double Seconds, int IdenticalToCompared, int ComparedChunks)
{
    /// <summary>
    /// Chunks the corpus the way <c>rag eval</c> ingests it (<see cref="BeirCorpusIngestion.AsMarkdown"/>) with
    /// the index defaults, semantic splitting off, and deduplicates it, without embedding anything.
    /// <paramref name="compareCatalogPath"/>: an index catalog built from the same corpus by another version of the chunker.
    /// </summary>
    public static async Task<BeirChunkingSummary> MeasureAsync(
        BeirDataset dataset, IEmbeddingModel model, IndexSettings settings, string? compareCatalogPath, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(settings);
        var options = settings.Chunking with { Semantic = false };
        var chunker = new HeadingAwareChunker();
        var dedup = new ChunkDeduplicator(settings.Deduplication);
        var parser = new MarkdownParser();
        int docs = 0, chunks = 0, single = 0, fitting = 0, fittingWhole = 0, duplicates = 0, same = 0;
        var sizes = new List<int>();
        var clock = Stopwatch.StartNew();
        var temp = Path.Combine(Path.GetTempPath(), $"rag-beir-{Environment.ProcessId}.md");
        HashSet<string> previous = compareCatalogPath is null ? [] : ReadCatalogChunks(compareCatalogPath);
        await foreach (var doc in dataset.ReadCorpusAsync(ct))
        {
            await File.WriteAllTextAsync(temp, BeirCorpusIngestion.AsMarkdown(doc), ct);
            var tree = await parser.ParseAsync(new DocumentSource(temp, doc.Id + ".md", Core.Documents.DocumentFormat.Markdown), ct);
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
        return new BeirChunkingSummary(docs, chunks, single, fitting, fittingWhole, duplicates,
            sizes.Min(), ChunkQuality.Percentile(sizes, 0.5), ChunkQuality.Percentile(sizes, 0.95), sizes.Max(), options.MaxTokens,
            clock.Elapsed.TotalSeconds, same, previous.Count);
    }

    /// <summary>
    /// The compared catalog's chunk texts, normalised: a chunk whose text it holds (whitespace aside, which
    /// neither BM25 nor the WordPiece tokenizer sees) was cut identically.
    /// </summary>
    private static HashSet<string> ReadCatalogChunks(string catalogPath)
    {
        var previous = new HashSet<string>(StringComparer.Ordinal);
        using var connection = new SqliteConnection($"Data Source={catalogPath};Mode=ReadOnly");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT text FROM chunks";
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            previous.Add(ChunkQuality.Normalise(reader.GetString(0)));
        }

        return previous;
    }
}
