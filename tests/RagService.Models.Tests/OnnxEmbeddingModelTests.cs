using RagService.Core.Models;

namespace RagService.Models.Tests;

[Collection(ModelCollection.Name)]
public sealed class OnnxEmbeddingModelTests(ModelFixture models)
{
    private static readonly string LongText = string.Join(' ', Enumerable.Range(0, 2000).Select(i => $"word{i % 97} text"));

    [Theory]
    [InlineData("minilm")]
    [InlineData("arctic-xs")]
    public async Task A_paraphrase_scores_higher_than_an_unrelated_sentence(string name)
    {
        var model = models.Get(name);
        var query = (await model.EmbedAsync(["How do I reset my password?"], EmbeddingPurpose.Query, CancellationToken.None))[0];
        var passages = await model.EmbedAsync(
            ["To change a forgotten password, click 'Forgot password' on the sign-in page.", "The river flooded the village after three days of rain."],
            EmbeddingPurpose.Document,
            CancellationToken.None);

        Assert.True(Dot(query, passages[0]) > Dot(query, passages[1]) + 0.1f, $"{Dot(query, passages[0])} vs {Dot(query, passages[1])}");
    }

    /// <summary>The scores sbert.net's quickstart prints for all-MiniLM-L6-v2: they pin tokenisation and mean pooling.</summary>
    [Theory]
    [InlineData("The new movie is awesome", "The new movie is so great", 0.8939)]
    [InlineData("The cat sits outside", "The cat plays in the garden", 0.6788)]
    [InlineData("I love pasta", "Do you like pizza?", 0.5096)]
    public async Task MiniLM_reproduces_the_published_sentence_transformers_scores(string a, string b, double expected)
    {
        var vectors = await models.MiniLm.EmbedAsync([a, b], EmbeddingPurpose.Document, CancellationToken.None);
        Assert.Equal(expected, Dot(vectors[0], vectors[1]), 0.002);
    }

    [Theory]
    [InlineData("minilm")]
    [InlineData("arctic-xs")]
    public async Task Vectors_are_unit_length_with_the_declared_width(string name)
    {
        var model = models.Get(name);
        var vectors = await model.EmbedAsync(["short", "a somewhat longer sentence about résumés and café culture"], EmbeddingPurpose.Document, CancellationToken.None);
        Assert.All(vectors, v =>
        {
            Assert.Equal(384, v.Length);
            Assert.Equal(1.0, Math.Sqrt(Dot(v, v)), 4);
        });
        Assert.Equal(384, model.Dimensions);
    }

    [Theory]
    [InlineData("minilm")]
    [InlineData("arctic-xs")]
    public async Task A_batch_gives_the_same_vectors_as_one_text_at_a_time(string name)
    {
        var model = models.Get(name);
        string[] texts =
        [
            "Lucene ranks documents with BM25.",
            "A much longer sentence that needs padding in a batch with shorter ones, so that the attention mask matters for pooling.",
            "Hi",
            "Vector search finds nearest neighbours by cosine similarity.",
        ];
        var batched = await model.EmbedAsync(texts, EmbeddingPurpose.Document, CancellationToken.None);
        for (var i = 0; i < texts.Length; i++)
        {
            var single = (await model.EmbedAsync([texts[i]], EmbeddingPurpose.Document, CancellationToken.None))[0];
            for (var d = 0; d < single.Length; d++)
            {
                Assert.Equal(single[d], batched[i][d], 1e-4f);
            }
        }
    }

    [Theory]
    [InlineData("minilm", 256)]
    [InlineData("arctic-xs", 512)]
    public async Task A_2000_word_text_is_truncated_to_MaxTokens_and_embeds(string name, int expectedMax)
    {
        var model = models.Get(name);
        Assert.Equal(expectedMax, model.MaxTokens);
        Assert.True(model.CountTokens(LongText) > 2000);

        var ids = model.Tokenize(LongText, EmbeddingPurpose.Query);
        Assert.Equal(model.MaxTokens, ids.Length);
        Assert.Equal(101, ids[0]);
        Assert.Equal(102, ids[^1]);

        var vectors = await model.EmbedAsync([LongText, "short text"], EmbeddingPurpose.Document, CancellationToken.None);
        Assert.Equal(1.0, Math.Sqrt(Dot(vectors[0], vectors[0])), 4);
    }

    [Fact]
    public async Task A_smaller_limit_holds_after_a_larger_one_was_used_on_the_same_vocabulary()
    {
        using var wide = new RagService.Models.Embeddings.OnnxEmbeddingModel(RagService.Models.Registry.ModelRegistry.MiniLm, models.MiniLmFiles, maxTokens: 512);
        using var narrow = new RagService.Models.Embeddings.OnnxEmbeddingModel(RagService.Models.Registry.ModelRegistry.MiniLm, models.MiniLmFiles, maxTokens: 64);
        Assert.Equal(512, wide.Tokenize(LongText, EmbeddingPurpose.Document).Length);
        Assert.Equal(64, narrow.Tokenize(LongText, EmbeddingPurpose.Document).Length);

        var encoder = new RagService.Models.Tokenization.WordPieceEncoder(models.MiniLmFiles.VocabularyPath);
        Assert.Equal(512, encoder.Encode(LongText, 512).Length);
        Assert.Equal(128, encoder.Encode(LongText, 128).Length);
        Assert.Equal(encoder.CountTokens(LongText), encoder.Encode(LongText, 100_000).Length);
        Assert.Equal(8, encoder.Encode(LongText, 8).Length);

        var vectors = await wide.EmbedAsync([LongText], EmbeddingPurpose.Document, CancellationToken.None);
        Assert.Single(vectors);
    }

