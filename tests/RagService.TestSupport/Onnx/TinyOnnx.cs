using System.Text;

namespace RagService.TestSupport.Onnx;

/// <summary>
/// Writes ONNX models by hand for the tiny test models (protobuf encoded by hand, field numbers from
/// onnx.proto): tensors, nodes, typed values, attributes, and the model envelope.
/// </summary>
public static class TinyOnnx
{
    /// <summary>The model envelope (IR version 6, default opset 11) around a graph.</summary>
    public static byte[] Model(Proto graph)
    {
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

    public static Proto Tensor(string name, long[] dims, float[] values)
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

    public static Proto Node(string op, string[] inputs, string[] outputs, params Proto[] attributes)
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
    public static Proto Value(string name, int elementType, string[] dims)
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

    /// <summary>
    /// A bag-of-pieces embedding graph, the stand-in for a BERT or XLM-R encoder: each token's state is its one-hot
    /// row plus the sum of every unmasked token's row, last_hidden_state = Gather(E, ids) + ReduceSum(Gather(E, ids) ·
    /// mask), so the first token's state (CLS pooling) and the mean both hold the bag of the text's pieces. A width
    /// above the vocabulary's pads the rows with zeros. Without token types the graph has XLM-R's two inputs.
    /// </summary>
    public static byte[] BagOfPiecesEmbedding(string name, int vocabulary, int width, bool tokenTypes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, vocabulary);
        var identity = new float[vocabulary * width];
        for (var i = 0; i < vocabulary; i++)
        {
            identity[(i * width) + i] = 1f;
        }

        var graph = new Proto();
        graph.Message(5, Tensor("embeddings", [vocabulary, width], identity));
        graph.Message(1, Node("Gather", ["embeddings", "input_ids"], ["states"], OnnxAttribute.Int("axis", 0)));
        graph.Message(1, Node("Cast", ["attention_mask"], ["mask"], OnnxAttribute.Int("to", 1)));
        graph.Message(1, Node("Unsqueeze", ["mask"], ["mask3"], OnnxAttribute.Ints("axes", [2])));
        graph.Message(1, Node("Mul", ["states", "mask3"], ["masked"]));
        graph.Message(1, Node("ReduceSum", ["masked"], ["bag"], OnnxAttribute.Ints("axes", [1]), OnnxAttribute.Int("keepdims", 1)));
        graph.Message(1, Node("Add", ["states", "bag"], ["last_hidden_state"]));
        graph.String(2, name);
        graph.Message(11, Value("input_ids", 7, ["batch", "sequence"]));
        graph.Message(11, Value("attention_mask", 7, ["batch", "sequence"]));
        if (tokenTypes)
        {
            graph.Message(11, Value("token_type_ids", 7, ["batch", "sequence"]));
        }

        graph.Message(12, Value("last_hidden_state", 1, ["batch", "sequence", width.ToString(System.Globalization.CultureInfo.InvariantCulture)]));
        return Model(graph);
    }

    public static class OnnxAttribute
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
    public sealed class Proto
    {
        private readonly MemoryStream _buffer = new();

        public void Int(int field, long value)
        {
            Varint(((ulong)field << 3) | 0);
            Varint((ulong)value);
        }

        public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

        /// <summary>A 32-bit float (wire type 5, little-endian), as SentencePiece stores piece scores.</summary>
        public void Float(int field, float value)
        {
            Varint(((ulong)field << 3) | 5);
            Span<byte> bytes = stackalloc byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
            _buffer.Write(bytes);
        }

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
