using System.Buffers;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using System.Text;

namespace Deepscope.Models.Onnx;

/// <summary>An ONNX node: its operator, tensor names in and out, and attributes (ints, floats and strings only).</summary>
public sealed record OnnxNode(string Name, string OpType, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs,
    IReadOnlyDictionary<string, OnnxAttribute> Attributes)
{
    /// <summary>The node's name, or its first output when the exporter left the name empty (torch.onnx does for some nodes).</summary>
    public string Label => Name.Length > 0 ? $"{OpType} node '{Name}'" : $"{OpType} node producing '{Outputs.FirstOrDefault()}'";

    public long[] Ints(string name, long[] fallback) => Attributes.TryGetValue(name, out var a) ? a.Ints : fallback;
    public long Int(string name, long fallback) => Attributes.TryGetValue(name, out var a) ? a.Int : fallback;
    public float Float(string name, float fallback) => Attributes.TryGetValue(name, out var a) ? a.Float : fallback;
}

public sealed record OnnxAttribute(long Int, float Float, long[] Ints, string Text);

/// <summary>
/// A constant tensor of the graph (an initializer), float32 or float64, read as float32. Its data stays a slice of
/// the file's bytes until asked for, so a weight goes from the file into a torch tensor in one copy.
/// </summary>
public sealed class OnnxTensor(string name, long[] dims, ReadOnlyMemory<byte> data, bool isDouble)
{
    float[]? _values;

    public string Name => name;
    public long[] Dims => dims;
    public long Count => data.Length / (isDouble ? sizeof(double) : sizeof(float));

    /// <summary>The values as a float32 array (made on first use).</summary>
    public float[] Values => _values ??= isDouble
        ? [.. MemoryMarshal.Cast<byte, double>(data.Span).ToArray().Select(v => (float)v)]
        : MemoryMarshal.Cast<byte, float>(data.Span).ToArray();

    /// <summary>A new float32 tensor of shape <see cref="Dims"/> holding the values, copied straight from the file's bytes.</summary>
    public TorchSharp.torch.Tensor ToTensor()
    {
        if (isDouble) return TorchSharp.torch.tensor(Values, dims);
        var source = data.Span;
        var t = TorchSharp.torch.empty(dims, TorchSharp.torch.ScalarType.Float32);
        source.CopyTo(t.bytes);
        return t;
    }
}

/// <summary>
/// The parts of an ONNX model file (a protobuf <c>ModelProto</c>) that weight import needs: the graph's nodes, its
/// float initializers, inputs and outputs. A small protobuf reader over the file's bytes, written for the few ONNX
/// messages used here (onnx.proto, IR versions 3-10); unknown fields are skipped, as protobuf requires. The file is
/// mapped, not read: copying 63 MB into a fresh array cost 0.2 CPU-seconds of page faults and copies on this machine,
/// twice what the mapping costs, and each weight is copied once anyway, into its tensor. Disposing unmaps the file.
/// </summary>
public sealed class OnnxFile : IDisposable
{
    MappedFileMemory? _bytes;

    public required string Path { get; init; }
    public required string Producer { get; init; }
    public required IReadOnlyList<OnnxNode> Nodes { get; init; }
    public required IReadOnlyDictionary<string, OnnxTensor> Initializers { get; init; }
    /// <summary>Graph inputs that are not initializers (older exporters list the weights as inputs too).</summary>
    public required IReadOnlyList<string> Inputs { get; init; }
    public required IReadOnlyList<string> Outputs { get; init; }

    public static OnnxFile Read(string path)
    {
        if (!File.Exists(path)) throw new DeepscopeException($"ONNX file not found: {path}");
        if (new FileInfo(path).Length == 0) throw new InvalidDataFileException(path, "not an ONNX model: the file is empty");
        var bytes = new MappedFileMemory(path);
        try
        {
            var file = Parse(path, bytes.Memory);
            file._bytes = bytes;
            return file;
        }
        catch (Exception e)
        {
            ((IDisposable)bytes).Dispose();
            if (e is IndexOutOfRangeException or ArgumentOutOfRangeException or FormatException or OverflowException)
                throw new InvalidDataFileException(path, $"not a readable ONNX model ({e.Message})", e);
            throw;
        }
    }

