using RagService.Core.Documents;
using RagService.Core.Jobs;
using RagService.Core.Models;
using RagService.Ingestion.Jobs;
using RagService.TestSupport.Conformance;

namespace RagService.Ingestion.Tests.Jobs;

/// <summary>The whole job, bytes to live version, against the Core contracts only (in-memory catalog, recording writer).</summary>
public sealed class DocumentIngestionPipelineTests : IDisposable
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly string _folder = Directory.CreateTempSubdirectory("rag-ingest-").FullName;
    private readonly InMemoryDocumentCatalog _catalog = new();
    private readonly RecordingWriter _writer;
    private readonly DocumentIngestionPipeline _pipeline = DocumentIngestionPipeline.CreateDefault(IngestionPipeline.CreateDefault());

    public DocumentIngestionPipelineTests()
    {
        _writer = new RecordingWriter(_catalog);
    }

    [Fact]
    public async Task Good_documents_go_live_in_one_write_and_a_broken_one_fails_with_its_step()
    {
        await EnqueueAsync("a", "# Backups\n\nBackups are kept for ninety days in the vault.");
        await EnqueueAsync("b", "# Laptops\n\nLaptops are replaced every four years by the desk.");
        await _catalog.Jobs.EnqueueAsync(new DocumentUpload("gone", "gone.md", Path.Combine(_folder, "missing.md"), "h-gone", 1, DocumentFormat.Markdown, new Dictionary<string, string>()), Ct);
        var model = new CountingModel();

        var report = await _pipeline.DrainAsync(Target(model), batchSize: 10, parallelism: 2, progress: null, Ct);

        Assert.Equal((2, 1), (report.Ready, report.Failed));
        var write = Assert.Single(_writer.Writes);
        Assert.Equal(["a", "b"], write.Select(d => d.DocumentId));
        Assert.All(write, d => Assert.Equal(d.Chunks.Count, d.Vectors.Count));
        Assert.Equal(DocumentState.Ready, (await _catalog.Jobs.GetAsync("a", Ct))!.State);
        Assert.Equal("Backups", (await _catalog.Chunks.GetChunksAsync("a", Ct))[0].Title);
        var gone = (await _catalog.Jobs.GetAsync("gone", Ct))!;
        Assert.Equal((DocumentState.Failed, "parsing"), (gone.State, gone.FailedStep));
        Assert.Equal(1, model.Calls);
    }

    [Fact]
    public async Task A_chunk_repeating_an_earlier_document_is_linked_and_not_embedded()
    {
        const string text = "# Policy\n\nEvery laptop must be encrypted with a key held by the security team before use.";
        await EnqueueAsync("first", text);
        await EnqueueAsync("second", text);

        var report = await _pipeline.DrainAsync(Target(new CountingModel()), 10, 1, null, Ct);

        var second = _writer.Writes.Single().Single(d => d.DocumentId == "second");
        Assert.Equal(2, report.Ready);
        Assert.True(report.Duplicates > 0);
        Assert.All(second.Chunks, c => Assert.NotNull(c.DuplicateOf));
        Assert.Empty(second.Vectors);
    }

    [Fact]
    public async Task Chunks_in_a_language_the_model_does_not_cover_are_marked_lexical_only_and_never_embedded()
    {
        await EnqueueAsync("zh", "# 备份策略\n\n备份在保管库中保存九十天，每周测试一次恢复。");
        await EnqueueAsync("en", "# Backups\n\nBackups are kept for ninety days in the vault.");
        var model = new CountingModel();
        var second = new CountingModel();
        var target = Target(model) with { ResolveSecondStageModel = () => second };

        var report = await _pipeline.IngestPendingAsync(target, 10, 1, Ct);

        Assert.Equal(2, report.Ready);
        var chinese = _writer.Writes.Single().Single(d => d.DocumentId == "zh");
        var english = _writer.Writes.Single().Single(d => d.DocumentId == "en");
        Assert.All(chinese.Chunks, c => Assert.True(c.LexicalOnly && c.Language == "zh"));
        Assert.All(english.Chunks, c => Assert.False(c.LexicalOnly));
        Assert.Empty(chinese.Vectors);
        Assert.Equal(english.Chunks.Count, english.Vectors.Count);
        Assert.DoesNotContain(model.Embedded.Concat(second.Embedded), t => t.Contains("备份", StringComparison.Ordinal));
        Assert.True((await _catalog.Chunks.GetChunksAsync("zh", Ct)).All(c => c.LexicalOnly), "the catalog keeps the mark");
    }

    [Fact]
    public async Task A_failing_model_fails_the_batch_at_embedding_and_a_failing_second_model_fails_nothing()
    {
        await EnqueueAsync("a", "# Backups\n\nBackups are kept for ninety days.");
        var failed = await _pipeline.IngestPendingAsync(Target(new CountingModel { Broken = true }), 10, 1, Ct);

        Assert.Equal((0, 1), (failed.Ready, failed.Failed));
        Assert.Equal("embedding", (await _catalog.Jobs.GetAsync("a", Ct))!.FailedStep);
        Assert.Empty(_writer.Writes);

        await EnqueueAsync("b", "# Laptops\n\nLaptops are replaced every four years.");
        var target = Target(new CountingModel()) with { ResolveSecondStageModel = () => new CountingModel { Broken = true } };
        var ready = await _pipeline.IngestPendingAsync(target, 10, 1, Ct);

        Assert.Equal((1, 0, 0), (ready.Ready, ready.Failed, ready.SecondEmbedded));
        Assert.Equal(DocumentState.Ready, (await _catalog.Jobs.GetAsync("b", Ct))!.State);
    }

    [Fact]
    public async Task The_second_stage_model_embeds_every_indexed_text_in_slices()
    {
        await EnqueueAsync("a", "# Backups\n\nBackups are kept for ninety days.\n\n# Restores\n\nRestores are tested weekly.");
        var second = new CountingModel();
        var target = Target(new CountingModel()) with { ResolveSecondStageModel = () => second, SecondStageSlice = 1 };

        var report = await _pipeline.IngestPendingAsync(target, 10, 1, Ct);

        var indexed = _writer.Writes.Single().Single().Chunks.Count;
        Assert.Equal(indexed, report.SecondEmbedded);
        Assert.Equal(indexed, second.Calls);
    }

    [Fact]
    public async Task A_cancelled_run_writes_nothing()
    {
        await EnqueueAsync("a", "# Backups\n\nBackups are kept for ninety days.");
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _pipeline.IngestPendingAsync(Target(new CountingModel()), 10, 1, cancelled.Token));

        Assert.Empty(_writer.Writes);
        Assert.Equal(DocumentState.Queued, (await _catalog.Jobs.GetAsync("a", Ct))!.State);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private IngestionTarget Target(IEmbeddingModel model) =>
        new("kb", _catalog.Jobs, _catalog.Duplicates, _writer, () => model);

    private async Task EnqueueAsync(string id, string markdown)
    {
        var path = Path.Combine(_folder, id + ".md");
        await File.WriteAllTextAsync(path, markdown, Ct);
        await _catalog.Jobs.EnqueueAsync(new DocumentUpload(id, id + ".md", path, "h-" + id, markdown.Length, DocumentFormat.Markdown, new Dictionary<string, string>()), Ct);
    }

    /// <summary>Records each group write and makes its versions live, as an index store does after both indexes commit.</summary>
    private sealed class RecordingWriter(InMemoryDocumentCatalog catalog) : IIndexWriter
    {
        public List<IReadOnlyList<PreparedDocument>> Writes { get; } = [];

        public async Task WriteAsync(IReadOnlyList<PreparedDocument> documents, CancellationToken ct)
        {
            Writes.Add(documents);
            foreach (var doc in documents)
            {
                var (_, vectors) = doc.Indexed();
                Assert.Equal(doc.Chunks.Count(c => c.HasOwnVector), vectors.Count);
                await catalog.Jobs.CommitVersionAsync(new VersionCommit(doc.DocumentId, doc.Version, doc.Chunks, doc.Signatures), ct);
            }
        }
    }

    /// <summary>A two-dimensional model that counts its calls and can be told to fail.</summary>
    private sealed class CountingModel : IEmbeddingModel
    {
        public bool Broken { get; init; }

        public int Calls { get; private set; }

        public List<string> Embedded { get; } = [];

        public string Name => "counting";

        public int Dimensions => 2;

        public int MaxTokens => 512;

        public LanguageCoverage Languages => LanguageCoverage.English;

        public int CountTokens(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;

        public Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, EmbeddingPurpose purpose, CancellationToken cancellationToken)
        {
            Calls++;
            Embedded.AddRange(texts);
            return Broken
                ? throw new InvalidOperationException("model down")
                : Task.FromResult(texts.Select(t => new[] { 1f, t.Length }).ToArray());
        }
    }
}
