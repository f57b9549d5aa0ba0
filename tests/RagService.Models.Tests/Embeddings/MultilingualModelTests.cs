using RagService.Core.Models;
using RagService.Core.Text;
using RagService.Models.Embeddings;
using RagService.Models.Registry;
using RagService.TestSupport.Onnx;

namespace RagService.Models.Tests.Embeddings;

/// <summary>
/// A registry model that is not bundled (bge-small-zh) runs end to end from files pulled into the model cache:
/// its Chinese word-piece vocabulary, CLS pooling and query prefix come from the registry, and it declares
/// Chinese, so Chinese chunks are embedded rather than indexed lexically only.
/// </summary>
public sealed class MultilingualModelTests : IDisposable
{
    private readonly string _cache = Directory.CreateTempSubdirectory("rag-model-cache-").FullName;

    [Fact]
    public async Task A_pulled_chinese_wordpiece_model_embeds_chinese_text_by_its_pieces()
    {
        TinyChineseEmbeddingModel.Write(Path.Combine(_cache, ModelRegistry.BgeSmallZh.Name));
        using var model = (OnnxEmbeddingModel)EmbeddingModelFactory.Create(new EmbeddingOptions { Model = "bge-small-zh", ModelCacheRoot = _cache });

        var ids = model.Tokenize("备份数据库", EmbeddingPurpose.Document);
        var vectors = await model.EmbedAsync(["备份数据库", "数据库备份保留", "天天"], EmbeddingPurpose.Document, CancellationToken.None);

        Assert.Equal(PoolingKind.Cls, model.Definition.Pooling);
        Assert.Equal(TinyChineseEmbeddingModel.Vocabulary.Length, model.Dimensions);
        Assert.Equal(["[CLS]", "备", "份", "数", "据", "库", "[SEP]"], ids.Select(i => TinyChineseEmbeddingModel.Vocabulary[i]));
        Assert.True(Dot(vectors[0], vectors[1]) > Dot(vectors[0], vectors[2]), "texts sharing pieces are closer");
        Assert.Equal(1.0, Math.Sqrt(Dot(vectors[0], vectors[0])), 4);
        Assert.StartsWith("为这个句子生成表示以用于检索相关文章：", ModelRegistry.BgeSmallZh.QueryPrefix, StringComparison.Ordinal);
    }

    [Fact]
    public void The_model_declares_chinese_and_english_so_chinese_chunks_are_embedded()
    {
        TinyChineseEmbeddingModel.Write(Path.Combine(_cache, ModelRegistry.BgeSmallZh.Name));
        using var model = (OnnxEmbeddingModel)EmbeddingModelFactory.Create(new EmbeddingOptions { Model = "bge-small-zh", ModelCacheRoot = _cache });

        var chinese = LanguageCoverageRule.Decide(model.Name, model.Languages, LanguageDetector.Detect("API 网关的备份策略"));
        var english = LanguageCoverageRule.Decide(ModelRegistry.MiniLm.Name, ModelRegistry.MiniLm.Languages, LanguageDetector.Detect("API 网关的备份策略"));

        Assert.Equal(1.0, chinese.Factor);
        Assert.True(english.Skipped);
    }

    [Fact]
    public void A_model_that_was_not_pulled_names_the_pull_command()
    {
        var error = Assert.Throws<FileNotFoundException>(() => new ModelCache(_cache).Resolve(ModelRegistry.BgeSmallZh));

        Assert.Contains("rag models pull BAAI/bge-small-zh-v1.5", error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_cache, "bge-small-zh"), error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_cache, recursive: true);

    private static double Dot(float[] a, float[] b) => a.Zip(b, (x, y) => (double)x * y).Sum();
}
