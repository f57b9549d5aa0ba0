using System.Diagnostics;
using System.Text;
using RagService.Api.Hosting;
using RagService.Api.Ingestion;
using RagService.Core.Jobs;
using RagService.Evaluation.Retrieval;
using RagService.Indexing;
using RagService.Ingestion.Jobs;

namespace RagService.Api.EvalRuns;

/// <summary>
/// Puts a BEIR corpus into an index through the real pipeline: every document not already ready is stored and
/// queued as Markdown. Then <c>rag eval</c> drains the queue itself (<see cref="IngestPendingAsync"/>, the same ingestor
/// the API's worker runs; no worker runs in the CLI), while a run started in the service (<see cref="EvalRunner"/>) leaves
/// it to the service's worker and waits.
/// </summary>
public static class BeirCorpusIngestion
{
    /// <summary>
    /// Title as the document's heading, text as its body: the Markdown parser makes the title the document
    /// title, so the contextual header carries it into BM25 and the embedding.
    /// </summary>
    public static string AsMarkdown(BeirDocument doc)
    {
        ArgumentNullException.ThrowIfNull(doc);
        return string.IsNullOrWhiteSpace(doc.Title) ? doc.Text : $"# {doc.Title.ReplaceLineEndings(" ")}\n\n{doc.Text}";
    }

    /// <summary>
    /// Stores and queues the corpus documents the index does not hold yet; returns the corpus size. Reports the
    /// documents read so far to <paramref name="progress"/> every hundred documents and at the end.
    /// </summary>
    public static async Task<int> StoreCorpusAsync(
        IndexRegistry registry, IndexStore store, BeirDataset dataset, long maxUploadBytes, IProgress<int>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(dataset);
        var known = await store.Jobs.CountAsync(ct);
        var corpusSize = 0;
        await foreach (var doc in dataset.ReadCorpusAsync(ct))
        {
            corpusSize++;
            if (corpusSize % 100 == 0)
            {
                progress?.Report(corpusSize);
            }

            var id = EvalDocumentIds.ToDocumentId(doc.Id);
            if (known > 0 && await store.Jobs.GetAsync(id, ct) is { State: DocumentState.Ready })
            {
                continue;
            }

            using var stream = new MemoryStream(Encoding.UTF8.GetBytes(AsMarkdown(doc)));
            await EvalIntake.AdmitAsync(registry, store, stream, doc.Id + ".md", id, maxUploadBytes, ct);
        }

        progress?.Report(corpusSize);
        return corpusSize;
    }

    /// <summary>Ingests every queued document in batches and reports the throughput over the wall time it took.</summary>
    public static async Task<IngestionStats> IngestPendingAsync(
        DocumentIngestor ingestor, IndexStore store, RagOptions options, IProgress<IngestionBatchReport>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(ingestor);
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        var totals = await ingestor.DrainAsync(store, options.MaxDocumentsPerCommit, options.IngestionParallelism, progress, ct);
        return IngestionStats.From(totals, clock.Elapsed.TotalSeconds);
    }
}
