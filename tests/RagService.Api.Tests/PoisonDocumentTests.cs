using RagService.Api.Hosting;
using RagService.Api.Ingestion;
using RagService.Core.Documents;
using RagService.Core.Jobs;
using RagService.Core.Models;
using RagService.Indexing;
using RagService.Ingestion;
using RagService.Ingestion.Jobs;

namespace RagService.Api.Tests;

/// <summary>
/// Poison documents on the real catalog: attempts are persisted before work starts, a document that
/// hangs its parser or kept killing the process is retried alone and failed past the limit, and the
/// queue moves on around it.
/// </summary>
public sealed class PoisonDocumentTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly IndexRegistry _registry;
    private readonly EmbeddingModelProvider _models;
    private readonly IndexStore _store;

    public PoisonDocumentTests()
    {
        var data = _dir.File("data");
        _registry = new IndexRegistry(data, EmbeddedBackends.Create());
        _models = new EmbeddingModelProvider(new RagOptions { DataDirectory = data });
        _store = _registry.Create("kb", _models.NewIndexSettings("minilm", null, null)).Store;
    }

    [Fact]
    public async Task A_document_that_hangs_its_parser_is_retried_alone_then_failed_while_the_others_become_ready()
    {
        await EnqueueAsync("good-1", "poison", "good-2");
        var pipeline = Pipeline(new HangingChunking(new DocumentChunking(IngestionPipeline.CreateDefault()), "poison"));
        var target = Target(new IngestionLimits { ParseTimeout = TimeSpan.FromMilliseconds(1500), MaxAttempts = 3 });

        var first = await pipeline.IngestPendingAsync(target, 64, 2, CancellationToken.None);
        Assert.Equal((2, 0, 1), (first.Ready, first.Failed, first.Retrying));
        Assert.Equal(1, (await _store.Jobs.GetAsync("poison", CancellationToken.None))!.Attempts);

        var rest = await pipeline.DrainAsync(target, 64, 2, null, CancellationToken.None);

        var poison = (await _store.Jobs.GetAsync("poison", CancellationToken.None))!;
        Assert.Equal(DocumentState.Failed, poison.State);
        Assert.Equal(3, poison.Attempts);
        Assert.Contains("crashed or timed out 3 times", poison.Error, StringComparison.Ordinal);
        Assert.Contains("Rag:ParseTimeout", poison.Error, StringComparison.Ordinal);
        Assert.Equal(1, rest.Failed);
        Assert.Equal(DocumentState.Ready, (await _store.Jobs.GetAsync("good-1", CancellationToken.None))!.State);
        Assert.Equal(DocumentState.Ready, (await _store.Jobs.GetAsync("good-2", CancellationToken.None))!.State);
    }

    [Fact]
    public async Task A_document_whose_attempts_never_finished_is_failed_past_the_limit_without_being_parsed_again()
    {
        await EnqueueAsync("crasher", "innocent");
        var attempts = (IJobAttempts)_store.Jobs;

        // Three starts that never finished: what three process deaths while ingesting it leave behind.
        for (var i = 1; i <= 3; i++)
        {
            Assert.Equal(i, await attempts.BeginAttemptAsync("crasher", 1, CancellationToken.None));
        }

        var pipeline = Pipeline(new HangingChunking(new DocumentChunking(IngestionPipeline.CreateDefault()), "crasher", fail: true));
        await pipeline.DrainAsync(Target(new IngestionLimits()), 64, 2, null, CancellationToken.None);

        var crasher = (await _store.Jobs.GetAsync("crasher", CancellationToken.None))!;
        Assert.Equal(DocumentState.Failed, crasher.State);
        Assert.Contains("crashed or timed out 3 times", crasher.Error, StringComparison.Ordinal);
        Assert.Equal(DocumentState.Ready, (await _store.Jobs.GetAsync("innocent", CancellationToken.None))!.State);
    }

    [Fact]
    public async Task A_document_started_before_and_never_finished_goes_alone_and_new_uploads_reset_the_count()
    {
        await EnqueueAsync("a", "suspect", "c");
        await ((IJobAttempts)_store.Jobs).BeginAttemptAsync("suspect", 1, CancellationToken.None);
        var pipeline = Pipeline(new DocumentChunking(IngestionPipeline.CreateDefault()));

        var alone = await pipeline.IngestPendingAsync(Target(new IngestionLimits()), 64, 2, CancellationToken.None);

        Assert.Equal(1, alone.Ready);
        var ready = (await _store.Jobs.GetAsync("suspect", CancellationToken.None))!;
        Assert.Equal((DocumentState.Ready, 0), (ready.State, ready.Attempts));
        Assert.Equal(DocumentState.Queued, (await _store.Jobs.GetAsync("a", CancellationToken.None))!.State);

        await EnqueueAsync(("suspect", "A new version of the suspect document about walrus migrations."));
        Assert.Equal(0, (await _store.Jobs.GetAsync("suspect", CancellationToken.None))!.Attempts);
    }

    [Fact]
    public async Task A_document_over_the_page_limit_fails_with_its_page_count()
    {
        var pdf = _dir.File("policy.pdf");
        RagService.TestSupport.TestDocuments.WritePdf(pdf);
        await EnqueueFileAsync("policy", pdf, DocumentFormat.Pdf);
        var pipeline = Pipeline(new DocumentChunking(IngestionPipeline.CreateDefault()));

        await pipeline.DrainAsync(Target(new IngestionLimits { MaxPages = 1 }), 64, 1, null, CancellationToken.None);

        var status = (await _store.Jobs.GetAsync("policy", CancellationToken.None))!;
        Assert.Equal(DocumentState.Failed, status.State);
        Assert.Equal("parsing", status.FailedStep);
        Assert.Matches(@"The document has \d+ pages; the limit is 1 \(setting Rag:MaxPagesPerDocument\)", status.Error);
    }

    private static DocumentIngestionPipeline Pipeline(IDocumentChunking chunking) =>
        new(chunking, new DuplicateMarking(), new BatchedChunkEmbedding(), new SlicedSecondStageEmbedding());

    private IngestionTarget Target(IngestionLimits limits) =>
        new(_store.Name, _store.Jobs, _store.Duplicates, _store, () => _models.Get("minilm"))
        {
            Chunking = _store.Settings.Chunking,
            Attempts = (IJobAttempts)_store.Jobs,
            Limits = limits,
        };

    private Task EnqueueAsync(params string[] ids) =>
        EnqueueAsync(ids.Select(id => (id, $"# {id}\n\nThe {id} document describes the maintenance of turbine {id.Length * 7}.\n")).ToArray());

    private async Task EnqueueAsync(params (string Id, string Text)[] documents)
    {
        foreach (var (id, text) in documents)
        {
            var path = _dir.File(id + ".md");
            await File.WriteAllTextAsync(path, text);
            await EnqueueFileAsync(id, path, DocumentFormat.Markdown);
        }
    }

    private async Task EnqueueFileAsync(string id, string path, DocumentFormat format)
    {
        await using var stream = File.OpenRead(path);
        var received = await BlobStore.StoreAsync(stream, Path.GetFileName(path), _registry.BlobFolder("kb"), long.MaxValue, CancellationToken.None);
        await _store.Jobs.EnqueueAsync(
            new DocumentUpload(id, Path.GetFileName(path), received.BlobPath!, received.ContentHash, received.SizeBytes, format, new Dictionary<string, string>()),
            CancellationToken.None);
    }

    /// <summary>The real parse-and-chunk step, except for one document: it hangs ignoring its token, or throws as a crash stand-in must never be reached.</summary>
    private sealed class HangingChunking(IDocumentChunking inner, string poison, bool fail = false) : IDocumentChunking
    {
        public Task<ChunkedDocument> ChunkAsync(IngestionTarget target, DocumentStatus document, IEmbeddingModel model, CancellationToken ct)
        {
            if (document.DocumentId != poison)
            {
                return inner.ChunkAsync(target, document, model, ct);
            }

            if (fail)
            {
                throw new InvalidOperationException("A document past its attempt limit was parsed again.");
            }

            Thread.Sleep(TimeSpan.FromSeconds(3));
            return inner.ChunkAsync(target, document, model, ct);
        }
    }

    public void Dispose()
    {
        _registry.Dispose();
        _models.Dispose();
        _dir.Dispose();
    }
}