    /// <summary>Unmaps the file: the initializers' data is gone after this (reading it throws).</summary>
    public void Dispose() => ((IDisposable?)_bytes)?.Dispose();

    static OnnxFile Parse(string path, ReadOnlyMemory<byte> bytes)
    {
        string producer = "";
        ReadOnlyMemory<byte>? graph = null;
        foreach (var f in new ProtoReader(bytes))
            if (f.Number == 2) producer = f.Text;
            else if (f.Number == 7) graph = f.Bytes;
        if (graph is not { } g) throw new InvalidDataFileException(path, "not an ONNX model: no graph");

        var nodes = new List<OnnxNode>();
        var initializers = new Dictionary<string, OnnxTensor>();
        var inputs = new List<string>();
        var outputs = new List<string>();
        foreach (var f in new ProtoReader(g))
            switch (f.Number)
            {
                case 1: nodes.Add(Node(f.Bytes)); break;
                case 5: var t = Tensor(path, f.Bytes); if (t != null) initializers[t.Name] = t; break;
                case 11: inputs.Add(ValueName(f.Bytes)); break;
                case 12: outputs.Add(ValueName(f.Bytes)); break;
            }
        return new OnnxFile
        {
            Path = path, Producer = producer, Nodes = nodes, Initializers = initializers,
            Inputs = [.. inputs.Where(i => !initializers.ContainsKey(i))], Outputs = outputs,
        };
    }

    static OnnxNode Node(ReadOnlyMemory<byte> message)
    {
        List<string> inputs = [], outputs = [];
        string name = "", op = "";
        var attributes = new Dictionary<string, OnnxAttribute>();
        foreach (var f in new ProtoReader(message))
            switch (f.Number)
            {
                case 1: inputs.Add(f.Text); break;
                case 2: outputs.Add(f.Text); break;
                case 3: name = f.Text; break;
                case 4: op = f.Text; break;
                case 5: var (key, value) = Attribute(f.Bytes); attributes[key] = value; break;
            }
        return new OnnxNode(name, op, inputs, outputs, attributes);
    }

    static (string, OnnxAttribute) Attribute(ReadOnlyMemory<byte> message)
    {
        string name = "", text = "";
        long integer = 0;
        float real = 0;
        var ints = new List<long>();
        foreach (var f in new ProtoReader(message))
            switch (f.Number)
            {
                case 1: name = f.Text; break;
                case 2: real = f.Fixed32AsFloat; break;
                case 3: integer = f.Varint; break;
                case 4: text = f.Text; break;
                case 8: f.AddVarints(ints); break;
            }
        return (name, new OnnxAttribute(integer, real, [.. ints], text));
    }

    enum DataType { Float = 1, Int64 = 7, Double = 11 }

    /// <summary>A float or double initializer as float32; null for integer tensors (shapes, indices), which import skips.</summary>
    static OnnxTensor? Tensor(string path, ReadOnlyMemory<byte> message)
    {
        var dims = new List<long>();
        var type = DataType.Float;
        string name = "";
        ReadOnlyMemory<byte> raw = default, floats = default, doubles = default;
        bool external = false;
        foreach (var f in new ProtoReader(message))
            switch (f.Number)
            {
                case 1: f.AddVarints(dims); break;
                case 2: type = (DataType)f.Varint; break;
                case 4: floats = f.Bytes; break;
                case 8: name = f.Text; break;
                case 9: raw = f.Bytes; break;
                case 10: doubles = f.Bytes; break;
                case 14: external = f.Varint == 1; break;
            }
        if (type is not (DataType.Float or DataType.Double)) return null;
        if (external) throw new InvalidDataFileException(path, $"initializer '{name}' is stored in an external data file, which is not supported; re-export with the weights inside the .onnx");
        var data = raw.Length > 0 ? raw : type == DataType.Float ? floats : doubles;
        var tensor = new OnnxTensor(name, [.. dims], data, type == DataType.Double);
        long expected = dims.Aggregate(1L, (a, b) => a * b);
        if (tensor.Count != expected)
            throw new InvalidDataFileException(path, $"initializer '{name}' holds {tensor.Count} values for shape ({string.Join(", ", dims)})");
        return tensor;
    }

