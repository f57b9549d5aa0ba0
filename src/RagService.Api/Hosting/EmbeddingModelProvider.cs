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
/// ~90 MB and thread-safe), each wrapped in the embedding cache under the data folder.
/// </summary>
public sealed class EmbeddingModelProvider(RagOptions options) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<IEmbeddingModel>> _models = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyList<string> Names => ModelRegistry.All.Select(d => d.Name).ToList();

    public bool IsKnown(string name) => ModelRegistry.TryGet(name, out _);

    public int Dimensions(string name) => ModelRegistry.Get(name).Dimensions;

    /// <summary>
    /// The chunk budget for new indexes. 256 model tokens by default: it is MiniLM's trained window, and
    /// on SciFact it matched or beat whole abstracts in 512-token chunks (hybrid nDCG@10 0.720 vs 0.719,
    /// dense 0.658 vs 0.653; docs/benchmarks.md).
    /// </summary>
    public int DefaultChunkTokens(string name) => Math.Min(256, ModelRegistry.Get(name).DefaultMaxTokens);

    public IndexSettings NewIndexSettings(string model, int? chunkMaxTokens, bool? contextualHeader)
    {
        var defaults = new ChunkingOptions();
        return new IndexSettings
        {
            EmbeddingModel = ModelRegistry.Get(model).Name,
            Dimensions = Dimensions(model),
            Chunking = defaults with
            {
                MaxTokens = chunkMaxTokens ?? DefaultChunkTokens(model),
                ContextualHeader = contextualHeader ?? defaults.ContextualHeader,
            },
        };
    }

    public IEmbeddingModel Get(string name) =>
        _models.GetOrAdd(name, n => new Lazy<IEmbeddingModel>(() => EmbeddingModelFactory.Create(new EmbeddingOptions
        {
            Model = n,
            CacheDirectory = Path.Combine(Path.GetFullPath(options.DataDirectory), "cache"),
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
