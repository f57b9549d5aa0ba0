using RagService.Models.Embeddings;
using RagService.Models.Registry;

namespace RagService.Models.Tests;

/// <summary>Extracts and loads both packaged models once for the whole test run.</summary>
public sealed class ModelFixture : IDisposable
{
    public ModelFixture()
    {
        var cache = new ModelCache();
        MiniLmFiles = cache.Resolve(ModelRegistry.MiniLm);
        ArcticXsFiles = cache.Resolve(ModelRegistry.ArcticXs);
        MiniLm = new OnnxEmbeddingModel(ModelRegistry.MiniLm, MiniLmFiles);
        ArcticXs = new OnnxEmbeddingModel(ModelRegistry.ArcticXs, ArcticXsFiles);
    }

    public ModelFiles MiniLmFiles { get; }

    public ModelFiles ArcticXsFiles { get; }

    public OnnxEmbeddingModel MiniLm { get; }

    public OnnxEmbeddingModel ArcticXs { get; }

    public OnnxEmbeddingModel Get(string name) => name == MiniLm.Name ? MiniLm : ArcticXs;

    public void Dispose()
    {
        MiniLm.Dispose();
        ArcticXs.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class ModelCollection : ICollectionFixture<ModelFixture>
{
    public const string Name = "models";
}
