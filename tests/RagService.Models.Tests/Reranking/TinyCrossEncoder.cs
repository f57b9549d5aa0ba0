using RagService.TestSupport.Onnx;
using static RagService.TestSupport.Onnx.TinyOnnx;

namespace RagService.Models.Tests.Reranking;

/// <summary>
/// Writes a tiny but real ONNX cross-encoder (protobuf encoded by hand, field numbers from onnx.proto)
/// and its word-piece vocabulary. The graph: score = Σ over passage tokens (token type 1, attention 1)
/// of a per-token weight, i.e. Gather(weights, input_ids) · Cast(attention_mask) · Cast(token_type_ids),
/// ReduceSum over the sequence. Query tokens (type 0) and padding add nothing, so a test can predict
/// every score. With <c>twoLogits</c> the head emits [−s, s], like a binary classification head.
/// </summary>
internal static class TinyCrossEncoder
{
    public static readonly string[] Vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat", "dog", "relevant", "fish", "is", "a", "very"];

    /// <summary>Per-token weights: "relevant" 5, "dog" 1, "fish" 0.5, every other token 0.</summary>
    public static float Weight(string token) => token switch
    {
        "relevant" => 5f,
        "dog" => 1f,
        "fish" => 0.5f,
        _ => 0f,
    };

    public static (string Onnx, string Vocab) Write(string folder, bool twoLogits = false, bool withTokenTypes = true)
    {
        Directory.CreateDirectory(folder);
        var vocab = Path.Combine(folder, "vocab.txt");
        File.WriteAllLines(vocab, Vocabulary);
        var onnx = Path.Combine(folder, "model.onnx");
        File.WriteAllBytes(onnx, Model(Vocabulary.Select(Weight).ToArray(), twoLogits, withTokenTypes));
        return (onnx, vocab);
    }

    /// <summary>Per-piece weights of the XLM-R stand-in: "备份" 5, "▁backup" 1, every other piece 0.</summary>
    public static float SentencePieceWeight(string piece) => piece switch
    {
        "备份" => 5f,
        "▁backup" => 1f,
        _ => 0f,
    };

    /// <summary>
    /// The same graph as an XLM-R cross-encoder (bge-reranker-v2-m3's layout): a SentencePiece model, XLM-R's ids,
    /// no token_type_ids input, so every unmasked token (query and passage) adds its weight.
    /// </summary>
    public static string WriteSentencePiece(string folder)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "sentencepiece.bpe.model"), TinySentencePieceModel.SentencePieceModel());
        var weights = Enumerable.Range(0, TinySentencePieceModel.VocabularySize).Select(id => SentencePieceWeight(TinySentencePieceModel.PieceOf(id))).ToArray();
        File.WriteAllBytes(Path.Combine(folder, "model.onnx"), Model(weights, twoLogits: false, withTokenTypes: false));
        return folder;
    }

    private static byte[] Model(float[] weights, bool twoLogits, bool withTokenTypes)
    {
        var graph = new Proto();
        graph.Message(5, Tensor("weights", [weights.Length], weights));
        graph.Message(1, Node("Gather", ["weights", "input_ids"], ["gathered"], OnnxAttribute.Int("axis", 0)));
        graph.Message(1, Node("Cast", ["attention_mask"], ["mask"], OnnxAttribute.Int("to", 1)));
        graph.Message(1, Node("Mul", ["gathered", "mask"], ["masked"]));
        var summed = "masked";
        if (withTokenTypes)
        {
            graph.Message(1, Node("Cast", ["token_type_ids"], ["types"], OnnxAttribute.Int("to", 1)));
            graph.Message(1, Node("Mul", ["masked", "types"], ["passage"]));
            summed = "passage";
        }

        var output = twoLogits ? "score" : "logits";
        graph.Message(1, Node("ReduceSum", [summed], [output], OnnxAttribute.Ints("axes", [1]), OnnxAttribute.Int("keepdims", 1)));
        if (twoLogits)
        {
            graph.Message(1, Node("Neg", ["score"], ["negated"]));
            graph.Message(1, Node("Concat", ["negated", "score"], ["logits"], OnnxAttribute.Int("axis", 1)));
        }

        graph.String(2, "tiny-cross-encoder");
        graph.Message(11, Value("input_ids", 7, ["batch", "sequence"]));
        graph.Message(11, Value("attention_mask", 7, ["batch", "sequence"]));
        if (withTokenTypes)
        {
            graph.Message(11, Value("token_type_ids", 7, ["batch", "sequence"]));
        }

        graph.Message(12, Value("logits", 1, ["batch", twoLogits ? "2" : "1"]));

        return TinyOnnx.Model(graph);
    }
}