    static string ValueName(ReadOnlyMemory<byte> message)
    {
        foreach (var f in new ProtoReader(message))
            if (f.Number == 1) return f.Text;
        return "";
    }
}

/// <summary>
/// A read-only mapping of a whole file as memory. Slices of <see cref="MemoryManager{T}.Memory"/> keep it alive;
/// after <see cref="IDisposable.Dispose"/> they throw <see cref="ObjectDisposedException"/> instead of reading unmapped pages.
/// </summary>
sealed unsafe class MappedFileMemory : MemoryManager<byte>
{
    readonly MemoryMappedFile _file;
    readonly MemoryMappedViewAccessor _view;
    readonly byte* _pointer;
    readonly int _length;
    bool _disposed;

    public MappedFileMemory(string path)
    {
        long length = new FileInfo(path).Length;
        if (length > int.MaxValue) throw new InvalidDataFileException(path, "larger than 2 GB, which ONNX files with the weights inside cannot be");
        _length = (int)length;
        _file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        _view = _file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        byte* pointer = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _pointer = pointer + _view.PointerOffset;
    }

    public override Span<byte> GetSpan()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new Span<byte>(_pointer, _length);
    }

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new MemoryHandle(_pointer + elementIndex);
    }

    public override void Unpin() { }

    // No finalizer (CA2015): a span taken from this memory does not keep it alive. Undisposed, the mapping lasts until the process ends.
    protected override void Dispose(bool disposing)
    {
        if (_disposed) return;
        _disposed = true;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }
}

/// <summary>One protobuf field: its number and wire type with the value (a varint, or the bytes of a length-delimited field).</summary>
readonly record struct ProtoField(int Number, int WireType, long Varint, ReadOnlyMemory<byte> Bytes)
{
    public string Text => Encoding.UTF8.GetString(Bytes.Span);
    public float Fixed32AsFloat => BitConverter.Int32BitsToSingle((int)Varint);

    /// <summary>A repeated integer field, packed (wire type 2) or one value per field.</summary>
    public void AddVarints(List<long> into)
    {
        if (WireType == 0) { into.Add(Varint); return; }
        var span = Bytes.Span;
        for (int at = 0; at < span.Length;) into.Add(ProtoReader.ReadVarint(span, ref at));
    }
}

/// <summary>Iterates over the fields of one protobuf message (wire types 0, 1, 2 and 5; groups are not used by ONNX).</summary>
readonly struct ProtoReader(ReadOnlyMemory<byte> message)
{
    public IEnumerator<ProtoField> GetEnumerator()
    {
        int at = 0;
        while (at < message.Length)
        {
            long key = ReadVarint(message.Span, ref at);
            int number = (int)(key >> 3), wire = (int)(key & 7);
            switch (wire)
            {
                case 0: yield return new(number, wire, ReadVarint(message.Span, ref at), default); break;
                case 1: yield return new(number, wire, BitConverter.ToInt64(message.Span.Slice(at, 8)), default); at += 8; break;
                case 5: yield return new(number, wire, BitConverter.ToInt32(message.Span.Slice(at, 4)), default); at += 4; break;
                case 2:
                    int length = checked((int)ReadVarint(message.Span, ref at));
                    yield return new(number, wire, 0, message.Slice(at, length));
                    at += length;
                    break;
                default: throw new FormatException($"unsupported protobuf wire type {wire} at byte {at}");
            }
        }
    }

    public static long ReadVarint(ReadOnlySpan<byte> span, ref int at)
    {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            byte b = span[at++];
            value |= (long)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
        throw new FormatException("malformed varint");
    }
}
