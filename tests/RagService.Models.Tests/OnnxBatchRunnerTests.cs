using RagService.Models.Onnx;
using RagService.Models.Tests.Reranking;

namespace RagService.Models.Tests;

/// <summary>The batching shared by the embedding model and the cross-encoder, on the tiny generated ONNX graph.</summary>
public sealed class OnnxBatchRunnerTests : IDisposable
{
    private const long Cls = 2;
    private const long Sep = 3;
    private const long Dog = 7;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "rag-runner-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Results_come_back_in_the_inputs_order_from_length_sorted_batches(int parallelBatches)
    {
        var (onnx, _) = TinyCrossEncoder.Write(_folder, withTokenTypes: false);
        using var runner = new OnnxBatchRunner(onnx, batchSize: 3, parallelBatches: parallelBatches);

        // Without token types the tiny graph sums the weights of every unmasked token: "dog" weighs 1,
        // so an input of n dogs scores n, whatever the padding of its batch.
        int[] dogs = [7, 0, 12, 3, 3, 9, 1, 5, 20, 2];
        var rows = runner.Run(dogs, DogSequence, "logits", ReadRows, CancellationToken.None);

        Assert.Equal(dogs.Select(n => (float)n), rows.Select(r => r.Score));
        Assert.Equal(dogs.Select(n => n + 2), rows.Select(r => r.Tokens));
        Assert.All(rows, r => Assert.InRange(r.Rows, 1, 3));

        // Sorted by length before batching: 10 inputs make 4 batches, each padded only to its own longest input.
        var batches = rows.GroupBy(r => r.PaddedTo).ToList();
        Assert.Equal(4, batches.Count);
        Assert.All(batches, b => Assert.Equal(b.Key, b.Max(r => r.Tokens)));
        Assert.Equal([4, 7, 14, 22], batches.Select(b => b.Key).Order());
    }

    [Fact]
    public void Token_types_reach_the_model_when_it_takes_them()
    {
        var (onnx, _) = TinyCrossEncoder.Write(_folder);
        using var runner = new OnnxBatchRunner(onnx, batchSize: 2);

        // Only tokens of segment 1 count in this graph.
        EncodedSequence[] inputs =
        [
            new([Cls, Dog, Sep, Dog, Dog, Sep], [0, 0, 0, 1, 1, 1]),
            new([Cls, Dog, Dog, Sep]),
        ];
        var scores = runner.Run(inputs, s => s, "logits", (output, batch) => output[..batch.Rows].ToArray(), CancellationToken.None);

        Assert.Equal([2f, 0f], scores);
    }

    [Fact]
    public async Task A_cancelled_call_runs_no_batch()
    {
        var (onnx, _) = TinyCrossEncoder.Write(_folder, withTokenTypes: false);
        using var runner = new OnnxBatchRunner(onnx, batchSize: 1);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var read = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            runner.RunAsync([1, 2, 3], DogSequence, "logits", (o, b) => { Interlocked.Increment(ref read); return new float[b.Rows]; }, cancelled.Token));
        Assert.Equal(0, read);
    }

    [Fact]
    public void A_disposed_runner_refuses_new_calls()
    {
        var (onnx, _) = TinyCrossEncoder.Write(_folder, withTokenTypes: false);
        var runner = new OnnxBatchRunner(onnx, batchSize: 2);
        runner.Dispose();

        Assert.Throws<ObjectDisposedException>(() => runner.Run([1], DogSequence, "logits", ReadRows, CancellationToken.None));
    }

    [Fact]
    public void An_empty_request_runs_nothing()
    {
        var (onnx, _) = TinyCrossEncoder.Write(_folder, withTokenTypes: false);
        using var runner = new OnnxBatchRunner(onnx, batchSize: 2);

        Assert.Empty(runner.Run(Array.Empty<int>(), DogSequence, "logits", ReadRows, CancellationToken.None));
    }

    private static EncodedSequence DogSequence(int dogs) => new([Cls, .. Enumerable.Repeat(Dog, dogs), Sep]);

    private static Row[] ReadRows(ReadOnlySpan<float> output, PaddedBatch batch)
    {
        var rows = new Row[batch.Rows];
        for (var r = 0; r < batch.Rows; r++)
        {
            rows[r] = new Row(output[r], batch.TokenCounts[r], batch.Rows, batch.Length);
        }

        return rows;
    }

    private sealed record Row(float Score, int Tokens, int Rows, int PaddedTo);
}
