using RagService.Core.Models;
using RagService.Models.Embeddings;

namespace RagService.Models.Tests;

[Collection(ModelCollection.Name)]
public sealed class CachedEmbeddingModelTests(ModelFixture models) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("rag-embcache-").FullName;

    [Fact]
    public async Task A_cache_hit_returns_the_same_vector_without_calling_the_model()
    {
        var counting = new CountingEmbeddingModel(models.MiniLm);
        using var cached = new CachedEmbeddingModel(counting, Path.Combine(_folder, "embeddings.db"));

        var first = await cached.EmbedAsync(["alpha text", "beta text"], EmbeddingPurpose.Document, CancellationToken.None);
        Assert.Equal(1, counting.Calls);
        Assert.Equal(2, counting.Texts);

        var second = await cached.EmbedAsync(["beta text", "alpha text"], EmbeddingPurpose.Document, CancellationToken.None);
        Assert.Equal(1, counting.Calls);
        Assert.Equal(first[0], second[1]);
        Assert.Equal(first[1], second[0]);

        // Only the miss goes to the model; the purpose is part of the key.
        await cached.EmbedAsync(["alpha text", "gamma text", "gamma text"], EmbeddingPurpose.Document, CancellationToken.None);
        Assert.Equal(2, counting.Calls);
        Assert.Equal(3, counting.Texts);
        await cached.EmbedAsync(["alpha text"], EmbeddingPurpose.Query, CancellationToken.None);
        Assert.Equal(3, counting.Calls);
    }

    [Fact]
    public async Task The_cache_survives_a_new_instance_on_the_same_file()
    {
        var path = Path.Combine(_folder, "embeddings.db");
        var counting = new CountingEmbeddingModel(models.MiniLm);
        float[] first;
        using (var cached = new CachedEmbeddingModel(counting, path))
        {
            first = (await cached.EmbedAsync(["persisted"], EmbeddingPurpose.Document, CancellationToken.None))[0];
        }

        using var reopened = new CachedEmbeddingModel(counting, path);
        var again = (await reopened.EmbedAsync(["persisted"], EmbeddingPurpose.Document, CancellationToken.None))[0];
        Assert.Equal(first, again);
        Assert.Equal(1, counting.Calls);
    }

    [Fact]
    public async Task A_query_embedding_served_from_memory_equals_the_models_own()
    {
        var counting = new CountingEmbeddingModel(models.ArcticXs);
        using var cached = new CachedEmbeddingModel(counting, Path.Combine(_folder, "embeddings.db"));
        var query = "which protein folds first";

        var direct = (await models.ArcticXs.EmbedAsync([query], EmbeddingPurpose.Query, CancellationToken.None))[0];
        var first = (await cached.EmbedAsync([query], EmbeddingPurpose.Query, CancellationToken.None))[0];
        first[0] = 42f; // a caller's change must not reach the remembered vector
        var again = (await cached.EmbedAsync([query], EmbeddingPurpose.Query, CancellationToken.None))[0];

        Assert.Equal(direct, again);
        Assert.Equal(1, counting.Calls);
        Assert.Equal(1, cached.RememberedQueries);
    }

    [Fact]
    public async Task Query_embeddings_are_not_written_to_disk_and_document_embeddings_survive_a_reopen()
    {
        var path = Path.Combine(_folder, "embeddings.db");
        var counting = new CountingEmbeddingModel(models.MiniLm);
        using (var cached = new CachedEmbeddingModel(counting, path))
        {
            await cached.EmbedAsync(["a query"], EmbeddingPurpose.Query, CancellationToken.None);
            await cached.EmbedAsync(["a document"], EmbeddingPurpose.Document, CancellationToken.None);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        using var reopened = new CachedEmbeddingModel(counting, path);
        await reopened.EmbedAsync(["a document"], EmbeddingPurpose.Document, CancellationToken.None);
        Assert.Equal(2, counting.Calls);

        await reopened.EmbedAsync(["a query"], EmbeddingPurpose.Query, CancellationToken.None);
        Assert.Equal(3, counting.Calls);
    }

    [Fact]
    public async Task The_least_recently_used_query_leaves_memory_first()
    {
        var counting = new CountingEmbeddingModel(models.MiniLm);
        using var cached = new CachedEmbeddingModel(counting, Path.Combine(_folder, "embeddings.db"), queryCapacity: 2);

        await cached.EmbedAsync(["first"], EmbeddingPurpose.Query, CancellationToken.None);
        await cached.EmbedAsync(["second"], EmbeddingPurpose.Query, CancellationToken.None);
        await cached.EmbedAsync(["first"], EmbeddingPurpose.Query, CancellationToken.None);
        await cached.EmbedAsync(["third"], EmbeddingPurpose.Query, CancellationToken.None);
        Assert.Equal(3, counting.Calls);
        Assert.Equal(2, cached.RememberedQueries);

        await cached.EmbedAsync(["first"], EmbeddingPurpose.Query, CancellationToken.None);
        Assert.Equal(3, counting.Calls);
        await cached.EmbedAsync(["second"], EmbeddingPurpose.Query, CancellationToken.None);
        Assert.Equal(4, counting.Calls);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private sealed class CountingEmbeddingModel(IEmbeddingModel inner) : IEmbeddingModel
    {
        public int Calls { get; private set; }

        public int Texts { get; private set; }

        public string Name => inner.Name;

        public int Dimensions => inner.Dimensions;

        public int MaxTokens => inner.MaxTokens;

        public LanguageCoverage Languages => inner.Languages;

        public int CountTokens(string text) => inner.CountTokens(text);

        public Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, EmbeddingPurpose purpose, CancellationToken cancellationToken)
        {
            Calls++;
            Texts += texts.Count;
            return inner.EmbedAsync(texts, purpose, cancellationToken);
        }
    }
}