    [Fact]
    public async Task Words_beyond_the_limit_do_not_reach_the_model()
    {
        using var wide = new RagService.Models.Embeddings.OnnxEmbeddingModel(RagService.Models.Registry.ModelRegistry.MiniLm, models.MiniLmFiles, maxTokens: 512);
        using var narrow = new RagService.Models.Embeddings.OnnxEmbeddingModel(RagService.Models.Registry.ModelRegistry.MiniLm, models.MiniLmFiles, maxTokens: 64);
        var longer = LongText + " an entirely different ending about rivers and floods";

        // The wide model sees 512 tokens first, then the narrow one runs the same texts: the tail past
        // 64 tokens must change nothing (mean pooling would move if one more token reached the model).
        await wide.EmbedAsync([LongText], EmbeddingPurpose.Document, CancellationToken.None);
        var vectors = await narrow.EmbedAsync([LongText, longer], EmbeddingPurpose.Document, CancellationToken.None);
        var shortened = await narrow.EmbedAsync([LongText[..200]], EmbeddingPurpose.Document, CancellationToken.None);

        Assert.Equal(vectors[0], vectors[1]);
        Assert.NotEqual(vectors[0], shortened[0]);
    }

    [Fact]
    public async Task More_intra_op_threads_give_bit_identical_vectors()
    {
        using var twoThreads = new RagService.Models.Embeddings.OnnxEmbeddingModel(RagService.Models.Registry.ModelRegistry.MiniLm, models.MiniLmFiles, intraOpThreads: 2);
        string[] texts = ["What causes the river to flood?", LongText, "short", "A sentence of middling length about vector search and BM25."];

        var expected = await models.MiniLm.EmbedAsync(texts, EmbeddingPurpose.Query, CancellationToken.None);
        var actual = await twoThreads.EmbedAsync(texts, EmbeddingPurpose.Query, CancellationToken.None);

        for (var i = 0; i < texts.Length; i++)
        {
            Assert.Equal(expected[i], actual[i]);
        }
    }

    [Fact]
    public async Task Batches_running_in_parallel_give_the_vectors_of_one_text_at_a_time_in_order()
    {
        using var smallBatches = new RagService.Models.Embeddings.OnnxEmbeddingModel(RagService.Models.Registry.ModelRegistry.MiniLm, models.MiniLmFiles, batchSize: 1);
        var texts = Enumerable.Range(0, 9).Select(i => $"sentence number {i} " + string.Join(' ', Enumerable.Repeat("word", 9 - i))).ToArray();

        var batched = await smallBatches.EmbedAsync(texts, EmbeddingPurpose.Document, CancellationToken.None);

        for (var i = 0; i < texts.Length; i++)
        {
            var single = (await models.MiniLm.EmbedAsync([texts[i]], EmbeddingPurpose.Document, CancellationToken.None))[0];
            Assert.Equal(single, batched[i]);
        }
    }

    [Fact]
    public void A_limit_beyond_the_models_positions_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new RagService.Models.Embeddings.OnnxEmbeddingModel(RagService.Models.Registry.ModelRegistry.MiniLm, models.MiniLmFiles, maxTokens: 1024));
    }

    [Theory]
    [InlineData("minilm")]
    [InlineData("arctic-xs")]
    public void CountTokens_includes_CLS_and_SEP(string name)
    {
        Assert.Equal(4, models.Get(name).CountTokens("hello world"));
        Assert.Equal(2, models.Get(name).CountTokens(string.Empty));
    }

    [Fact]
    public void Accents_are_stripped_not_unknown()
    {
        var ids = models.MiniLm.Tokenize("café", EmbeddingPurpose.Document);
        Assert.DoesNotContain(100L, ids);
    }

    [Fact]
    public async Task Arctic_query_prefix_changes_the_query_vector_only()
    {
        var text = "what is bm25";
        var asQuery = (await models.ArcticXs.EmbedAsync([text], EmbeddingPurpose.Query, CancellationToken.None))[0];
        var asDocument = (await models.ArcticXs.EmbedAsync([text], EmbeddingPurpose.Document, CancellationToken.None))[0];
        Assert.True(Dot(asQuery, asDocument) < 0.999f);

        var miniQuery = (await models.MiniLm.EmbedAsync([text], EmbeddingPurpose.Query, CancellationToken.None))[0];
        var miniDocument = (await models.MiniLm.EmbedAsync([text], EmbeddingPurpose.Document, CancellationToken.None))[0];
        Assert.Equal(1.0, Dot(miniQuery, miniDocument), 4);
    }

    [Fact]
    public async Task Concurrent_callers_share_one_session_safely()
    {
        var text = "thread safety of the shared inference session";
        var expected = (await models.MiniLm.EmbedAsync([text], EmbeddingPurpose.Document, CancellationToken.None))[0];
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => models.MiniLm.EmbedAsync([text, "other"], EmbeddingPurpose.Document, CancellationToken.None)));
        Assert.All(results, r => Assert.Equal(1.0, Dot(r[0], expected), 4));
    }

    internal static float Dot(float[] a, float[] b)
    {
        var sum = 0f;
        for (var i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }
}
