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

    [Fact]
    public async Task A_pulled_sentencepiece_model_reads_xlmr_ids_applies_its_prefixes_and_embeds_both_languages()
    {
        TinySentencePieceModel.Write(Path.Combine(_cache, ModelRegistry.MultilingualE5Small.Name), width: ModelRegistry.MultilingualE5Small.Dimensions);
        using var model = (OnnxEmbeddingModel)EmbeddingModelFactory.Create(new EmbeddingOptions { Model = "multilingual-e5-small", ModelCacheRoot = _cache });

        var document = model.Tokenize("数据库备份", EmbeddingPurpose.Document).Select(TinySentencePieceModel.PieceOf).ToList();
        var query = model.Tokenize("database backup", EmbeddingPurpose.Query).Select(TinySentencePieceModel.PieceOf).ToList();
        var vectors = await model.EmbedAsync(["数据库备份保留九十天。", "the database keeps backup days", "网关负责鉴权。"], EmbeddingPurpose.Document, CancellationToken.None);
        var questions = await model.EmbedAsync(["数据库备份", "database backup"], EmbeddingPurpose.Query, CancellationToken.None);

        Assert.Equal(TokenizerKind.SentencePiece, model.Definition.Tokenizer);
        Assert.Equal(PoolingKind.Mean, model.Definition.Pooling);
        Assert.Equal(ModelRegistry.MultilingualE5Small.Dimensions, model.Dimensions);
        Assert.Equal(["<s>", "▁passage", ":", "▁", "数据库", "备份", "</s>"], document);
        Assert.Equal(["<s>", "▁query", ":", "▁database", "▁backup", "</s>"], query);
        Assert.Equal(document.Count, model.CountTokens("passage: 数据库备份"));
        Assert.True(Dot(questions[0], vectors[0]) > Dot(questions[0], vectors[2]), "a Chinese query is nearer the Chinese backup text than the gateway text");
        Assert.True(Dot(questions[1], vectors[1]) > Dot(questions[1], vectors[2]), "an English query is nearer the English backup text");
        Assert.True(model.Languages.Covers("zh") && model.Languages.Covers("en"));
    }

    [Fact]
    public void A_sentencepiece_model_truncates_to_its_limit_and_ends_with_its_end_token()
    {
        TinySentencePieceModel.Write(Path.Combine(_cache, ModelRegistry.BgeM3.Name), width: ModelRegistry.BgeM3.Dimensions);
        using var model = (OnnxEmbeddingModel)EmbeddingModelFactory.Create(new EmbeddingOptions { Model = "bge-m3", ModelCacheRoot = _cache, MaxTokens = 5 });

        var ids = model.Tokenize("网关 负责 鉴权 数据库 备份 保留", EmbeddingPurpose.Document);

        Assert.Equal(5, ids.Length);
        Assert.Equal([0L, 2L], new[] { ids[0], ids[^1] });
        Assert.Equal(PoolingKind.Cls, model.Definition.Pooling);
    }

    [Fact]
    public void A_folder_with_only_a_sentencepiece_model_is_read_as_one()
    {
        var folder = Path.Combine(_cache, "my-xlmr");
        TinySentencePieceModel.Write(folder);

        var (definition, files) = EmbeddingModelFactory.Resolve(new EmbeddingOptions { Model = "my-xlmr", ModelDirectory = folder, DocumentPrefix = "passage: " });

        Assert.Equal(TokenizerKind.SentencePiece, definition.Tokenizer);
        Assert.EndsWith("sentencepiece.bpe.model", files.VocabularyPath, StringComparison.Ordinal);
        Assert.Equal("passage: ", definition.DocumentPrefix);
    }

    [Fact]
    public void A_sentencepiece_model_that_was_not_pulled_names_its_tokenizer_file_and_pull_lands_in_the_cache()
    {
        var error = Assert.Throws<FileNotFoundException>(() => new ModelCache(_cache).Resolve(ModelRegistry.MultilingualE5Small));

        Assert.Contains("sentencepiece.bpe.model", error.Message, StringComparison.Ordinal);
        Assert.Contains("rag models pull intfloat/multilingual-e5-small", error.Message, StringComparison.Ordinal);
        Assert.Equal(Path.Combine(_cache, "multilingual-e5-small"), ModelPuller.DefaultDestination("intfloat/multilingual-e5-small", _cache, "data"));
        Assert.Equal(Path.Combine("data", "models", "BAAI_bge-reranker-v2-m3"), ModelPuller.DefaultDestination("BAAI/bge-reranker-v2-m3", _cache, "data"));
        Assert.Equal(["model.onnx", "sentencepiece.bpe.model"], ModelPuller.MissingFiles(ModelRegistry.BgeM3, Path.Combine(_cache, "nothing")));
    }

    public void Dispose() => Directory.Delete(_cache, recursive: true);

    private static double Dot(float[] a, float[] b) => a.Zip(b, (x, y) => (double)x * y).Sum();
}
