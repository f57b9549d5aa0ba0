namespace RagService.Models.Onnx;

/// <summary>One row of a BERT-style model's input: word-piece ids with [CLS]/[SEP] (or their RoBERTa
/// equivalents) already in place, and the segment of each id (null: all segment 0).</summary>
public sealed record EncodedSequence(long[] Ids, long[]? TokenTypes = null)
{
    public int Length => Ids.Length;
}

/// <summary>The shape of one padded batch as the model saw it: <see cref="Rows"/> sequences padded to
/// <see cref="Length"/>, each with <see cref="TokenCounts"/> real (unmasked) tokens.</summary>
public sealed record PaddedBatch(int Rows, int Length, IReadOnlyList<int> TokenCounts);

/// <summary>Turns one batch's output tensor (row-major, <see cref="PaddedBatch.Rows"/> first) into one result per row.</summary>
public delegate TResult[] BatchOutputReader<TResult>(ReadOnlySpan<float> output, PaddedBatch batch);
