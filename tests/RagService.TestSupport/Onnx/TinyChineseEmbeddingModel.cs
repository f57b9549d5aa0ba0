using System.Globalization;
using static RagService.TestSupport.Onnx.TinyOnnx;

namespace RagService.TestSupport.Onnx;

/// <summary>
/// A tiny but real BERT-style ONNX embedding model with a Chinese word-piece vocabulary (single Han characters,
/// as bge-small-zh's, and English pieces). Each token's state is its one-hot row plus the sum of every unmasked
/// token's row: last_hidden_state = Gather(E, ids) + ReduceSum(Gather(E, ids) · mask), so the [CLS] state (and
/// the mean) holds the bag of the text's pieces, and texts sharing pieces have similar vectors. A width above
/// the vocabulary's pads the rows with zeros, so the model can stand in for a registry model of that width.
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
        var identity = new float[Vocabulary.Length * size];
        for (var i = 0; i < Vocabulary.Length; i++)
        {
            identity[(i * size) + i] = 1f;
        }

        var graph = new Proto();
        graph.Message(5, Tensor("embeddings", [Vocabulary.Length, size], identity));
        graph.Message(1, Node("Gather", ["embeddings", "input_ids"], ["states"], OnnxAttribute.Int("axis", 0)));
        graph.Message(1, Node("Cast", ["attention_mask"], ["mask"], OnnxAttribute.Int("to", 1)));
        graph.Message(1, Node("Unsqueeze", ["mask"], ["mask3"], OnnxAttribute.Ints("axes", [2])));
        graph.Message(1, Node("Mul", ["states", "mask3"], ["masked"]));
        graph.Message(1, Node("ReduceSum", ["masked"], ["bag"], OnnxAttribute.Ints("axes", [1]), OnnxAttribute.Int("keepdims", 1)));
        graph.Message(1, Node("Add", ["states", "bag"], ["last_hidden_state"]));
        graph.String(2, "tiny-chinese-embedding");
        graph.Message(11, Value("input_ids", 7, ["batch", "sequence"]));
        graph.Message(11, Value("attention_mask", 7, ["batch", "sequence"]));
        graph.Message(11, Value("token_type_ids", 7, ["batch", "sequence"]));
        graph.Message(12, Value("last_hidden_state", 1, ["batch", "sequence", size.ToString(CultureInfo.InvariantCulture)]));
        File.WriteAllBytes(Path.Combine(folder, "model.onnx"), Model(graph));
    }
}
