using System.Collections.Concurrent;
using RagService.Core.Models;
using RagService.Core.Options;
using RagService.Indexing;
using RagService.Models.Embeddings;
using RagService.Models.Registry;
using RagService.Retrieval;

namespace RagService.Api.Hosting;

/// <summary>
/// One loaded embedding model per name, shared by every index that uses it (an ONNX session is
/// ~90 MB and thread-safe), each wrapped in the embedding cache under the data folder. New indexes take
/// their chunking and duplicate-detection settings from the configured <c>Chunking</c> and
/// <c>Deduplication</c> sections.
/// </summary>
public sealed class EmbeddingModelProvider(RagOptions options, ChunkingOptions? chunking = null, DeduplicationOptions? deduplication = null) : IDisposable
{
    private readonly ChunkingOptions _chunking = chunking ?? new ChunkingOptions();
    private readonly DeduplicationOptions _deduplication = deduplication ?? new DeduplicationOptions();

    private readonly ConcurrentDictionary<string, Lazy<IEmbeddingModel>> _models = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyList<string> Names => ModelRegistry.All.Select(d => d.Name).ToList();

    public bool IsKnown(string name) => ModelRegistry.TryGet(name, out _);

    public int Dimensions(string name) => ModelRegistry.Get(name).Dimensions;

    /// <summary>
    /// The chunk budget for new indexes: <c>Chunking:MaxTokens</c> (256 by default, decided on SciFact train
    /// queries, docs/benchmarks.md), never more than the model's window.
    /// </summary>
    public int DefaultChunkTokens(string name) => Math.Min(_chunking.MaxTokens, ModelRegistry.Get(name).DefaultMaxTokens);

    public IndexSettings NewIndexSettings(string model, int? chunkMaxTokens, bool? contextualHeader)
    {
        var defaults = _chunking;
        return new IndexSettings
        {
            EmbeddingModel = ModelRegistry.Get(model).Name,
            Dimensions = Dimensions(model),
            Chunking = defaults with
            {
                MaxTokens = chunkMaxTokens ?? DefaultChunkTokens(model),
                ContextualHeader = contextualHeader ?? defaults.ContextualHeader,
            },
            Deduplication = _deduplication,
        };
    }

    public IEmbeddingModel Get(string name) =>
        _models.GetOrAdd(name, n => new Lazy<IEmbeddingModel>(() => EmbeddingModelFactory.Create(new EmbeddingOptions
        {
            Model = n,
            CacheDirectory = Path.Combine(Path.GetFullPath(options.DataDirectory), "cache"),
            ModelCacheRoot = options.ModelCacheDirectory,
        }))).Value;

    /// <summary>
    /// The second stage's other embedding model for an index built with <paramref name="indexModel"/>, or
    /// null when there is none: <see cref="RetrievalOptions.SecondStageModel"/> "none" or empty, or naming
    /// the index's own model; "auto" picks the first registered model the index does not use. Search and
    /// ingestion both ask here, so ingestion embeds chunks with exactly the model search will rescore with.
    /// </summary>
    public IEmbeddingModel? SecondStageModelFor(string indexModel, RetrievalOptions retrieval)
    {
        ArgumentNullException.ThrowIfNull(retrieval);
        var name = retrieval.SecondStageModel;
        if (string.Equals(name, "none", StringComparison.OrdinalIgnoreCase) || name.Length == 0)
        {
            return null;
        }

        if (string.Equals(name, "auto", StringComparison.OrdinalIgnoreCase))
        {
            name = Names.FirstOrDefault(n => !string.Equals(n, indexModel, StringComparison.OrdinalIgnoreCase)) ?? "";
        }

        return name.Length == 0 || string.Equals(name, indexModel, StringComparison.OrdinalIgnoreCase) ? null : Get(name);
    }

    public void Dispose()
    {
        foreach (var model in _models.Values.Where(m => m.IsValueCreated))
        {
            (model.Value as IDisposable)?.Dispose();
        }
    }
}
