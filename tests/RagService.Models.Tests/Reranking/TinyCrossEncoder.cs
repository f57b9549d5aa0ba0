using System.Text;

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
        File.WriteAllBytes(onnx, Model(twoLogits, withTokenTypes));
        return (onnx, vocab);
    }

    private static byte[] Model(bool twoLogits, bool withTokenTypes)
    {
        var graph = new Proto();
        var weights = Vocabulary.Select(Weight).ToArray();
        graph.Message(5, Tensor("weights", [weights.Length], weights));
        graph.Message(1, Node("Gather", ["weights", "input_ids"], ["gathered"], Attribute.Int("axis", 0)));
        graph.Message(1, Node("Cast", ["attention_mask"], ["mask"], Attribute.Int("to", 1)));
        graph.Message(1, Node("Mul", ["gathered", "mask"], ["masked"]));
        var summed = "masked";
        if (withTokenTypes)
        {
            graph.Message(1, Node("Cast", ["token_type_ids"], ["types"], Attribute.Int("to", 1)));
            graph.Message(1, Node("Mul", ["masked", "types"], ["passage"]));
            summed = "passage";
        }

        var output = twoLogits ? "score" : "logits";
        graph.Message(1, Node("ReduceSum", [summed], [output], Attribute.Ints("axes", [1]), Attribute.Int("keepdims", 1)));
        if (twoLogits)
        {
            graph.Message(1, Node("Neg", ["score"], ["negated"]));
            graph.Message(1, Node("Concat", ["negated", "score"], ["logits"], Attribute.Int("axis", 1)));
        }

        graph.String(2, "tiny-cross-encoder");
        graph.Message(11, Value("input_ids", 7, ["batch", "sequence"]));
        graph.Message(11, Value("attention_mask", 7, ["batch", "sequence"]));
        if (withTokenTypes)
        {
            graph.Message(11, Value("token_type_ids", 7, ["batch", "sequence"]));
        }

        graph.Message(12, Value("logits", 1, ["batch", twoLogits ? "2" : "1"]));

        var opset = new Proto();
        opset.String(1, "");
        opset.Int(2, 11);
        var model = new Proto();
        model.Int(1, 6);
        model.String(2, "RagService tests");
        model.Message(8, opset);
        model.Message(7, graph);
        return model.ToArray();
    }

    private static Proto Tensor(string name, long[] dims, float[] values)
    {
        var t = new Proto();
        foreach (var d in dims)
        {
            t.Int(1, d);
        }

        t.Int(2, 1);
        t.String(8, name);
        var raw = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, raw, 0, raw.Length);
        t.Bytes(9, raw);
        return t;
    }

    private static Proto Node(string op, string[] inputs, string[] outputs, params Proto[] attributes)
    {
        var n = new Proto();
        foreach (var i in inputs)
        {
            n.String(1, i);
        }

        foreach (var o in outputs)
        {
            n.String(2, o);
        }

        n.String(3, op + "_" + outputs[0]);
        n.String(4, op);
        foreach (var a in attributes)
        {
            n.Message(5, a);
        }

        return n;
    }

    /// <summary>A tensor value: element type (1 float, 7 int64) and symbolic or fixed dimensions.</summary>
    private static Proto Value(string name, int elementType, string[] dims)
    {
        var shape = new Proto();
        foreach (var d in dims)
        {
            var dim = new Proto();
            if (long.TryParse(d, out var fixedSize))
            {
                dim.Int(1, fixedSize);
            }
            else
            {
                dim.String(2, d);
            }

            shape.Message(1, dim);
        }

        var tensor = new Proto();
        tensor.Int(1, elementType);
        tensor.Message(2, shape);
        var type = new Proto();
        type.Message(1, tensor);
        var value = new Proto();
        value.String(1, name);
        value.Message(2, type);
        return value;
    }

    private static class Attribute
    {
        public static Proto Int(string name, long value)
        {
            var a = new Proto();
            a.String(1, name);
            a.Int(3, value);
            a.Int(20, 2);
            return a;
        }

        public static Proto Ints(string name, long[] values)
        {
            var a = new Proto();
            a.String(1, name);
            foreach (var v in values)
            {
                a.Int(8, v);
            }

            a.Int(20, 7);
            return a;
        }
    }

    /// <summary>The protobuf wire format, only what ONNX needs: varints and length-delimited fields.</summary>
    private sealed class Proto
    {
        private readonly MemoryStream _buffer = new();

        public void Int(int field, long value)
        {
            Varint(((ulong)field << 3) | 0);
            Varint((ulong)value);
        }

        public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

        public void Message(int field, Proto message) => Bytes(field, message.ToArray());

        public void Bytes(int field, byte[] value)
        {
            Varint(((ulong)field << 3) | 2);
            Varint((ulong)value.Length);
            _buffer.Write(value);
        }

        public byte[] ToArray() => _buffer.ToArray();

        private void Varint(ulong value)
        {
            while (value >= 0x80)
            {
                _buffer.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }

            _buffer.WriteByte((byte)value);
        }
    }
}
