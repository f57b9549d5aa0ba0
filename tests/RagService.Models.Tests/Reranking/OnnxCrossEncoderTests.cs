using RagService.Models.Reranking;
using RagService.TestSupport.Onnx;

namespace RagService.Models.Tests.Reranking;

public sealed class OnnxCrossEncoderTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "rag-ce-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_generated_one_logit_model_scores_passages_by_the_weights_of_their_tokens()
    {
        var (onnx, vocab) = TinyCrossEncoder.Write(_folder);
        using var encoder = new OnnxCrossEncoder(onnx, vocab);

        var scores = await encoder.ScoreAsync("is the dog relevant", ["the cat", "a very relevant dog", "dog fish", "fish"], CancellationToken.None);

        // Only passage tokens count (token type 1): the query's "dog relevant" adds nothing.
        Assert.Equal([0f, 6f, 1.5f, 0.5f], scores);
    }

    [Fact]
    public async Task A_two_logit_head_scores_by_the_relevant_minus_not_relevant_margin()
    {
        var (onnx, vocab) = TinyCrossEncoder.Write(_folder, twoLogits: true);
        using var encoder = new OnnxCrossEncoder(onnx, vocab);

        var scores = await encoder.ScoreAsync("query", ["dog", "relevant", "cat"], CancellationToken.None);

        Assert.Equal([2f, 10f, 0f], scores);
    }

    [Fact]
    public async Task Batches_of_different_lengths_give_the_same_scores_as_one_pair_at_a_time()
    {
        var (onnx, vocab) = TinyCrossEncoder.Write(_folder);
        using var batched = new OnnxCrossEncoder(onnx, vocab, new CrossEncoderOptions { BatchSize = 3 });
        using var single = new OnnxCrossEncoder(onnx, vocab, new CrossEncoderOptions { BatchSize = 1 });
        string[] passages = ["dog", "the the the the relevant", "fish fish", "cat", "relevant dog dog", "a"];

        var a = await batched.ScoreAsync("q", passages, CancellationToken.None);
        var b = await single.ScoreAsync("q", passages, CancellationToken.None);

        Assert.Equal(b, a);
        Assert.Equal([1f, 5f, 1f, 0f, 7f, 0f], a);
    }

    [Fact]
    public void Pair_truncation_keeps_the_whole_query_and_cuts_the_passage()
    {
        var (onnx, vocab) = TinyCrossEncoder.Write(_folder);
        using var encoder = new OnnxCrossEncoder(onnx, vocab, new CrossEncoderOptions { MaxLength = 10, MaxQueryTokens = 4 });

        var (ids, types) = encoder.EncodePair("the dog is relevant", string.Join(' ', Enumerable.Repeat("fish", 50)));

        // [CLS] the dog is relevant [SEP] fish fish fish [SEP]
        Assert.Equal([2L, 5, 7, 10, 8, 3, 9, 9, 9, 3], ids);
        Assert.Equal([0L, 0, 0, 0, 0, 0, 1, 1, 1, 1], types);
    }

    [Fact]
    public void A_query_longer_than_its_cap_is_cut_only_when_the_passage_needs_the_room()
    {
        var (onnx, vocab) = TinyCrossEncoder.Write(_folder);
        using var encoder = new OnnxCrossEncoder(onnx, vocab, new CrossEncoderOptions { MaxLength = 10, MaxQueryTokens = 2 });

        var shortPassage = encoder.EncodePair("the dog is relevant", "cat");
        var longPassage = encoder.EncodePair("the dog is relevant", "cat cat cat cat cat cat");

        Assert.Equal([2L, 5, 7, 10, 8, 3, 6, 3], shortPassage.Ids);
        Assert.Equal([2L, 5, 7, 3, 6, 6, 6, 6, 6, 3], longPassage.Ids);
    }

    [Fact]
    public async Task A_model_without_token_types_gets_the_xlm_r_pair_layout()
    {
        var (onnx, vocab) = TinyCrossEncoder.Write(_folder, withTokenTypes: false);
        using var encoder = new OnnxCrossEncoder(onnx, vocab);

        var (ids, types) = encoder.EncodePair("dog", "cat");
        var scores = await encoder.ScoreAsync("dog", ["cat", "relevant"], CancellationToken.None);

        Assert.Equal([2L, 7, 3, 3, 6, 3], ids);
        Assert.All(types, t => Assert.Equal(0L, t));

        // Without token types the tiny graph sums every token, the query's "dog" included.
        Assert.Equal([1f, 6f], scores);
    }

    [Fact]
    public async Task Cancellation_stops_scoring_between_batches()
    {
        var (onnx, vocab) = TinyCrossEncoder.Write(_folder);
        using var encoder = new OnnxCrossEncoder(onnx, vocab, new CrossEncoderOptions { BatchSize = 1 });
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => encoder.ScoreAsync("q", ["dog", "cat"], cancelled.Token));
    }

    [Fact]
    public async Task A_downloaded_folder_opens_with_its_settings_file()
    {
        TinyCrossEncoder.Write(_folder, twoLogits: true);
        File.WriteAllText(Path.Combine(_folder, "cross-encoder.json"), """{ "name": "tiny", "maxLength": 64 }""");
        using var encoder = OnnxCrossEncoder.FromFolder(_folder);

        Assert.Equal("tiny", encoder.Name);
        var scores = await encoder.ScoreAsync("q", ["relevant"], CancellationToken.None);
        Assert.Equal([10f], scores);
    }

    [Fact]
    public async Task An_xlmr_cross_encoder_folder_with_a_sentencepiece_model_builds_roberta_pairs_and_scores_them()
    {
        TinyCrossEncoder.WriteSentencePiece(_folder);
        File.WriteAllText(Path.Combine(_folder, "cross-encoder.json"), """{ "name": "bge-reranker-v2-m3", "languages": ["*"] }""");
        using var encoder = OnnxCrossEncoder.FromFolder(_folder);

        var (ids, types) = encoder.EncodePair("数据库", "备份");
        var scores = await encoder.ScoreAsync("数据库", ["数据库备份保留九十天", "网关负责鉴权", "the database keeps backup days"], CancellationToken.None);

        Assert.Equal("bge-reranker-v2-m3", encoder.Name);
        Assert.True(encoder.Languages.Covers("zh"));
        Assert.Equal(["<s>", "▁", "数据库", "</s>", "</s>", "▁", "备份", "</s>"], ids.Select(TinySentencePieceModel.PieceOf));
        Assert.All(types, t => Assert.Equal(0L, t));
        Assert.Equal([5f, 0f, 1f], scores);
    }
}
