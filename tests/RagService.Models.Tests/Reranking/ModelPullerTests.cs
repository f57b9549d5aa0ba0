using System.Net;
using System.Security.Cryptography;
using RagService.Models.Embeddings;
using RagService.Models.Registry;
using RagService.TestSupport;
using RagService.TestSupport.Onnx;

namespace RagService.Models.Tests.Reranking;

/// <summary>The pull runs against a hub stand-in on 127.0.0.1 that serves <c>/{model}/resolve/{revision}/{path}</c>.</summary>
public sealed class ModelPullerTests : IDisposable
{
    private static readonly byte[] OnnxBytes = "not really onnx, but bytes to verify"u8.ToArray();
    private static readonly byte[] VocabBytes = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n"u8.ToArray();
    private static readonly Lazy<byte[]> XlmrSentencePiece = new(TinySentencePieceModel.SentencePieceModel);
    private static readonly Lazy<byte[]> XlmrOnnx = new(() => TinyOnnx.BagOfPiecesEmbedding("tiny-xlmr-embedding", TinySentencePieceModel.VocabularySize, 384, tokenTypes: false));

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "rag-pull-" + Guid.NewGuid().ToString("N"));
    private readonly LoopbackHttpServer _hub;
    private readonly List<string> _requested = [];
    private readonly string _endpoint;

    public ModelPullerTests()
    {
        _hub = new LoopbackHttpServer(ServeAsync);
        _endpoint = _hub.BaseAddress;
    }

    public void Dispose()
    {
        _hub.Dispose();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task Files_whose_checksums_match_the_manifest_are_kept()
    {
        using var http = new HttpClient();
        var entry = new PullManifestEntry { Files = new Dictionary<string, string> { ["onnx/model.onnx"] = Sha(OnnxBytes), ["vocab.txt"] = Sha(VocabBytes) } };

        var pulled = await new ModelPuller(http).PullAsync("org/tiny-reranker", entry, _folder, _endpoint);

        Assert.Equal(["/org/tiny-reranker/resolve/main/onnx/model.onnx", "/org/tiny-reranker/resolve/main/vocab.txt"], _requested);
        Assert.Equal(OnnxBytes, File.ReadAllBytes(Path.Combine(_folder, "model.onnx")));
        Assert.Equal(VocabBytes, File.ReadAllBytes(Path.Combine(_folder, "vocab.txt")));
        Assert.Equal(Sha(OnnxBytes), pulled[0].Sha256);
    }

    [Fact]
    public async Task A_file_whose_checksum_differs_is_discarded_and_the_pull_fails()
    {
        using var http = new HttpClient();
        var entry = new PullManifestEntry { Files = new Dictionary<string, string> { ["onnx/model.onnx"] = Sha("something else"u8.ToArray()) } };

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => new ModelPuller(http).PullAsync("org/tiny-reranker", entry, _folder, _endpoint));

        Assert.Contains("Checksum mismatch", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_folder));
    }

    [Fact]
    public async Task A_missing_file_fails_the_pull_and_leaves_nothing()
    {
        using var http = new HttpClient();
        var entry = new PullManifestEntry { Files = new Dictionary<string, string> { ["tokenizer.json"] = Sha(VocabBytes) } };

        await Assert.ThrowsAsync<HttpRequestException>(() => new ModelPuller(http).PullAsync("org/tiny-reranker", entry, _folder, _endpoint));

        Assert.Empty(Directory.GetFiles(_folder));
    }

    /// <summary>
    /// Issue 14: a registry embedding model pulled by its hub id lands in the model cache under its registry name,
    /// with its SentencePiece tokenizer, and opens from there by that name.
    /// </summary>
    [Fact]
    public async Task A_multilingual_registry_model_is_pulled_into_the_cache_and_opens_by_its_registry_name()
    {
        using var http = new HttpClient();
        var entry = new PullManifestEntry
        {
            Files = new Dictionary<string, string> { ["onnx/model.onnx"] = Sha(XlmrOnnx.Value), ["sentencepiece.bpe.model"] = Sha(XlmrSentencePiece.Value) },
        };
        var cache = Path.Combine(_folder, "cache");
        var destination = ModelPuller.DefaultDestination("intfloat/multilingual-e5-small", cache, Path.Combine(_folder, "data"));

        await new ModelPuller(http).PullAsync("intfloat/multilingual-e5-small", entry, destination, _endpoint);
        using var model = (OnnxEmbeddingModel)EmbeddingModelFactory.Create(new EmbeddingOptions { Model = "multilingual-e5-small", ModelCacheRoot = cache });
        var vectors = await model.EmbedAsync(["数据库备份", "database backup"], Core.Models.EmbeddingPurpose.Document, CancellationToken.None);

        Assert.Equal(Path.Combine(cache, "multilingual-e5-small"), destination);
        Assert.Empty(ModelPuller.MissingFiles(ModelRegistry.MultilingualE5Small, destination));
        Assert.Equal(384, vectors[0].Length);
        Assert.Equal(1.0, Math.Sqrt(vectors[1].Sum(x => (double)x * x)), 4);
    }

    [Fact]
    public void A_manifest_file_is_read_by_model_id()
    {
        Directory.CreateDirectory(_folder);
        var path = Path.Combine(_folder, "manifest.json");
        File.WriteAllText(path, """{ "models": { "org/tiny-reranker": { "revision": "abc123", "files": { "vocab.txt": "00ff" } } } }""");

        var manifest = ModelPuller.ReadManifest(path);

        Assert.Equal("abc123", manifest["org/tiny-reranker"].Revision);
        Assert.Equal("00ff", manifest["org/tiny-reranker"].Files["vocab.txt"]);
    }

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>The fake model hub: the two files of one model, 404 for anything else.</summary>
    private async Task ServeAsync(HttpListenerContext context)
    {
        var path = context.Request.Url!.AbsolutePath;
        lock (_requested)
        {
            _requested.Add(path);
        }

        byte[]? body = path switch
        {
            "/org/tiny-reranker/resolve/main/onnx/model.onnx" => OnnxBytes,
            "/org/tiny-reranker/resolve/main/vocab.txt" => VocabBytes,
            "/intfloat/multilingual-e5-small/resolve/main/onnx/model.onnx" => XlmrOnnx.Value,
            "/intfloat/multilingual-e5-small/resolve/main/sentencepiece.bpe.model" => XlmrSentencePiece.Value,
            _ => null,
        };
        context.Response.StatusCode = body is null ? 404 : 200;
        if (body is not null)
        {
            await context.Response.OutputStream.WriteAsync(body);
        }
    }
}
