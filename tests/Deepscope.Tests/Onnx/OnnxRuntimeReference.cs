using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Deepscope.Tests.Onnx;

/// <summary>ONNX Runtime as the reference for imported models: runs a file on one input and returns the named outputs.</summary>
static class OnnxRuntimeReference
{
    /// <summary>
    /// Runs <paramref name="modelBytes"/> on <paramref name="input"/> and returns <paramref name="outputs"/>; intermediate
    /// tensors are made graph outputs first (ORT returns graph outputs only).
    /// </summary>
    public static Dictionary<string, float[]> Run(byte[] modelBytes, float[] input, int[] dims, params string[] outputs)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(WithOutputs(modelBytes, outputs), options);
        var feed = new List<NamedOnnxValue> { NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.Single(), new DenseTensor<float>(input, dims)) };
        using var results = session.Run(feed, outputs);
        return results.ToDictionary(r => r.Name, r => r.AsTensor<float>().ToArray());
    }

    /// <summary>
    /// The model with extra float graph outputs: ModelProto field 7 (the graph) gets ValueInfoProto entries (field 12)
    /// appended; protobuf merges repeated fields, so the rest of the file is copied as it is.
    /// </summary>
    public static byte[] WithOutputs(byte[] model, IEnumerable<string> names)
    {
        var extra = new List<byte>();
        foreach (var name in names)
        {
            // ValueInfoProto { name = 1; type = 2 { tensor_type = 1 { elem_type = 1 (FLOAT) } } }
            byte[] type = Field(2, Field(1, [0x08, 0x01]));
            extra.AddRange(Field(12, [.. Field(1, System.Text.Encoding.UTF8.GetBytes(name)), .. type]));
        }
        var output = new List<byte>();
        int at = 0;
        while (at < model.Length)
        {
            int start = at;
            ulong key = Varint(model, ref at);
            int wire = (int)(key & 7);
            if (wire == 2)
            {
                int length = (int)Varint(model, ref at);
                if (key >> 3 == 7) { output.AddRange(Field(7, [.. model.AsSpan(at, length), .. extra])); at += length; continue; }
                at += length;
            }
            else if (wire == 0) Varint(model, ref at);
            else at += wire == 1 ? 8 : 4;
            output.AddRange(model.AsSpan(start, at - start));
        }
        return [.. output];
    }

    static byte[] Field(int number, byte[] payload) => [.. VarintBytes((ulong)(number << 3 | 2)), .. VarintBytes((ulong)payload.Length), .. payload];

    static byte[] VarintBytes(ulong value)
    {
        var bytes = new List<byte>();
        for (; value >= 0x80; value >>= 7) bytes.Add((byte)(value | 0x80));
        bytes.Add((byte)value);
        return [.. bytes];
    }

    static ulong Varint(byte[] data, ref int at)
    {
        ulong value = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = data[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
    }
}
