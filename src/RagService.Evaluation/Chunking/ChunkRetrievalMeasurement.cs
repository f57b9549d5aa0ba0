using RagService.Api.EvalRuns;
using System.Diagnostics;
using RagService.Api.Hosting;
using RagService.Api.Ingestion;
using RagService.Api.Querying;
using RagService.Core.Search;
using RagService.Indexing;

namespace RagService.Evaluation.Chunking;

/// <summary>
/// The retrieval half of <c>rag eval-chunks</c>: for each chunking, with and without the contextual header,
/// ingests the documents into a fresh index through the real pipeline and asks every question by hybrid
/// search (top 10). A question is found at the first hit from its file whose text holds its evidence;
/// reports section-hit@1/@5, MRR@10 and the ingestion stage times.
/// </summary>
public sealed class ChunkRetrievalMeasurement(
    IndexRegistry registry, EmbeddingModelProvider models, DocumentIngestor ingestor, SearchService search, RagOptions options)
{
    public async Task<IReadOnlyList<ChunkRetrievalResult>> MeasureAsync(
        string modelName, IReadOnlyList<ChunkingConfig> configs, IReadOnlyList<ChunkEvalDocument> documents, IReadOnlyList<ChunkQuestion> questions, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(configs);
        var results = new List<ChunkRetrievalResult>();
        foreach (var config in configs)
        {
            foreach (var header in new[] { false, true })
            {
                results.Add(await MeasureAsync(modelName, config with { Options = config.Options with { ContextualHeader = header } }, documents, questions, ct));
            }
        }

        return results;
    }

    private async Task<ChunkRetrievalResult> MeasureAsync(
        string modelName, ChunkingConfig config, IReadOnlyList<ChunkEvalDocument> documents, IReadOnlyList<ChunkQuestion> questions, CancellationToken ct)
    {
        var o = config.Options;
        var name = $"chunks-{config.Name.Replace('+', '-')}-{(o.ContextualHeader ? "hdr" : "nohdr")}-{o.MaxTokens}-{(int)Math.Round(o.SemanticThreshold * 100)}";
        registry.Delete(name);
        var settings = models.NewIndexSettings(modelName, o.MaxTokens, o.ContextualHeader) with { Chunking = o };
        var store = registry.Create(name, settings).Store;
        foreach (var doc in documents)
        {
            await using var stream = File.OpenRead(doc.SourcePath);
            await EvalIntake.AdmitAsync(registry, store, stream, doc.FileName, doc.DocumentId, options.MaxUploadBytes, ct);
        }

        var clock = Stopwatch.StartNew();
        var ingestion = await ingestor.DrainAsync(store, options.MaxDocumentsPerCommit, options.IngestionParallelism, null, ct);
        clock.Stop();

        var byFile = documents.ToDictionary(d => d.FileName, d => d.DocumentId, StringComparer.OrdinalIgnoreCase);
        var hit1 = 0;
        var hit5 = 0;
        var reciprocal = 0.0;
        var misses = new List<string>();
        foreach (var q in questions)
        {
            var response = await search.SearchAsync(store, new SearchRequest { Query = q.Text, TopK = 10, Mode = SearchMode.Hybrid }, ct);
            var documentId = byFile.GetValueOrDefault(q.File) ?? q.File;
            var evidence = ChunkQuality.Normalise(q.Evidence);
            var rank = 0;
            for (var i = 0; i < response.Hits.Count; i++)
            {
                var chunk = response.Hits[i].Chunk;
                if (chunk.DocumentId == documentId && ChunkQuality.Normalise(chunk.Text).Contains(evidence, StringComparison.Ordinal))
                {
                    rank = i + 1;
                    break;
                }
            }

            if (rank == 0)
            {
                misses.Add(q.Id);
                continue;
            }

            hit1 += rank == 1 ? 1 : 0;
            hit5 += rank <= 5 ? 1 : 0;
            reciprocal += 1.0 / rank;
        }

        var n = Math.Max(1, questions.Count);
        return new ChunkRetrievalResult(config.Name, o.ContextualHeader, questions.Count, (await store.Jobs.ListAsync(0, 1000, ct)).Sum(d => d.ChunkCount),
            hit1 / (double)n, hit5 / (double)n, reciprocal / n, misses,
            ingestion.Parse.TotalSeconds, ingestion.Chunking.TotalSeconds, ingestion.Dedup.TotalSeconds, ingestion.Embed.TotalSeconds,
            ingestion.Write.TotalSeconds, clock.Elapsed.TotalSeconds, ingestion.Duplicates);
    }
}
