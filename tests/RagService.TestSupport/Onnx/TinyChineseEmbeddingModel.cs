using static RagService.TestSupport.Onnx.TinyOnnx;

namespace RagService.TestSupport.Onnx;

/// <summary>
/// A tiny but real BERT-style ONNX embedding model with a Chinese word-piece vocabulary (single Han characters,
/// as bge-small-zh's, and English pieces), on the bag-of-pieces graph (<see cref="TinyOnnx.BagOfPiecesEmbedding"/>):
/// texts sharing pieces have similar vectors. A width above the vocabulary's pads the rows with zeros, so the
/// model can stand in for a registry model of that width.
/// </summary>
public static class TinyChineseEmbeddingModel
{
    /// <summary>The characters of bge-small-zh's query instruction (关 is already in the list), so a query's prefix is not a run of [UNK].</summary>
    private static readonly string[] QueryInstruction =
        ["为", "这", "个", "句", "子", "生", "成", "表", "示", "以", "用", "于", "检", "索", "相", "文", "章", "："];

    public static readonly string[] Vocabulary =
        ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "备", "份", "保", "留", "数", "据", "库", "天", "api", "网", "关", "##s",
         .. QueryInstruction];

    /// <param name="folder">Where model.onnx and vocab.txt are written.</param>
    /// <param name="width">The hidden size; at least the vocabulary's size (one-hot rows).</param>
    public static void Write(string folder, int? width = null)
    {
        var size = width ?? Vocabulary.Length;
        ArgumentOutOfRangeException.ThrowIfLessThan(size, Vocabulary.Length, nameof(width));
        Directory.CreateDirectory(folder);
        File.WriteAllLines(Path.Combine(folder, "vocab.txt"), Vocabulary);
        File.WriteAllBytes(Path.Combine(folder, "model.onnx"), BagOfPiecesEmbedding("tiny-chinese-embedding", Vocabulary.Length, size, tokenTypes: true));
    }
}
