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
