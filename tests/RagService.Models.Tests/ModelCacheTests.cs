using RagService.Core.Models;
using RagService.Models.Embeddings;
using RagService.Models.Registry;

namespace RagService.Models.Tests;

[Collection(ModelCollection.Name)]
public sealed class ModelCacheTests(ModelFixture models)
{
    [Fact]
    public void Resolving_again_reuses_the_extracted_files()
    {
        var before = File.GetLastWriteTimeUtc(models.MiniLmFiles.OnnxPath);
        var again = new ModelCache().Resolve(ModelRegistry.MiniLm);
        Assert.Equal(models.MiniLmFiles, again);
        Assert.Equal(before, File.GetLastWriteTimeUtc(again.OnnxPath));
        Assert.True(new FileInfo(again.OnnxPath).Length > 10_000_000);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(again.OnnxPath)!, "*.tmp"));
    }

    [Fact]
    public void The_vocabulary_resource_is_extracted_intact()
    {
        var dll = ModelCache.FindPackageAssembly("ArcticXs");
        var folder = Directory.CreateTempSubdirectory("rag-vocab-").FullName;
        try
        {
            var target = Path.Combine(folder, "vocab.txt");
            ModelCache.ExtractResource(dll, "Resources.vocab.txt", target);
            var lines = File.ReadAllLines(target);
            Assert.Equal(30522, lines.Length);
            Assert.Equal("[PAD]", lines[0]);
            Assert.Equal(File.ReadAllBytes(models.ArcticXsFiles.VocabularyPath), File.ReadAllBytes(target));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_user_supplied_model_directory_runs_like_the_registry_model()
    {
        var options = new EmbeddingOptions { Model = "minilm", ModelDirectory = Path.GetDirectoryName(models.MiniLmFiles.OnnxPath) };
        var model = EmbeddingModelFactory.Create(options);
        try
        {
            var mine = (await model.EmbedAsync(["user supplied model"], EmbeddingPurpose.Document, CancellationToken.None))[0];
            var registry = (await models.MiniLm.EmbedAsync(["user supplied model"], EmbeddingPurpose.Document, CancellationToken.None))[0];
            Assert.Equal(1.0, OnnxEmbeddingModelTests.Dot(mine, registry), 4);
        }
        finally
        {
            ((IDisposable)model).Dispose();
        }
    }

    [Fact]
    public void A_missing_model_directory_fails_with_a_clear_error()
    {
        var options = new EmbeddingOptions { Model = "my-bert", ModelDirectory = "/nonexistent/model" };
        Assert.Throws<FileNotFoundException>(() => EmbeddingModelFactory.Resolve(options));
    }

    [Fact]
    public void An_unknown_registry_name_fails_with_the_known_names()
    {
        var error = Assert.Throws<ArgumentException>(() => ModelRegistry.Get("gpt"));
        Assert.Contains("minilm", error.Message);
    }
}
