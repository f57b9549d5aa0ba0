using RagService.Core.Models;
using RagService.Models.Registry;

namespace RagService.Models.Embeddings;

/// <summary>Builds the configured embedding model, wrapped in the embedding cache when one is configured.</summary>
public static class EmbeddingModelFactory
{
    public const string CacheFileName = "embeddings.db";

    public static IEmbeddingModel Create(EmbeddingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (definition, files) = Resolve(options);
        var model = new OnnxEmbeddingModel(definition, files, options.MaxTokens, options.BatchSize);
        return options.CacheDirectory is null
            ? model
            : new CachedEmbeddingModel(model, Path.Combine(options.CacheDirectory, CacheFileName), ownsInner: true);
    }

    /// <summary>The model's facts and files: a registry model from the cache, or a user's folder.</summary>
    public static (ModelDefinition Definition, ModelFiles Files) Resolve(EmbeddingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ModelDirectory is { } directory)
        {
            var known = ModelRegistry.TryGet(options.Model, out var registered) ? registered : null;
            var definition = (known ?? new ModelDefinition(options.Model, null, PoolingKind.Mean, 0, 512)) with
            {
                PackageKey = null,
                Pooling = options.Pooling ?? known?.Pooling ?? PoolingKind.Mean,
                QueryPrefix = options.QueryPrefix ?? known?.QueryPrefix ?? string.Empty,
                DocumentPrefix = options.DocumentPrefix ?? known?.DocumentPrefix ?? string.Empty,
                Languages = options.Languages is { } languages ? new LanguageCoverage(languages) : known?.Languages ?? LanguageCoverage.All,
                Tokenizer = options.Tokenizer ?? known?.Tokenizer ?? ModelFiles.DetectTokenizer(directory),
            };
            return (definition, ModelFiles.FromDirectory(directory, definition.Tokenizer));
        }

        var packaged = ModelRegistry.Get(options.Model);
        return (packaged, new ModelCache(options.ModelCacheRoot).Resolve(packaged));
    }
}
